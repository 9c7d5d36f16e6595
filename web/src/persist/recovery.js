// persist/recovery.js — what every host of a durable store does the same way (persist/durable.js
// on a directory in Node, persist/browser-store.js in a page): its options, and recovery (a
// checkpoint, then the valid prefix of its log) through the engine, which alone reads records.

import { engine } from '../core/engine.js';
import { CLIENT_ERROR, ParamError } from '../core/errors.js';

const FSYNC = ['batch', 'none'];

/** The options of a durable store, checked key by key; `extra`: the host's own ({ key: check }). */
export function durableOptions(o = {}, extra = {}) {
  if (o === null || typeof o !== 'object') throw new ParamError(CLIENT_ERROR, 'durable store options must be an object');
  for (const k of Object.keys(o))
    if (!['fsync', 'groupCommitMs', 'compactRatio', 'compactMinBytes', 'coldVectors', ...Object.keys(extra)].includes(k))
      throw new ParamError(CLIENT_ERROR, `durable store options: unknown option '${k}'`);
  const { fsync = 'batch', groupCommitMs = 0, compactRatio = 2, compactMinBytes = 64 << 20, coldVectors = false } = o;
  if (typeof coldVectors !== 'boolean') throw new ParamError(CLIENT_ERROR, `durable store option coldVectors must be a boolean, got ${String(coldVectors)}`);
  if (!FSYNC.includes(fsync)) throw new ParamError(CLIENT_ERROR, `durable store option fsync must be 'batch' or 'none', got ${String(fsync)}`);
  if (!(typeof groupCommitMs === 'number' && groupCommitMs >= 0 && groupCommitMs <= 10000))
    throw new ParamError(CLIENT_ERROR, `durable store option groupCommitMs must be a number of milliseconds in [0, 10000], got ${String(groupCommitMs)}`);
  if (fsync === 'none' && groupCommitMs > 0)
    throw new ParamError(CLIENT_ERROR, "durable store option groupCommitMs groups fdatasyncs: it has no use with fsync 'none'");
  if (!(typeof compactRatio === 'number' && compactRatio >= 0.5))
    throw new ParamError(CLIENT_ERROR, `durable store option compactRatio must be a number >= 0.5, got ${String(compactRatio)}`);
  if (!(Number.isInteger(compactMinBytes) && compactMinBytes >= 0))
    throw new ParamError(CLIENT_ERROR, `durable store option compactMinBytes must be a non-negative integer, got ${String(compactMinBytes)}`);
  const out = { fsync, groupCommitMs, compactRatio, compactMinBytes, coldVectors };
  for (const [k, check] of Object.entries(extra)) out[k] = check(o[k]);
  return out;
}

/** Whether a log of `logBytes` after a checkpoint of `cpBytes` is due for a new checkpoint. */
export const compactionDue = (opts, logBytes, cpBytes) => logBytes > opts.compactMinBytes && logBytes > opts.compactRatio * cpBytes;

/** The checkpoint id of a log's HEADER record, or null when `bytes` does not start with one;
 * `bad`: why not, when a record is there but cannot be read. */
export function logHeader(bytes) {
  const head = engine().replayLog(null, bytes.subarray(0, Math.min(bytes.length, engine().constants.log.MARKER_BYTES)), null, false);
  return { id: head.header, end: head.end, bad: head.bad };
}

/** The id of checkpoint bytes `cp` that start with a HEADER and end with the END record of the
 * same id, or null; only those two records are read (applyCheckpoint reads the rest, once). A
 * checkpoint file torn mid-write holds a prefix of one (its writer truncates it first), which
 * does not end with its END. */
export function endedCheckpoint(cp) {
  const { id, end: headEnd } = logHeader(cp);
  if (id === null || cp.length < 8) return null;
  // the last record, found by the length every record ends with (of whatever format it is)
  const last = new DataView(cp.buffer, cp.byteOffset + cp.length - 4, 4).getUint32(0, true);
  if (last > cp.length - headEnd || last % 8) return null;
  const tail = engine().replayLog(null, cp.subarray(cp.length - last), null, false);
  return !tail.bad && tail.end === last && tail.last === id ? id : null;
}

/** Whether `e` is the file system's (a host's file read as it is applied, and failing): the
 * file's error as it is, not a record's. */
const unreadable = (e) => typeof e?.syscall === 'string';

/**
 * Applies checkpoint bytes `cp` (as engine().replayLog takes them) to `store` (HOST records to
 * onHost); returns its id. `damaged(what)` makes the error that names the file. `cold`: `cp` is
 * the checkpoint file a store with coldVectors reads rows back from (engine().replayLog).
 */
export function applyCheckpoint(store, cp, onHost, damaged, cold = false) {
  let r;
  try {
    r = engine().replayLog(store, cp, onHost, true, cold);
  } catch (e) {
    throw unreadable(e) ? e : damaged(`holds a record that cannot be applied: ${e.message}`);
  }
  if (r.bad) throw damaged(`is damaged: ${r.bad.message}`);
  if (r.header === null || r.last !== r.header || r.end !== cp.length)
    throw damaged('is not a whole checkpoint (no matching HEADER and END records)');
  return r.header;
}

/**
 * Applies log bytes that follow checkpoint `id` to `store`: its records up to the first that is
 * not whole (a torn last record is dropped), when its HEADER is `id` (an older log is held by
 * the checkpoint already). Returns the bytes to keep (0: start a new log). A damaged record with
 * bytes after it, or a log of a newer checkpoint, is refused through `damaged(what)`.
 */
export function applyLog(store, log, id, onHost, damaged) {
  if (!log || !log.length) return 0;
  const head = logHeader(log);
  if (head.id === null) throw damaged(`does not start with a log header${head.bad ? `: ${head.bad.message}` : ''}`);
  if (head.id > id) throw damaged(`follows checkpoint ${head.id}, but the checkpoint is ${id}`);
  if (head.id < id) return 0;
  let r;
  try {
    r = engine().replayLog(store, log.subarray(head.end), onHost);
  } catch (e) {
    throw unreadable(e) ? e : damaged(`holds a record that cannot be applied: ${e.message}`);
  }
  const keep = head.end + r.end;
  if (r.bad && !r.bad.torn)
    throw damaged(`is damaged at byte ${keep} with ${log.length - keep} bytes after it: ${r.bad.message}. ` +
      `Records from there on cannot be read; truncate the file to ${keep} bytes to open the store without them`);
  return keep;
}
