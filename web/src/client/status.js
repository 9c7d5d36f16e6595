// client/status.js — replies in the shapes of @zilliz/milvus2-sdk-node: the ResStatus every
// reply carries (or is), built from partita's MilvusExceptions as Milvus builds a commonpb.Status
// from its errors (merr.Status: `code` is the Milvus error code, `error_code` the legacy name
// that older clients test, `reason` the message).

import { Code, MilvusException } from '../core/errors.js';
import { ErrorCode } from './constants.js';

// The legacy error_code of a Milvus error code (merr's oldCode): the few it names, else
// UnexpectedError.
const LEGACY = new Map([
  [Code.COLLECTION_NOT_FOUND, ErrorCode.CollectionNotExists],
  [Code.PARAMETER_INVALID, ErrorCode.IllegalArgument],
  [Code.PARAMETER_MISSING, ErrorCode.IllegalArgument],
  [Code.TOO_LARGE, ErrorCode.IllegalArgument],
  [Code.PARTITION_NOT_FOUND, 'MetaFailed'],
  [700, ErrorCode.IndexNotExist], // ErrIndexNotFound (not a code of the core)
  [Code.QUOTA_EXCEEDED, 'ForceDeny'], // the memory ceiling
]);

/** A ResStatus: success with no arguments, else Milvus's code and message. */
export function resStatus(code = 0, reason = '') {
  return {
    extra_info: {},
    error_code: code === 0 ? ErrorCode.SUCCESS : LEGACY.get(code) ?? ErrorCode.UnexpectedError,
    reason,
    code,
    retriable: false,
    detail: reason,
  };
}

/** The ResStatus of a MilvusException; anything else (a bug, a TypeError) is thrown on. The
 * core's client-side checks (pymilvus's, code 1) are the server's parameter checks for a gRPC
 * client: invalid parameter (1100). */
export function statusOf(e) {
  if (e instanceof MilvusException) return resStatus(e.code === Code.CLIENT ? Code.PARAMETER_INVALID : e.code, e.message);
  throw e;
}

/** A MilvusException that partita's client raises for something it does not do (code 1100). */
export { notSupported as unsupported } from '../core/errors.js';
