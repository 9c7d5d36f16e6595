// Database names (MilvusClient.createDatabase, REST databases/create): Milvus's rule, the one
// collection names follow (the core's, src/schema.c), with Milvus's messages for databases
// (code 802, merr.ErrDatabaseNameInvalid); a refused name leaves no database behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MilvusClient } from 'partita/milvus-client';
import { createHandler } from 'partita/server';

const BAD = [
  ['', "database name couldn't be empty"],
  ['1db', 'the first character of a database name must be an underscore or letter'],
  ['-db', 'the first character of a database name must be an underscore or letter'],
  ['é', 'the first character of a database name must be an underscore or letter'],
  ['db-1', 'database name can only contain numbers, letters and underscores'],
  ['db 1', 'database name can only contain numbers, letters and underscores'],
  ['dbé', 'database name can only contain numbers, letters and underscores'],
  ['d'.repeat(256), 'the length of a database name must be less than 255 characters'],
];

test('MilvusClient.createDatabase: names by Milvus\'s rule, its messages, nothing created', async () => {
  const client = new MilvusClient({ address: ':memory:' });
  for (const [name, why] of BAD) {
    const s = await client.createDatabase({ db_name: name });
    assert.equal(s.code, 802, `${name}: ${s.reason}`);
    assert.equal(s.reason, `${why}: invalid database name[database=${name}]`);
  }
  const before = (await client.listDatabases()).db_names;
  for (const [name] of BAD) assert.ok(!before.includes(name), name);
  for (const name of ['_', 'db_1', 'D'.repeat(255)]) {
    const s = await client.createDatabase({ db_name: name });
    assert.equal(s.error_code, 'Success', `${name}: ${s.reason}`);
    assert.equal((await client.dropDatabase({ db_name: name })).error_code, 'Success');
  }
});

test('REST databases/create: the same rule and messages', async () => {
  const rest = createHandler();
  const call = async (route, body) => (await rest(new Request(`http://127.0.0.1/v2/vectordb/${route}`, { method: 'POST', body: JSON.stringify(body) }))).json();
  for (const [name, why] of BAD.slice(1)) {
    const r = await call('databases/create', { dbName: name });
    assert.equal(r.code, 802, JSON.stringify(r));
    assert.equal(r.message, `${why}: invalid database name[database=${name}]`);
  }
  const list = await call('databases/list', {});
  assert.deepEqual(list.data, ['default']);
  assert.equal((await call('databases/create', { dbName: 'ok_1' })).code, 0);
});
