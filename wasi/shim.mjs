// shim.mjs — a small wasi_snapshot_preview1 for hosts that have no WASI of their own
// (Cloudflare Workers / workerd, browsers, Deno Deploy): enough for partita's two WASI
// artefacts. It works from a compiled WebAssembly.Module, as Workers require.
//
//   import { instantiateReactor, runCommand } from 'partita/wasi-shim';
//   import reactor from 'partita/partita-wasi.wasm';             // a Module in Workers
//   const { exports } = await instantiateReactor(reactor);       // the C API of partita.h
//
//   const { stdout, exitCode } = await runCommand(cliModule, { stdin: '{"op":"create",...}\n' });
//
// What it provides: stdin from bytes given up front, stdout / stderr collected (and passed to
// callbacks line by line), the realtime and monotonic clocks, random bytes, empty argv and
// environment, proc_exit. No file system: every other call answers ENOSYS (52) or EBADF (8).

const SUCCESS = 0, EBADF = 8, EINVAL = 28, ENOSYS = 52;
const FILETYPE_CHARACTER_DEVICE = 2;

/** Thrown by proc_exit to unwind the program; runCommand() turns it into an exit code. */
export class WasiExit extends Error {
  constructor(code) {
    super(`proc_exit(${code})`);
    this.code = code;
  }
}

/**
 * The import object's `wasi_snapshot_preview1` namespace for one instance.
 * @param {() => WebAssembly.Memory} getMemory the instance's memory, once it exists
 * @param {{ stdin?: string | Uint8Array, stdout?: (line: string) => void,
 *           stderr?: (line: string) => void }} [options]
 */
export function wasiImports(getMemory, options = {}) {
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  const stdin = typeof options.stdin === 'string' ? enc.encode(options.stdin) : (options.stdin ?? new Uint8Array(0));
  let stdinAt = 0;
  const sinks = { 1: options.stdout, 2: options.stderr };
  const pending = { 1: '', 2: '' };
  const output = { 1: [], 2: [] };
  const view = () => new DataView(getMemory().buffer);
  const bytes = (p, n) => new Uint8Array(getMemory().buffer, p, n);

  const ns = {
    fd_write(fd, iovs, iovsLen, nwritten) {
      if (fd !== 1 && fd !== 2) return EBADF;
      const dv = view();
      let total = 0;
      for (let i = 0; i < iovsLen; i++) {
        const p = dv.getUint32(iovs + i * 8, true), n = dv.getUint32(iovs + i * 8 + 4, true);
        const chunk = bytes(p, n).slice();
        output[fd].push(chunk);
        if (sinks[fd]) {
          pending[fd] += dec.decode(chunk, { stream: true });
          let nl;
          while ((nl = pending[fd].indexOf('\n')) >= 0) {
            sinks[fd](pending[fd].slice(0, nl));
            pending[fd] = pending[fd].slice(nl + 1);
          }
        }
        total += n;
      }
      dv.setUint32(nwritten, total, true);
      return SUCCESS;
    },
    fd_read(fd, iovs, iovsLen, nread) {
      if (fd !== 0) return EBADF;
      const dv = view();
      let total = 0;
      for (let i = 0; i < iovsLen && stdinAt < stdin.length; i++) {
        const p = dv.getUint32(iovs + i * 8, true), n = dv.getUint32(iovs + i * 8 + 4, true);
        const take = Math.min(n, stdin.length - stdinAt);
        bytes(p, take).set(stdin.subarray(stdinAt, stdinAt + take));
        stdinAt += take;
        total += take;
      }
      dv.setUint32(nread, total, true);
      return SUCCESS;
    },
    fd_fdstat_get(fd, out) {
      if (fd > 2) return EBADF;
      const dv = view();
      for (let i = 0; i < 24; i++) dv.setUint8(out + i, 0);
      dv.setUint8(out, FILETYPE_CHARACTER_DEVICE);
      dv.setBigUint64(out + 8, 0xffffffffn, true); // rights: everything on the three stdio fds
      return SUCCESS;
    },
    fd_seek: () => ENOSYS, // stdio is not seekable: the C library then writes unbuffered-by-seek
    fd_close: (fd) => (fd <= 2 ? SUCCESS : EBADF),
    fd_prestat_get: () => EBADF, // no preopened directories
    fd_prestat_dir_name: () => EBADF,
    args_sizes_get(argc, size) {
      view().setUint32(argc, 0, true);
      view().setUint32(size, 0, true);
      return SUCCESS;
    },
    args_get: () => SUCCESS,
    environ_sizes_get(count, size) {
      view().setUint32(count, 0, true);
      view().setUint32(size, 0, true);
      return SUCCESS;
    },
    environ_get: () => SUCCESS,
    clock_res_get(id, out) {
      view().setBigUint64(out, 1000n, true);
      return SUCCESS;
    },
    clock_time_get(id, _precision, out) {
      let ns;
      if (id === 0) ns = BigInt(Date.now()) * 1000000n; // realtime
      else if (id === 1) ns = BigInt(Math.round(performance.now() * 1e6)); // monotonic
      else if (id === 2 && typeof globalThis.process?.cpuUsage === 'function') {
        const u = globalThis.process.cpuUsage(); // process CPU time, where the host has it (Node)
        ns = BigInt(u.user + u.system) * 1000n;
      } else return EINVAL;
      view().setBigUint64(out, ns, true);
      return SUCCESS;
    },
    random_get(p, n) {
      // getRandomValues takes at most 65536 bytes at a time
      for (let at = 0; at < n; at += 65536) crypto.getRandomValues(bytes(p + at, Math.min(65536, n - at)));
      return SUCCESS;
    },
    sched_yield: () => SUCCESS,
    proc_exit(code) {
      throw new WasiExit(code);
    },
  };
  const decodeAll = (chunks) => {
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return dec.decode(out);
  };
  return {
    imports: ns,
    /** Everything written to stdout / stderr so far, as text. */
    stdout: () => decodeAll(output[1]),
    stderr: () => decodeAll(output[2]),
  };
}

/** The import object for `module`: the shim, plus ENOSYS for any other WASI function it imports. */
function importObject(module, ns) {
  const wasi = { ...ns };
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module === 'wasi_snapshot_preview1' && imp.kind === 'function' && !(imp.name in wasi)) wasi[imp.name] = () => ENOSYS;
  }
  return { wasi_snapshot_preview1: wasi };
}

/**
 * Instantiates a WASI reactor (dist/partita-wasi.wasm) and runs its _initialize.
 * @param {WebAssembly.Module} module
 * @returns {Promise<WebAssembly.Instance>}
 */
export async function instantiateReactor(module, options = {}) {
  let memory;
  const shim = wasiImports(() => memory, options);
  const instance = await WebAssembly.instantiate(module, importObject(module, shim.imports));
  memory = instance.exports.memory;
  instance.exports._initialize?.();
  return instance;
}

/**
 * Runs a WASI command (dist/partita-cli.wasm) to completion on the given stdin.
 * @param {WebAssembly.Module} module
 * @returns {Promise<{ exitCode: number, stdout: string, stderr: string }>}
 */
export async function runCommand(module, options = {}) {
  let memory;
  const shim = wasiImports(() => memory, options);
  const instance = await WebAssembly.instantiate(module, importObject(module, shim.imports));
  memory = instance.exports.memory;
  let exitCode = 0;
  try {
    instance.exports._start();
  } catch (e) {
    if (!(e instanceof WasiExit)) throw e;
    exitCode = e.code;
  }
  return { exitCode, stdout: shim.stdout(), stderr: shim.stderr() };
}
