// core/aliases.js — collection aliases as Milvus keeps them, one table per database of a store:
// the rules and messages of every face that offers aliases (MilvusClient's createAlias and
// friends, REST's aliases/*). A table maps alias -> collection name; Milvus resolves an alias
// wherever a request names a collection, and the faces do too (through `target`).

import { Code, MilvusException } from './errors.js';

export class AliasTable extends Map {
  /**
   * CreateAlias (`alter` false) or AlterAlias: `alias` names collection `name` (resolved by the
   * caller) of database `db`; `isCollection(n)` says whether a collection is called n.
   */
  point(alias, name, alter, db, isCollection) {
    this.checkPoint(alias, name, alter, db, isCollection);
    this.set(alias, name);
  }

  /** What `point` checks, without the change (a caller that records it first, then sets it). */
  checkPoint(alias, name, alter, db, isCollection) {
    if (isCollection(alias)) throw new MilvusException(Code.PARAMETER_INVALID, `alias and collection name conflict[database=${db}][alias=${alias}]`);
    const now = this.get(alias);
    if (!alter && now !== undefined && now !== name)
      throw new MilvusException(Code.UNEXPECTED, `alias exists and already aliased to another collection, alias: ${alias}, collection: ${name}, other collection: ${now}`);
    if (alter && now === undefined) throw new MilvusException(Code.UNEXPECTED, `failed to alter alias, alias does not exist: ${alias}`);
  }

  /** DescribeAlias: the collection `alias` names, or Milvus's alias-not-found (1600). */
  describe(alias, db) {
    const target = this.get(alias);
    if (target === undefined) throw new MilvusException(1600, `alias not found[database=${db}][alias=${alias}]`);
    return target;
  }

  /** The aliases of collection `name`. */
  of(name) {
    return [...this].filter(([, c]) => c === name).map(([a]) => a);
  }

  /** Milvus refuses a new collection called as an alias. */
  refuseCreate(name) {
    if (this.has(name))
      throw new MilvusException(Code.PARAMETER_INVALID, `collection name [${name}] conflicts with an existing alias, please choose a unique name: invalid parameter`);
  }

  /** Milvus refuses dropping a collection through an alias, or one that still has aliases
   * (`name`: the collection the request names; `real`: its name when it exists). */
  refuseDrop(name, real) {
    if (this.has(name)) throw new MilvusException(Code.PARAMETER_INVALID, `cannot drop the collection via alias = ${name}: invalid parameter`);
    const held = real === undefined ? [] : this.of(real);
    if (held.length)
      throw new MilvusException(Code.UNEXPECTED, `unable to drop the collection [${real}] because it has associated aliases [${held.join(', ')}], please remove all aliases before dropping the collection`);
  }
}
