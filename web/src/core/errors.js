// errors.js — MilvusException and the pymilvus exception classes partita raises.
//
// Every failure is a MilvusException (instanceof Error) with a numeric `code` and the message
// Milvus or pymilvus gives for the same mistake. Client-side checks use pymilvus's subclasses
// (code 1, as pymilvus's ErrorCode.UNEXPECTED_ERROR); server-side checks are plain
// MilvusExceptions with Milvus's code (1100 invalid parameter, 65535 unexpected, ...).

/**
 * Milvus's error codes that the core defines (partita.h, PT_CODE_*). They are here because
 * errors are raised before init() too (a bad init() option, a request refused before the core
 * is loaded), and checked against the core's table when init() runs (engine.js checkMirrors).
 */
export const Code = Object.freeze({
  CLIENT: 1, // pymilvus's client-side checks (ErrorCode.UNEXPECTED_ERROR)
  QUOTA_EXCEEDED: 9, // merr.ErrServiceQuotaExceeded: the memory ceiling
  COLLECTION_NOT_FOUND: 100,
  PARTITION_NOT_FOUND: 200,
  PARAMETER_INVALID: 1100,
  PARAMETER_MISSING: 1101,
  TOO_LARGE: 1102,
  IO_FAILED: 1001, // merr.ErrIoFailed: rows read back from a checkpoint (cold rows)
  UNEXPECTED: 65535,
});

/** pymilvus's code for client-side errors (ErrorCode.UNEXPECTED_ERROR). */
export const CLIENT_ERROR = Code.CLIENT;

export class MilvusException extends Error {
  /**
   * @param {number} code Milvus / pymilvus error code
   * @param {string} message the Milvus-style message
   * @param {{ row?: number, field?: string, status?: string, expr_offset?: number, expr_length?: number,
   *   cause?: unknown }} [details]
   */
  constructor(code = Code.CLIENT, message = '', details = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    /** Row of the batch the error is about, when there is one. */
    if (details.row !== undefined) this.row = details.row;
    /** Field the error is about, when there is one. */
    if (details.field !== undefined) this.field = details.field;
    /** The core's status name (PT_SCHEMA, PT_NOMEM, ...), when the error comes from it. */
    if (details.status !== undefined) this.status = details.status;
    /** Filter expressions: where the offending text starts (a UTF-8 byte offset) and its length. */
    if (details.expr_offset !== undefined) {
      this.expr_offset = details.expr_offset;
      this.expr_length = details.expr_length;
    }
  }

  /** pymilvus's str(): `<MilvusException: (code=1100, message=...)>` */
  toString() {
    return `<${this.name}: (code=${this.code}, message=${this.message})>`;
  }
}

/** What partita does not do, asked of a server face (MilvusClient, REST): Milvus's invalid
 * parameter (code 1100), naming it. */
export function notSupported(what) {
  return new MilvusException(Code.PARAMETER_INVALID, `${what} is not supported by partita: invalid parameter`);
}

export class ParamError extends MilvusException {}
export class DataNotMatchException extends MilvusException {}
export class DataTypeNotSupportException extends MilvusException {}
export class PrimaryKeyException extends MilvusException {}
export class AutoIDException extends MilvusException {}
export class PartitionKeyException extends MilvusException {}
export class SchemaNotReadyException extends MilvusException {}
export class CollectionNotExistException extends MilvusException {}
export class FieldsTypeException extends MilvusException {}
export class FieldTypeException extends MilvusException {}
export class ConnectionConfigException extends MilvusException {}
export class ConnectionNotExistException extends MilvusException {}
/** An allocation inside the WebAssembly core failed; nothing was changed. */
export class MilvusMemoryError extends MilvusException {}

/** Classes by the names the core reports (pt_exception), see engine.js. */
export const EXCEPTION_CLASSES = {
  MilvusException,
  ParamError,
  DataNotMatchException,
  DataTypeNotSupportException,
  PrimaryKeyException,
  AutoIDException,
  PartitionKeyException,
  SchemaNotReadyException,
  CollectionNotExistException,
};

