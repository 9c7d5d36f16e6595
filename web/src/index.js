// index.js — the public surface of partita (environment-neutral). The package entry points
// (node.js, browser.js, workerd.js) re-export this after choosing how init() finds the .wasm.

export { init, isInitialized, memoryUsage } from './binding.js';
export { connections } from './connections.js';
export { Collection } from './collection.js';
export { Partition } from './partition.js';
export { CollectionSchema, FieldSchema } from './schema.js';
export { DataType } from './dtype.js';
export { MutationResult } from './results.js';
export { FileOutbox, IndexedDBOutbox } from './outbox.js';
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
} from './errors.js';
