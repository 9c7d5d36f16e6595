// typed.js — typed arrays measured by the engine's own getters.
//
// Typed arrays are classified and measured by the intrinsic getters of %TypedArray%.prototype,
// never by properties a caller can redefine (an own `length` or `buffer`, a Proxy's traps, a
// changed prototype): these run no user code, and what is copied into linear memory is exactly
// what was measured.

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

const AB_BYTES = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength').get;
/** Whether v is a genuine ArrayBuffer (its own getter throws for anything else). */
export function isArrayBuffer(v) {
  try {
    AB_BYTES.call(v);
    return true;
  } catch {
    return false;
  }
}

/** A random marker (24 hex digits): text no caller's value holds, to tag values inside JSON. */
export const randomMark = () => Array.from(globalThis.crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');
