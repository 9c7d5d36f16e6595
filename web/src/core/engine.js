// binding.js — loading the WebAssembly core and talking to it.
//
// This module is the JS side of the boundary described in web/pt_wasm.c: it owns the
// Emscripten module, reads the constants and struct layouts the core reports, moves strings
// and buffers in and out of linear memory, and turns the core's pt_error into exceptions.
// Nothing else in web/src touches linear memory directly.

import createPartitaModule from '../../../dist/partita.mjs';
import { DTYPE_CODES } from './dtype.js';
import { CLIENT_ERROR, EXCEPTION_CLASSES, MilvusException, MilvusMemoryError, ParamError } from './errors.js';

const encoder = new TextEncoder();
// ignoreBOM: a value that starts with U+FEFF keeps it (the default decoder drops it as a byte
// order mark, so a VARCHAR written as '\uFEFFx' read back as 'x')
const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

// Typed arrays are classified and measured by the engine's own getters, never by properties a
// caller can redefine (an own `length` or `buffer`, a Proxy's traps, a changed prototype): these
// run no user code, and what is copied into linear memory is exactly what was measured.
const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype);
const intrinsic = (key) => Object.getOwnPropertyDescriptor(TypedArrayPrototype, key).get;
const TA_KIND = intrinsic(Symbol.toStringTag);
const TA_LENGTH = intrinsic('length');
const TA_BUFFER = intrinsic('buffer');
const TA_OFFSET = intrinsic('byteOffset');
const TA_BYTES = intrinsic('byteLength');

/** A genuine typed array's kind ('Float32Array', 'Uint8Array' for Buffers too, ...); undefined
 * for anything else, Proxies and DataViews included. */
export const typedKind = (v) => TA_KIND.call(v);
/** A genuine typed array's length in elements (0 once its buffer is detached). */
export const typedLength = (v) => TA_LENGTH.call(v);
/** A genuine typed array's bytes, as a Uint8Array view of its buffer (empty once the buffer is
 * detached, or shrunk below the view). */
export function typedBytes(v) {
  const n = TA_BYTES.call(v);
  return n === 0 ? new Uint8Array(0) : new Uint8Array(TA_BUFFER.call(v), TA_OFFSET.call(v), n);
}

let defaultLoader = null;
let initPromise = null;
let current = null;

/** Entry points (node.js, browser.js, workerd.js) say how the .wasm is found by default. */
export function setDefaultWasmLoader(loader) {
  defaultLoader = loader;
}

/** Turns init()'s `wasm` option (Module, bytes, URL, Response) into a WebAssembly.Module. */
async function toModule(wasm) {
  if (wasm instanceof WebAssembly.Module) return wasm;
  if (wasm instanceof ArrayBuffer || ArrayBuffer.isView(wasm)) return WebAssembly.compile(wasm);
  if (typeof Response !== 'undefined' && wasm instanceof Response) {
    if (WebAssembly.compileStreaming && /application\/wasm/.test(wasm.headers.get('content-type') || ''))
      return WebAssembly.compileStreaming(wasm);
    return WebAssembly.compile(await wasm.arrayBuffer());
  }
  if (typeof wasm === 'string' || wasm instanceof URL) {
    if (!defaultLoader) throw new MilvusException(1, 'no loader for a wasm URL in this environment');
    return defaultLoader(wasm);
  }
  throw new MilvusException(1, 'init({ wasm }) takes a WebAssembly.Module, a BufferSource, a Response or a URL');
}

/**
 * Loads the WebAssembly core once; later calls return the same promise. `memory_limit` (bytes;
 * 0 or null: none) caps what the core allocates, and is applied by every call that gives it.
 * @param {{ wasm?: WebAssembly.Module | BufferSource | Response | URL | string,
 *   memory_limit?: number | null }} [options]
 */
export function init(options = {}) {
  if (options.memory_limit !== undefined) checkMemoryLimit(options.memory_limit);
  if (!initPromise) {
    initPromise = load(options).catch((e) => {
      initPromise = null; // a failed load can be retried
      throw e;
    });
  }
  if (options.memory_limit === undefined) return initPromise;
  return initPromise.then((info) => {
    current.M._pt_wasm_set_memory_limit(options.memory_limit ?? 0);
    info.memory_limit = current.M._pt_wasm_memory_limit();
    return info;
  });
}

function checkMemoryLimit(v) {
  if (v !== null && (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0))
    throw new MilvusException(1, `init({ memory_limit }) takes a number of bytes (0 or null: no limit), got ${typeof v === 'number' ? v : typeof v}`);
}

async function load(options) {
  let wasm = options.wasm;
  if (wasm === undefined) {
    if (!defaultLoader) throw new MilvusException(1, 'init() needs { wasm } in this environment');
    wasm = await defaultLoader();
  }
  const module = await toModule(wasm);
  let fail;
  const failed = new Promise((_, reject) => (fail = reject));
  // The glue is always handed a compiled Module: it then never fetches or compiles by itself,
  // which Workers forbid, and never looks at import.meta.url, which is not a URL there.
  const M = await Promise.race([
    failed,
    createPartitaModule({
      locateFile: (name) => name,
      instantiateWasm(imports, receive) {
        WebAssembly.instantiate(module, imports).then((instance) => receive(instance, module), fail);
        return {};
      },
      print: () => {},
      printErr: () => {},
    }),
  ]);
  current = new Core(M);
  return { version: current.constants.version, memory_limit: M._pt_wasm_memory_limit() };
}

/** The loaded core; throws when init() has not completed. */
export function core() {
  if (!current)
    throw new MilvusException(1, 'partita is not initialised: call `await init()` before using the API');
  return current;
}

/** True once init() has completed. */
export function isInitialized() {
  return current !== null;
}

/**
 * Memory of the WebAssembly core: `used`, bytes its allocator holds now (every store, row,
 * index and pending result), and `heap`, the size of linear memory (it grows, never shrinks).
 */
export function memoryUsage() {
  const c = core();
  return { used: c.exports._pt_wasm_memory_used(), heap: c.u8.length };
}

class Core {
  constructor(M) {
    this.M = M;
    this._buffer = null;
    this._dv = null;
    const text = this.cString(M._pt_wasm_constants() >>> 0, 1 << 16);
    this.constants = JSON.parse(text);
    this.layout = this.constants.layout;
    this.excByIndex = [];
    for (const [name, i] of Object.entries(this.constants.exception)) this.excByIndex[i] = name;
    this.statusByIndex = [];
    for (const [name, i] of Object.entries(this.constants.status)) this.statusByIndex[i] = `PT_${name}`;
    // DataType codes exist in JS before init (dtype.js) and in C: they must agree
    for (const [name, code] of Object.entries(this.constants.dtype))
      if (DTYPE_CODES[name] !== code)
        throw new MilvusException(1, `DataType.${name} is ${DTYPE_CODES[name]} in JS but ${code} in the core`);
  }

  /** The current Uint8Array over linear memory (memory may grow during any call). */
  get u8() {
    return this.M.HEAPU8;
  }

  /** A DataView over linear memory, renewed after growth. */
  get dv() {
    const buf = this.M.HEAPU8.buffer;
    if (buf !== this._buffer) {
      this._buffer = buf;
      this._dv = new DataView(buf);
    }
    return this._dv;
  }

  get exports() {
    return this.M;
  }

  alloc(size) {
    // sizes are passed as u32: a larger one must not wrap around to a small allocation
    if (!(size >= 0 && size <= 0xffffffff)) throw this.allocError(size);
    const p = this.M._pt_wasm_alloc(size) >>> 0;
    if (!p) throw this.allocError(size);
    return p;
  }

  /** The error for a failed allocation of `size` bytes: the memory ceiling's, or out of memory. */
  allocError(size) {
    const limit = this.M._pt_wasm_memory_limit(), used = this.M._pt_wasm_memory_used();
    if (limit > 0 && used + size > limit) return this.quotaError(limit, used);
    return new MilvusMemoryError(65535, `out of memory: could not allocate ${size} bytes in the WebAssembly heap`, { status: 'PT_NOMEM' });
  }

  /** The error for a core call that returned nothing because memory ran out, `what` doing. */
  nomemError(what) {
    const limit = this.M._pt_wasm_memory_limit();
    if (limit > 0) return this.quotaError(limit, this.M._pt_wasm_memory_used());
    return new MilvusMemoryError(65535, `out of memory ${what}`, { status: 'PT_NOMEM' });
  }

  quotaError(limit, used) {
    return new MilvusMemoryError(9, `memory quota exceeded, please allocate more resources: quota exceeded[limit=${limit} bytes][used=${used} bytes]`, { status: 'PT_NOMEM' });
  }

  free(ptr) {
    if (ptr) this.M._pt_wasm_free(ptr);
  }

  /** Reads a NUL-terminated UTF-8 string. */
  cString(ptr, max = 1 << 30) {
    const u8 = this.u8;
    let end = ptr;
    while (end < ptr + max && u8[end] !== 0) end++;
    return decoder.decode(u8.subarray(ptr, end));
  }

  utf8(ptr, len) {
    return decoder.decode(this.u8.subarray(ptr, ptr + len));
  }

  /** The core's last error as the matching exception. */
  lastError() {
    const L = this.layout.pt_error;
    const base = this.M._pt_wasm_error() >>> 0;
    const dv = this.dv;
    const status = dv.getInt32(base + L.status, true);
    const code = dv.getInt32(base + L.code, true);
    const exc = dv.getInt32(base + L.exc, true);
    const row = Number(dv.getBigInt64(base + L.row, true));
    const field = dv.getInt32(base + L.field, true);
    const exprOffset = dv.getInt32(base + L.expr_offset, true);
    const exprLength = dv.getInt32(base + L.expr_length, true);
    const message = this.cString(base + L.message, L.size - L.message);
    const Cls = EXCEPTION_CLASSES[this.excByIndex[exc]] ?? MilvusException;
    const statusName = this.statusByIndex[status] ?? `PT_${status}`;
    const details = { status: statusName };
    if (row >= 0) details.row = row;
    if (field >= 0) details.field = field;
    if (exprOffset >= 0) {
      details.expr_offset = exprOffset;
      details.expr_length = exprLength;
    }
    if (statusName === 'PT_NOMEM') return new MilvusMemoryError(code, message, details);
    return new Cls(code, message, details);
  }

  /** Throws the last error unless `status` is PT_OK. */
  check(status) {
    if (status !== 0) throw this.lastError();
  }

  /**
   * Runs fn (synchronous) in the core's relief (pt_memory_relief): for operations that free
   * memory (drops, delete, compact), whose arguments and work may then pass the memory ceiling
   * by a bounded amount, so that a store at its ceiling can always shrink.
   */
  relieved(fn) {
    this.M._pt_wasm_memory_relief(1);
    try {
      return fn();
    } finally {
      this.M._pt_wasm_memory_relief(0);
    }
  }

  /** A scope for temporary allocations, freed together. */
  scope() {
    return new Scope(this);
  }
}

/** Temporary linear-memory allocations of one call; release() frees them all. */
class Scope {
  constructor(c) {
    this.c = c;
    this.ptrs = [];
  }

  alloc(size) {
    const p = this.c.alloc(size);
    this.ptrs.push(p);
    return p;
  }

  /** Copies a string as UTF-8; returns [pointer, byte length]. Only strings: anything else
   * would be converted by its own toString(), at a moment when no user code may run. */
  string(s) {
    if (typeof s !== 'string') throw new ParamError(CLIENT_ERROR, `expected a string, got ${s === null ? 'null' : typeof s}`);
    const bytes = encoder.encode(s);
    const p = this.alloc(bytes.length + 1);
    this.c.u8.set(bytes, p);
    this.c.u8[p + bytes.length] = 0;
    return [p, bytes.length];
  }

  /** Copies the bytes of a typed array into linear memory; returns the pointer. */
  bytes(view) {
    if (typedKind(view) === undefined) throw new ParamError(CLIENT_ERROR, 'expected a typed array');
    const src = typedBytes(view);
    const p = this.alloc(src.length);
    this.c.u8.set(src, p);
    return p;
  }

  release() {
    for (const p of this.ptrs) this.c.free(p);
    this.ptrs.length = 0;
  }
}

/** A random marker (24 hex digits): text no caller's value holds, to tag values inside JSON. */
export const randomMark = () => Array.from(globalThis.crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');

export { encoder, decoder };
