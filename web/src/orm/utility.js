// utility.js — pymilvus's `utility` module for the embedded store.
//
// pymilvus's keyword arguments are an options object, as everywhere in the ORM:
// `utility.has_collection('films', { using: 'default', timeout: 5 })`. Every function works on
// the store of connection `using` (default 'default'), synchronously where pymilvus returns a
// value at once, and returns a Promise where the pymilvus call waits (wait_for_*, flush_all).
//
// What needs a server (users and roles, resource groups, bulk insert, load balancing, segment
// and replica information, aliases) is refused by name with a ParamError: nothing is accepted
// without effect.

import { engine } from '../core/engine.js';
import { CLIENT_ERROR, Code, MilvusException, ParamError } from '../core/errors.js';
import { connections } from './connections.js';
import { registryOf } from '../core/registry.js';
import { Collection, checkName } from './collection.js';
import { indexRequest } from './vindex.js';

/** The options object of a call: an object, or none. */
function opts(options, fn) {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options))
    throw new ParamError(CLIENT_ERROR, `utility.${fn} options must be an object, got ${Array.isArray(options) ? 'an array' : typeof options}`);
  const t = options.timeout;
  if (t !== undefined && t !== null && (typeof t !== 'number' || !(t >= 0)))
    throw new ParamError(CLIENT_ERROR, `timeout must be a non-negative number of seconds or null, got ${t}`);
  return options;
}

const storeOf = (o) => connections._store(o.using ?? 'default');

/** Resolves a collection and, when given, checks that every partition named exists. */
function resolveScope(collectionName, partitionNames, o) {
  const store = storeOf(o);
  engine().resolve(store, checkName(collectionName, 'collection'));
  for (const p of partitionNames ?? [])
    if (!engine().hasPartition(store, collectionName, checkName(p, 'partition')))
      throw new MilvusException(Code.PARTITION_NOT_FOUND, `partition not found[partition=${p}]`);
}

// ---- hybrid timestamps (MutationResult.timestamp) --------------------------------------------

const logicalBits = () => BigInt(engine().constants.limits.TS_LOGICAL_BITS);

function checkMs(milliseconds, delta) {
  if (typeof milliseconds !== 'number' || !Number.isFinite(milliseconds))
    throw new MilvusException(CLIENT_ERROR, 'parameter milliseconds should be type of int or float');
  if (delta !== undefined && delta !== null && (typeof delta !== 'number' || !Number.isFinite(delta)))
    throw new MilvusException(CLIENT_ERROR, 'parameter delta should be a number of milliseconds');
  return milliseconds + (delta ?? 0);
}

function toHybrid(ts) {
  if (typeof ts === 'bigint' && ts >= 0n) return ts;
  if (Number.isSafeInteger(ts) && ts >= 0) return BigInt(ts);
  throw new MilvusException(CLIENT_ERROR, 'parameter hybridts should be type of int');
}

// ---- what needs a server ---------------------------------------------------------------------

const SERVER_ONLY = {
  load_balance: 'load balancing moves segments between query nodes of a server',
  get_query_segment_info: 'segments of query nodes are a server\'s',
  get_server_type: 'there is no server',
  create_alias: 'aliases are not kept by the ORM store (MilvusClient has createAlias)',
  drop_alias: 'aliases are not kept by the ORM store (MilvusClient has dropAlias)',
  alter_alias: 'aliases are not kept by the ORM store (MilvusClient has alterAlias)',
  list_aliases: 'aliases are not kept by the ORM store (MilvusClient has listAliases)',
  do_bulk_insert: 'bulk insert reads files of a server\'s object storage',
  get_bulk_insert_state: 'bulk insert reads files of a server\'s object storage',
  list_bulk_insert_tasks: 'bulk insert reads files of a server\'s object storage',
  create_user: 'users and roles are a server\'s (the embedded store has no authentication)',
  delete_user: 'users and roles are a server\'s (the embedded store has no authentication)',
  reset_password: 'users and roles are a server\'s (the embedded store has no authentication)',
  update_password: 'users and roles are a server\'s (the embedded store has no authentication)',
  list_usernames: 'users and roles are a server\'s (the embedded store has no authentication)',
  list_roles: 'users and roles are a server\'s (the embedded store has no authentication)',
  list_user: 'users and roles are a server\'s (the embedded store has no authentication)',
  list_users: 'users and roles are a server\'s (the embedded store has no authentication)',
  create_resource_group: 'resource groups are query nodes of a server',
  drop_resource_group: 'resource groups are query nodes of a server',
  update_resource_groups: 'resource groups are query nodes of a server',
  describe_resource_group: 'resource groups are query nodes of a server',
  list_resource_groups: 'resource groups are query nodes of a server',
  transfer_node: 'resource groups are query nodes of a server',
  transfer_replica: 'resource groups are query nodes of a server',
};

const refused = (name) => () => {
  throw new ParamError(CLIENT_ERROR, `utility.${name} is not supported by partita's embedded store: ${SERVER_ONLY[name]}`);
};

export const utility = Object.freeze({
  /** Whether collection `collection_name` exists in the store of `using`. */
  has_collection(collection_name, options) {
    const o = opts(options, 'has_collection');
    return engine().hasCollection(storeOf(o), checkName(collection_name, 'collection'));
  },

  /** Whether the collection has partition `partition_name` (Milvus's error when there is no
   * such collection). */
  has_partition(collection_name, partition_name, options) {
    const o = opts(options, 'has_partition');
    return engine().hasPartition(storeOf(o), checkName(collection_name, 'collection'), checkName(partition_name, 'partition'));
  },

  /** An index's build progress, as pymilvus's: { total_rows, indexed_rows, pending_index_rows }
   * (create_index builds before it returns; rows written since join at the next search). */
  index_building_progress(collection_name, index_name = '', options) {
    const o = opts(options, 'index_building_progress');
    const [d] = engine().describeIndex(storeOf(o), checkName(collection_name, 'collection'), indexRequest(undefined, index_name || undefined));
    return { total_rows: d.total_rows, indexed_rows: d.indexed_rows, pending_index_rows: d.pending_index_rows };
  },

  /** Resolves true: create_index has built the index before returning (Milvus's error when
   * there is no such index). */
  async wait_for_index_building_complete(collection_name, index_name = '', options) {
    const o = opts(options, 'wait_for_index_building_complete');
    engine().describeIndex(storeOf(o), checkName(collection_name, 'collection'), indexRequest(undefined, index_name || undefined));
    return true;
  },

  /** The names of the collections of the store, in creation order. */
  list_collections(options) {
    const o = opts(options, 'list_collections');
    return engine().listCollections(storeOf(o));
  },

  /** Drops a collection and its data (and forwards the drop on a forwarding connection). A
   * collection that does not exist is no error, as in Milvus; an alias, or a collection that
   * has aliases, gets Milvus's error. */
  drop_collection(collection_name, options) {
    const o = opts(options, 'drop_collection');
    const using = o.using ?? 'default';
    const store = connections._store(using);
    if (!engine().hasCollection(store, checkName(collection_name, 'collection'))) return registryOf(store).drop(collection_name);
    new Collection(collection_name, { using }).drop({ timeout: o.timeout });
  },

  /**
   * Renames a collection: its data, partitions and clocks move to the new name (a failure leaves
   * it as it was). Milvus's errors when there is no such collection or the new name is taken;
   * `new_db_name` is refused (the ORM store has one database), and so are an alias as the old
   * name (Milvus's refusal) and a rename on a forwarding connection (the remote collection would
   * keep its name).
   */
  rename_collection(old_collection_name, new_collection_name, options) {
    const o = opts(options, 'rename_collection');
    if (o.new_db_name !== undefined && o.new_db_name !== null && o.new_db_name !== '')
      throw new ParamError(CLIENT_ERROR, 'new_db_name of utility.rename_collection is not supported: the ORM store has one database');
    connections._renameCollection(o.using ?? 'default', checkName(old_collection_name, 'collection'), checkName(new_collection_name, 'collection'));
  },

  /** Collections are loaded as long as they exist: { loading_progress: '100%' } (Milvus's error
   * for a collection or partition that does not exist). */
  loading_progress(collection_name, partition_names, options) {
    resolveScope(collection_name, partition_names, opts(options, 'loading_progress'));
    return { loading_progress: '100%' };
  },

  /** 'Loaded' for every existing collection and partition (pymilvus's LoadState.Loaded). */
  load_state(collection_name, partition_names, options) {
    resolveScope(collection_name, partition_names, opts(options, 'load_state'));
    return 'Loaded';
  },

  /** Resolves at once for an existing collection (loading is never pending). */
  async wait_for_loading_complete(collection_name, partition_names, options) {
    resolveScope(collection_name, partition_names, opts(options, 'wait_for_loading_complete'));
  },

  /** Resolves when every mutation of the connection is durable where it goes: on a forwarding
   * connection, acknowledged by the remote; in a durable store, on disk (its group commit, a
   * page's Worker); in an in-memory store at once. */
  async flush_all(options) {
    const o = opts(options, 'flush_all');
    const fw = connections._forwarder(o.using ?? 'default');
    if (fw) await fw.flush(o.timeout === undefined || o.timeout === null ? undefined : o.timeout * 1000);
    await connections._synced(o.using ?? 'default');
  },

  /** partita's version (there is no server: the embedded engine's). */
  get_server_version(options) {
    opts(options, 'get_server_version');
    return engine().constants.version;
  },

  /** A hybrid timestamp `milliseconds` (+ `delta` ms) later than `hybridts` (a BigInt). */
  mkts_from_hybridts(hybridts, options) {
    const o = opts(options, 'mkts_from_hybridts');
    const ms = checkMs(o.milliseconds ?? 0, o.delta);
    const ts = toHybrid(hybridts), bits = logicalBits();
    const logical = ts & ((1n << bits) - 1n);
    return ((BigInt(Math.trunc(Number(ts >> bits) + ms))) << bits) + logical;
  },

  /** The hybrid timestamp of Unix time `epoch` (seconds) + `milliseconds` (+ `delta` ms). */
  mkts_from_unixtime(epoch, options) {
    const o = opts(options, 'mkts_from_unixtime');
    if (typeof epoch !== 'number' || !Number.isFinite(epoch))
      throw new MilvusException(CLIENT_ERROR, 'parameter epoch should be type of int or float');
    const ms = checkMs(o.milliseconds ?? 0, o.delta);
    return BigInt(Math.floor(epoch * 1000 + ms)) << logicalBits();
  },

  /** The hybrid timestamp of a Date + `milliseconds` (+ `delta` ms). */
  mkts_from_datetime(d_time, options) {
    if (!(d_time instanceof Date) || Number.isNaN(d_time.getTime()))
      throw new MilvusException(CLIENT_ERROR, 'parameter d_time should be type of Date');
    return utility.mkts_from_unixtime(d_time.getTime() / 1000, options);
  },

  /** The Unix time (seconds) of a hybrid timestamp's physical part. */
  hybridts_to_unixtime(hybridts) {
    return Number(toHybrid(hybridts) >> logicalBits()) / 1000;
  },

  /** The Date of a hybrid timestamp's physical part. */
  hybridts_to_datetime(hybridts) {
    return new Date(Number(toHybrid(hybridts) >> logicalBits()));
  },

  ...Object.fromEntries(Object.keys(SERVER_ONLY).map((name) => [name, refused(name)])),
});
