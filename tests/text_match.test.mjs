// VarChar fields with enable_analyzer / enable_match / analyzer_params, and text_match /
// phrase_match in filters, through the ORM and the REST server: row sets against a reference
// computed here (the standard analyzer is "runs of letters and digits, lowercased"), across
// upserts and deletes; the params described back; Milvus's errors with the store unchanged.
// The grammar and tantivy's phrase rules case by case are in tests/unit/test_text_match.c.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import { init, run_analyzer, Collection, CollectionSchema, FieldSchema, DataType, ParamError } from 'partita';
import { createHandler } from 'partita/server';
import { range, rejects, rejectsUnchanged, uniqueName } from './support/helpers.mjs';

await init();

const WORDS = ['river', 'Fox', 'brown', 'QUICK', 'the', 'dog', 'café', 'naïve', '東京', 'x1'];

/** The standard analyzer's tokens: maximal runs of letters and digits, lowercased. */
const tokens = (text) => (text ?? '').match(/[\p{Alphabetic}\p{N}]+/gu)?.map((w) => w.toLowerCase()) ?? [];

/** text_match: a row holding at least `min` of the query's tokens (each token a clause). */
function refText(text, query, min = 1) {
  const have = new Set(tokens(text));
  const q = tokens(query);
  return q.length > 0 && q.filter((t) => have.has(t)).length >= min;
}

/** phrase_match without slop: the query's tokens at consecutive positions (one token: text_match). */
function refPhrase(text, query) {
  const t = tokens(text);
  const q = tokens(query);
  if (q.length <= 1) return refText(text, query);
  for (let i = 0; i + q.length <= t.length; i++) if (q.every((w, k) => t[i + k] === w)) return true;
  return false;
}

let seed = 7;
const rnd = (n) => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % n;
};
const sentence = () => range(rnd(8), () => WORDS[rnd(WORDS.length)]).join(rnd(2) ? ' ' : ', ');

function films() {
  return new Collection(uniqueName('tm'), new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true }),
    new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }),
    new FieldSchema('text', DataType.VARCHAR, { max_length: 512, nullable: true, enable_analyzer: true, enable_match: true }),
    new FieldSchema('plain', DataType.VARCHAR, { max_length: 64 }),
    new FieldSchema('en', DataType.VARCHAR, { max_length: 128, enable_analyzer: true, enable_match: 'true', analyzer_params: { type: 'english' } }),
  ]));
}

test('ORM: the params as pymilvus keeps them, and back from the core', () => {
  const f = new FieldSchema('t', DataType.VARCHAR, { max_length: 8, enable_analyzer: true, enable_match: true, analyzer_params: { type: 'english', stop_words: ['a'] } });
  assert.deepEqual(f.params, { max_length: 8, enable_match: true, enable_analyzer: true, analyzer_params: '{"type":"english","stop_words":["a"]}' });
  const c = films();
  const again = new Collection(c.name);
  const en = again.schema.fields.find((x) => x.name === 'en');
  assert.deepEqual(en.params, { max_length: 128, enable_match: true, enable_analyzer: true, analyzer_params: '{"type":"english"}' });
  assert.equal(again.schema.fields.find((x) => x.name === 'plain').params.enable_match, undefined);
});

test('ORM: text_match and phrase_match select what the definition does, through upserts and deletes', async () => {
  const c = films();
  const rows = range(300, (i) => ({ id: i, v: [0, 0], text: rnd(9) ? sentence() : null, plain: 'x', en: '' }));
  await c.insert(rows);
  const live = new Map(rows.map((r) => [r.id, r]));
  for (let round = 0; round < 4; round++) {
    const del = range(10, () => rnd(300));
    await c.delete(`id in [${del.join(',')}]`);
    for (const id of del) live.delete(id);
    const up = [...new Set(range(15, () => rnd(300)))].map((id) => ({ id, v: [0, 0], text: sentence(), plain: 'y', en: '' }));
    await c.upsert(up);
    for (const r of up) live.set(r.id, r);
    const all = [...live.values()];
    for (let q = 0; q < 12; q++) {
      const query = range(1 + rnd(3), () => WORDS[rnd(WORDS.length)]).join(' ');
      const min = 1 + rnd(2);
      const cases = [
        [`text_match(text, "${query}")`, (r) => refText(r.text, query)],
        [`text_match(text, "${query}", minimum_should_match=${min})`, (r) => refText(r.text, query, min)],
        [`phrase_match(text, "${query}")`, (r) => refPhrase(r.text, query)],
        // NULL text is UNKNOWN: never kept, by the predicate or by its negation
        [`not text_match(text, "${query}")`, (r) => r.text !== null && !refText(r.text, query)],
      ];
      for (const [expr, ref] of cases) {
        const got = (await c.query(expr, { output_fields: ['id'], limit: 16384 })).map((r) => Number(r.id)).sort((a, b) => a - b);
        const want = all.filter((r) => r.text !== undefined && ref(r)).map((r) => r.id).sort((a, b) => a - b);
        assert.deepEqual(got, want, expr);
      }
    }
  }
});

test('ORM: the english analyzer stems and drops stop words; slop lets terms move', async () => {
  const c = films();
  await c.insert([
    { id: 1, v: [0, 0], text: 'The quick brown fox', plain: '', en: 'running quickly to the stores' },
    { id: 2, v: [0, 0], text: 'fox brown quick', plain: '', en: 'The store runs' },
  ]);
  const q = async (expr) => (await c.query(expr, { output_fields: ['id'] })).map((r) => Number(r.id));
  assert.deepEqual(await q('text_match(en, "store")'), [1, 2]);
  assert.deepEqual(await q('text_match(en, "the")'), []);
  assert.deepEqual(await q('phrase_match(en, "quickly to the store")'), [1]);
  assert.deepEqual(await q('phrase_match(text, "quick brown")'), [1]);
  assert.deepEqual(await q('phrase_match(text, "quick brown", 2)'), [1, 2]);
  // in a search's filter too
  const hits = await c.search([[0, 0]], 'v', { metric_type: 'L2', params: {} }, 10, 'text_match(text, "fox") and phrase_match(en, "store runs")');
  assert.deepEqual(hits[0].map((h) => Number(h.id)), [2]);
});

test('ORM: Milvus\'s errors, and the store unchanged', async () => {
  const c = films();
  await c.insert([{ id: 1, v: [0, 0], text: 'a', plain: 'a', en: 'a' }]);
  await rejectsUnchanged(c, () => c.delete('text_match(plain, "a")'), { code: 1100, message: 'field "plain" does not enable match' });
  await rejects(() => c.query('text_match(id, "a")'), { code: 1100, message: 'text match operation on non-string is unsupported' });
  await rejects(() => c.query('phrase_match(text, "a", -1)'), { code: 1100, message: '"slop" should not be a negative interger' });
  await rejects(() => c.query('text_match(text, "a", minimum_should_match=0)'), { code: 1100, message: 'minimum_should_match should be >= 1, got 0' });
  const schema = (opts) => new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true }),
    new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }),
    new FieldSchema('t', DataType.VARCHAR, { max_length: 8, ...opts }),
  ]);
  await rejects(() => new Collection(uniqueName('bad'), schema({ enable_match: true })),
    { message: 'field t which has enable_match or is input of BM25 function must also enable_analyzer' });
  await rejects(() => new Collection(uniqueName('bad'), schema({ enable_analyzer: true, analyzer_params: { tokenizer: 'jieba' } })), { message: /jieba/ });
  await rejects(() => new Collection(uniqueName('bad'), schema({ enable_match: 'yes' })), { message: 'strconv.ParseBool: parsing "yes": invalid syntax' });
});

test('run_analyzer: tokens, offsets, positions and hashes as MilvusClient.run_analyzer gives them', () => {
  for (let i = 0; i < 50; i++) {
    const text = range(1 + rnd(6), () => sentence()).join('; ');
    assert.deepEqual(run_analyzer(text), { tokens: tokens(text) }, text);
  }
  const text = 'Naïve café-crème, 東京 x1';
  const detail = run_analyzer([text], { with_detail: true, with_hash: true })[0].tokens;
  const bytes = Buffer.from(text);
  let from = 0;
  detail.forEach((t, i) => {
    assert.equal(t.position, i);
    assert.equal(t.position_length, 1);
    assert.equal(bytes.subarray(t.start_offset, t.end_offset).toString().toLowerCase(), t.token);
    assert.ok(t.start_offset >= from);
    from = t.end_offset;
    // the BM25 function's term index: CRC-32 of the token's first 100 bytes, modulo 2^32 - 1
    assert.equal(t.hash, crc32(Buffer.from(t.token).subarray(0, 100)) % 0xffffffff);
  });
  assert.deepEqual(detail.map((t) => t.token), tokens(text));
  assert.deepEqual(run_analyzer('The stores running', { analyzer_params: { type: 'english' } }).tokens, ['store', 'run']);
  assert.deepEqual(run_analyzer('a b', { analyzer_params: '{"tokenizer":"whitespace"}', with_hash: true }).tokens.map((t) => Object.keys(t)), [['token', 'hash'], ['token', 'hash']]);
  assert.throws(() => run_analyzer('x', { analyzer_params: { type: 'chinese' } }), /chinese/);
  assert.throws(() => run_analyzer('x', { collection_name: 'c', field_name: 't' }), ParamError);
  assert.throws(() => run_analyzer(5), ParamError);
});

// ---- REST --------------------------------------------------------------------------------------

const handler = createHandler();
async function rest(path, body) {
  const res = await handler(new Request(`http://127.0.0.1/v2/vectordb/${path}`, { method: 'POST', body: JSON.stringify(body) }));
  return res.json();
}

test('REST: elementTypeParams carry the analyzer; described back; text_match in a query filter', async () => {
  const name = uniqueName('tmrest');
  const created = await rest('collections/create', {
    collectionName: name,
    schema: {
      fields: [
        { fieldName: 'id', dataType: 'Int64', isPrimary: true },
        { fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: 2 } },
        { fieldName: 'text', dataType: 'VarChar', elementTypeParams: { max_length: 200, enable_analyzer: true, enable_match: 'true', analyzer_params: { type: 'standard', stop_words: ['the'] } } },
      ],
    },
    indexParams: [{ fieldName: 'v', metricType: 'L2' }],
  });
  assert.equal(created.code, 0, JSON.stringify(created));
  const d = (await rest('collections/describe', { collectionName: name })).data;
  const text = d.fields.find((f) => f.name === 'text');
  // Go marshals the params object with its members sorted
  assert.deepEqual(text.params, [
    { key: 'max_length', value: '200' },
    { key: 'enable_analyzer', value: 'true' },
    { key: 'enable_match', value: 'true' },
    { key: 'analyzer_params', value: '{"stop_words":["the"],"type":"standard"}' },
  ]);
  const data = range(50, (i) => ({ id: i, v: [0, 0], text: sentence() }));
  assert.equal((await rest('entities/insert', { collectionName: name, data })).code, 0);
  for (const query of ['fox dog', 'the', 'QUICK brown', '東京']) {
    const r = await rest('entities/query', { collectionName: name, filter: `text_match(text, "${query}")`, outputFields: ['id'], limit: 100 });
    const stop = (t) => t !== 'the';
    const want = data.filter((row) => {
      const have = new Set(tokens(row.text).filter(stop));
      return tokens(query).filter(stop).some((t) => have.has(t));
    }).map((row) => row.id);
    assert.deepEqual(r.data.map((x) => Number(x.id)).sort((a, b) => a - b), want, query);
  }
  const bad = await rest('entities/query', { collectionName: name, filter: 'phrase_match(id, "x")' });
  assert.equal(bad.code, 1100);
  assert.match(bad.message, /phrase match operation on non-string is unsupported/);
  const refused = await rest('collections/create', {
    collectionName: uniqueName('tmrest'),
    schema: { fields: [
      { fieldName: 'id', dataType: 'Int64', isPrimary: true },
      { fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: 2 } },
      { fieldName: 't', dataType: 'VarChar', elementTypeParams: { max_length: 8, enable_match: true } },
    ] },
  });
  assert.notEqual(refused.code, 0);
  assert.match(refused.message, /field t which has enable_match or is input of BM25 function must also enable_analyzer/);
});
