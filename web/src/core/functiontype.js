// functiontype.js — Milvus's FunctionType codes (schema.proto), one table for every face: the
// Node SDK's FunctionType (client/constants.js) and pymilvus's (orm/schema.js, the same names in
// capitals). They exist before init() (callers build schemas with them), so the codes are here;
// the engine checks every one against the core's (schema.h's PT_FUNCTION_*, reported as
// `function`) when init() runs (engine.js checkMirrors), both ways. The core runs BM25 and
// refuses every other type.

/** [SDK name, code], in code order. */
export const FUNCTION_TYPES = Object.freeze([['Unknown', 0], ['BM25', 1], ['TEXTEMBEDDING', 2], ['RERANK', 3], ['MINHASH', 4], ['MOLFINGERPRINT', 5]]);

/** The codes by SDK name. */
export const FUNCTION_CODES = Object.freeze(Object.fromEntries(FUNCTION_TYPES));
