// client/index.js — the MilvusClient face: what `partita/milvus-client` exports, with the
// names @zilliz/milvus2-sdk-node exports them under (so that a bundler alias from the SDK to
// partita/milvus-client leaves the importing code unchanged).

export { MilvusClient } from './milvus-client.js';
export {
  DataType, DataTypeMap, ConsistencyLevelEnum, FunctionType, MetricType, IndexType, LoadState, ShowCollectionsType, ErrorCode, ERROR_REASONS,
  DEFAULT_TOPK, DEFAULT_METRIC_TYPE, DEFAULT_PRIMARY_KEY_FIELD, DEFAULT_VECTOR_FIELD, DEFAULT_DYNAMIC_FIELD,
} from './constants.js';
// the core's FieldOpType: the SDK's FieldPartialUpdateOpType has the same names and codes
export { FieldOpType as FieldPartialUpdateOpType } from '../core/fieldop.js';

/** The SDK's rerankers, as it builds them: { strategy, params }. */
export const RRFRanker = (k = 60) => ({ strategy: 'rrf', params: { k } });
export const WeightedRanker = (weights) => ({ strategy: 'weighted', params: { weights } });
