// index.js — the public surface of partita (environment-neutral). The package entry points
// (node.js, browser.js, workerd.js) re-export this after choosing how init() finds the .wasm.

export { init } from './core/loader.js';
export { isInitialized, memoryUsage } from './core/engine.js';
export { connections } from './orm/connections.js';
export { utility } from './orm/utility.js';
export { MilvusClient } from './client/milvus-client.js';
export { Collection } from './orm/collection.js';
export { Partition } from './orm/partition.js';
export { Index } from './orm/vindex.js';
export { CollectionSchema, FieldSchema, Function, FunctionType } from './orm/schema.js';
export { run_analyzer } from './orm/analyzer.js';
export { AnnSearchRequest, RRFRanker, WeightedRanker } from './orm/hybrid.js';
export { DataType } from './core/dtype.js';
export { FieldOp, FieldOpType } from './core/fieldop.js';
export { MutationResult } from './core/results.js';
export { FileOutbox, IndexedDBOutbox } from './remote/outbox.js';
export {
  MilvusException,
  ParamError,
  DataNotMatchException,
  DataTypeNotSupportException,
  PrimaryKeyException,
  AutoIDException,
  PartitionKeyException,
  SchemaNotReadyException,
  CollectionNotExistException,
  FieldsTypeException,
  FieldTypeException,
  ConnectionConfigException,
  ConnectionNotExistException,
  MilvusMemoryError,
} from './core/errors.js';
