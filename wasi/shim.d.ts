// Types of `partita/wasi-shim`: a small wasi_snapshot_preview1 for hosts without WASI.

export interface ShimOptions {
  /** What the program reads on stdin (fd 0); empty by default. */
  stdin?: string | Uint8Array;
  /** Called with each complete line written to stdout / stderr. */
  stdout?: (line: string) => void;
  stderr?: (line: string) => void;
}

/** Thrown by proc_exit to unwind a program; `code` is its exit status. */
export class WasiExit extends Error {
  readonly code: number;
}

/** The `wasi_snapshot_preview1` import namespace for one instance, and what it collected. */
export function wasiImports(getMemory: () => WebAssembly.Memory, options?: ShimOptions): {
  imports: Record<string, (...args: any[]) => any>;
  stdout(): string;
  stderr(): string;
};

/** Instantiates a WASI reactor (partita-wasi.wasm) and runs its _initialize. */
export function instantiateReactor(module: WebAssembly.Module, options?: ShimOptions): Promise<WebAssembly.Instance>;

/** Runs a WASI command (partita-cli.wasm) to its end on the given stdin. */
export function runCommand(module: WebAssembly.Module, options?: ShimOptions):
  Promise<{ exitCode: number; stdout: string; stderr: string }>;
