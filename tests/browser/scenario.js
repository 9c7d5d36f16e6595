// The browser test's scenario: the seed example (pymilvus's Partition.upsert() page) and a
// filtered search. It takes the partita module as an argument, so the same code runs in Node,
// in a page, in a Web Worker and from a bundle; it returns plain data the test compares.

/** @param {typeof import('partita')} partita @param {Parameters<typeof partita.init>[0]} [initOptions] */
export async function runScenario(partita, initOptions) {
  const { init, Collection, Partition, FieldSchema, CollectionSchema, DataType, MutationResult } = partita;
  const { version } = await init(initOptions);

  // the seed example, line by line
  const schema = new CollectionSchema([
    new FieldSchema('film_id', DataType.INT64, { is_primary: true }),
    new FieldSchema('films', DataType.FLOAT_VECTOR, { dim: 2 }),
  ]);
  const collection = new Collection('test_partition_insert', schema);
  const partition = new Partition(collection, 'comedy', 'comedy films');
  const data = [
    Array.from({ length: 10 }, (_, i) => i),
    Array.from({ length: 10 }, () => Array.from({ length: 2 }, (_, i) => i)),
  ];
  const res = await partition.upsert(data);

  // upsert semantics: the same keys again leave 10 in 'comedy'; in 'drama' they are new entities
  await partition.upsert(data);
  const drama = new Partition(collection, 'drama');
  await drama.upsert([100, 101, 102, 103, 104].map((id, i) => ({ film_id: id, films: [i, 1] })));

  // a filtered search in one partition, and one over the whole collection
  const [hits] = await collection.search([[3.1, 1]], 'films', { metric_type: 'L2' }, 3, 'film_id >= 100',
    { partition_names: ['drama'], output_fields: ['films'] });
  const [all] = await collection.search([[0, 1]], 'films', { metric_type: 'L2' }, 2, '');

  return {
    version: typeof version === 'string' && version.length > 0,
    isMutationResult: res instanceof MutationResult,
    upsert_count: res.upsert_count,
    insert_count: res.insert_count,
    delete_count: res.delete_count,
    succ_count: res.succ_count,
    err_count: res.err_count,
    primary_keys: res.primary_keys,
    timestamp: typeof res.timestamp,
    text: String(res).replace(/timestamp: \d+/, 'timestamp: T'),
    counts: { comedy: partition.num_entities, drama: drama.num_entities, collection: collection.num_entities },
    hits: hits.map((h) => ({ id: h.id, distance: Math.round(h.distance * 1e4) / 1e4, films: h.entity.films.map((x) => Math.round(x * 1e4) / 1e4) })),
    nearestToOrigin: all.map((h) => [h.id, h.distance]),
  };
}

/** What runScenario returns wherever it runs. */
export const EXPECTED = {
  version: true,
  isMutationResult: true,
  upsert_count: 10,
  insert_count: 10,
  delete_count: 10,
  succ_count: 10,
  err_count: 0,
  primary_keys: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  timestamp: 'bigint',
  text: '(insert count: 10, delete count: 10, upsert count: 10, timestamp: T, success count: 10, err count: 0',
  counts: { comedy: 10, drama: 5, collection: 15 },
  hits: [
    { id: 103, distance: 0.01, films: [3, 1] },
    { id: 104, distance: 0.81, films: [4, 1] },
    { id: 102, distance: 1.21, films: [2, 1] },
  ],
  // every comedy film is at [0, 1]: equal distances come in storage order
  nearestToOrigin: [[0, 0], [1, 0]],
};
