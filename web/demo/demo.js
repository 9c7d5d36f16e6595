// demo.js — the offline demo: a collection of films with one partition per genre, in this
// page's own partita (WebAssembly) instance. Everything the page shows comes from partita's
// pymilvus-shaped API; each action also writes the call it made into the log.
import {
  init, Collection, Partition, CollectionSchema, FieldSchema, DataType, MilvusException,
  Function, FunctionType, AnnSearchRequest, RRFRanker,
} from 'partita';
import { DIM, GENRES, makeFilms, pca } from './films.js';

const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
const COLORS = { comedy: '#e8a33d', drama: '#4c78a8', horror: '#c2455f', scifi: '#2f9e7e', _default: '#8a8f98' };
const MORE_COLORS = ['#8e5ccf', '#d6672b', '#5b8c2a', '#c04fa0', '#3c9ec4', '#7a6a55'];
const OUTPUT_FIELDS = ['title', 'genre', 'year', 'rating', 'embedding'];
const FILTERS = ['', 'year >= 2000', 'rating > 7.5', 'genre == "horror"', 'title like "The Dark%"', 'film_id in [1, 2, 3, 4, 5]'];

const FILMS = makeFilms();
const projection = pca(FILMS.map((f) => f.embedding));

const state = {
  collection: null,
  points: [], // { film_id, title, genre, year, rating, embedding, partition, xy }
  counts: new Map(), // partition -> entities, as last shown
  searched: new Set(), // partitions searched; a new partition joins
  known: new Set(), // partitions seen, so that new ones are searched by default
  target: 'comedy', // where upsert and delete write
  mode: 'search',
  query: null, // { xy, vector }
  placed: null, // [x, y] where an upserted film goes
  selected: null, // { partition, film_id }
  hits: [], // { rank, hit, point }
  inScope: null, // Set of point keys the search can return (partition and filter), or null
  zoom: null, // the magnified square drawn around crowded hits (zoomRegion()), or null
  wrote: null, // the partition the last upsert or delete wrote, until the counts are shown
};

/** The collection's schema (schemas are checked by the core: made after init()). */
let schema;
const makeSchema = () => new CollectionSchema([
  new FieldSchema('film_id', DataType.INT64, { is_primary: true }),
  new FieldSchema('title', DataType.VARCHAR, { max_length: 200, enable_analyzer: true }),
  new FieldSchema('genre', DataType.VARCHAR, { max_length: 32 }),
  new FieldSchema('year', DataType.INT64),
  new FieldSchema('rating', DataType.FLOAT),
  new FieldSchema('embedding', DataType.FLOAT_VECTOR, { dim: DIM }),
  new FieldSchema('title_bm25', DataType.SPARSE_FLOAT_VECTOR),
], 'made-up films with 8-d embeddings', { functions: [new Function('title_bm25', FunctionType.BM25, ['title'], ['title_bm25'])] });

const keyOf = (partition, id) => `${partition}/${id}`;
const colorOf = (name) => {
  if (COLORS[name]) return COLORS[name];
  const extra = [...state.known].filter((n) => !(n in COLORS));
  return MORE_COLORS[Math.max(0, extra.indexOf(name)) % MORE_COLORS.length];
};
const fmt = (x, digits = 4) => (Number.isInteger(x) ? String(x) : x.toFixed(digits));
const vectorText = (v) => `[${v.slice(0, 3).map((x) => fmt(x, 2)).join(', ')}, …]`;
const quote = (s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

// ---------------------------------------------------------------------------------------------
// Log and errors
// ---------------------------------------------------------------------------------------------

function log(code, result, bad = false) {
  const li = document.createElement('li');
  const c = document.createElement('code');
  c.textContent = code;
  const r = document.createElement('div');
  r.className = bad ? 'result bad' : 'result';
  r.textContent = result;
  li.append(c, r);
  $('log').prepend(li);
}

/** Runs an action; a MilvusException (or any error) goes to the log instead of the console. */
function guard(code, fn) {
  return async (...args) => {
    try {
      await fn(...args);
    } catch (e) {
      const text = e instanceof MilvusException ? `MilvusException(code=${e.code}, message=${e.message})` : String(e?.message ?? e);
      log(typeof code === 'function' ? code() : code, text, true);
    }
  };
}

// ---------------------------------------------------------------------------------------------
// Reading the store
// ---------------------------------------------------------------------------------------------

/** Re-reads every partition's entities and counts, then redraws (and re-runs the search). */
async function refresh() {
  const points = [];
  for (const p of state.collection.partitions) {
    if (!state.known.has(p.name)) {
      state.known.add(p.name);
      state.searched.add(p.name);
    }
    const rows = await state.collection.query('', { output_fields: ['*'], limit: 16384, partition_names: [p.name] });
    for (const r of rows) points.push({ ...r, partition: p.name, xy: projection.project(r.embedding) });
  }
  state.points = points;
  const names = state.collection.partitions.map((p) => p.name);
  for (const n of [...state.known]) if (!names.includes(n)) { state.known.delete(n); state.searched.delete(n); }
  if (!names.includes(state.target)) state.target = names.includes('comedy') ? 'comedy' : '_default';
  renderPartitions();
  explainWrite();
  await search();
}

function renderPartitions() {
  const body = $('partitions');
  body.replaceChildren();
  for (const p of state.collection.partitions) {
    const n = p.num_entities;
    const tr = document.createElement('tr');
    tr.dataset.partition = p.name;
    const was = state.counts.get(p.name);
    if (was !== undefined && was !== n) tr.className = 'changed';
    state.counts.set(p.name, n);
    tr.innerHTML = `<td><span class="swatch"></span></td><td class="name"></td><td class="num count">${n}</td>` +
      `<td><input type="checkbox" class="searched" aria-label="search ${p.name}"></td>` +
      `<td><input type="radio" name="target" class="target" aria-label="write to ${p.name}"></td>` +
      `<td>${p.name === '_default' ? '' : `<button class="drop" title="drop partition ${p.name}">×</button>`}</td>`;
    // the change, shown beside the count (CSS ::after, so the cell's text stays the number)
    // (an upsert that replaced shows ±0 on the partition it wrote)
    if (tr.className === 'changed') tr.querySelector('.count').dataset.delta = n > was ? `+${n - was}` : `−${was - n}`;
    else if (state.wrote === p.name) tr.querySelector('.count').dataset.delta = '±0';
    tr.querySelector('.swatch').style.background = colorOf(p.name);
    tr.querySelector('.name').textContent = p.name;
    const searched = tr.querySelector('.searched');
    searched.checked = state.searched.has(p.name);
    searched.onchange = guard('search', async () => {
      if (searched.checked) state.searched.add(p.name);
      else state.searched.delete(p.name);
      await search();
    });
    const target = tr.querySelector('.target');
    target.checked = state.target === p.name;
    target.onchange = () => setTarget(p.name);
    const drop = tr.querySelector('.drop');
    if (drop) drop.onclick = guard(`collection.drop_partition(${quote(p.name)})`, () => dropPartition(p.name));
    body.append(tr);
  }
  state.wrote = null;
  $('total').textContent = `collection.num_entities = ${state.collection.num_entities}`;
  for (const el of document.querySelectorAll('.target-name')) el.textContent = state.target;
  $('legend').replaceChildren(...[...state.known].map((name) => {
    const s = document.createElement('span');
    s.innerHTML = '<span class="swatch"></span> ';
    s.firstChild.style.background = colorOf(name);
    s.append(name);
    return s;
  }));
}

function setTarget(name) {
  state.target = name;
  for (const el of document.querySelectorAll('.target-name')) el.textContent = name;
  for (const r of document.querySelectorAll('#partitions .target')) r.checked = r.closest('tr').dataset.partition === name;
  explainWrite();
}

// ---------------------------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------------------------

async function loadFilms() {
  for (const genre of GENRES) {
    const rows = FILMS.filter((f) => f.genre === genre);
    const partition = new Partition(state.collection, genre, `${genre} films`);
    const res = await partition.upsert(rows);
    log(`await new Partition(collection, '${genre}').upsert(rows) // ${rows.length} rows`, String(res));
    showMutation(res, `${rows.length} ${genre} films upserted into partition '${genre}', which now holds ${partition.num_entities} entities.`);
  }
  $('mutation-explain').textContent = `Loading made one partition per genre and upserted its films: ${GENRES.join(', ')} ` +
    `hold ${GENRES.map((g) => state.collection.partition(g).num_entities).join(', ')} entities. Shown: the last call's ` +
    `MutationResult ('${GENRES.at(-1)}'). Load again: the same keys are replaced, the counts stay.`;
  await refresh();
  setTarget(GENRES[0]);
}

async function emptyCollection() {
  state.collection.drop();
  state.collection = new Collection('films', schema);
  log("collection.drop(); collection = new Collection('films', schema)", 'an empty collection with its _default partition');
  Object.assign(state, { query: null, hits: [], selected: null, placed: null });
  state.counts.clear();
  await refresh();
}

async function createPartition(name) {
  state.collection.create_partition(name);
  log(`collection.create_partition(${quote(name)})`, `partitions: ${state.collection.partitions.map((p) => p.name).join(', ')}`);
  await refresh();
  setTarget(name);
}

async function dropPartition(name) {
  const n = state.collection.partition(name).num_entities;
  state.collection.drop_partition(name);
  log(`collection.drop_partition(${quote(name)})`, `dropped with its ${n} entities`);
  if (state.selected?.partition === name) state.selected = null;
  await refresh();
}

/** The film the form describes, with its embedding: where it was placed, else where it was. */
function formFilm() {
  const film_id = Number($('f-id').value);
  if ($('f-id').value === '' || !Number.isSafeInteger(film_id)) throw new Error('film_id must be an integer');
  let embedding;
  if (state.placed) embedding = projection.lift(state.placed);
  else {
    const same = state.points.find((p) => p.film_id === film_id && p.partition === state.selected?.partition)
      ?? state.points.find((p) => p.film_id === film_id);
    if (!same) throw new Error('place the film: switch the map to "place a film" and click where it goes');
    embedding = same.embedding;
  }
  return {
    film_id,
    title: $('f-title').value.trim() || 'The Untitled Film',
    genre: state.points.find((p) => p.film_id === film_id)?.genre ?? (GENRES.includes(state.target) ? state.target : 'drama'),
    year: Math.round(Number($('f-year').value) || 2024),
    rating: Number($('f-rating').value) || 0,
    embedding,
  };
}

async function upsertFilm() {
  const film = formFilm();
  const partition = new Partition(state.collection, state.target);
  const before = partition.num_entities;
  const res = await partition.upsert([film]);
  const after = partition.num_entities;
  log(`await new Partition(collection, ${quote(state.target)}).upsert([{ film_id: ${film.film_id}, title: ${quote(film.title)}, year: ${film.year}, rating: ${film.rating}, embedding: ${vectorText(film.embedding)} }])`, String(res));
  const elsewhere = state.points.filter((p) => p.film_id === film.film_id && p.partition !== state.target).map((p) => `'${p.partition}'`);
  let text = after === before
    ? `film_id ${film.film_id} was already in '${state.target}': upsert deleted it and inserted the new row, so '${state.target}' still holds ${after}.`
    : `film_id ${film.film_id} was not in '${state.target}': upsert inserted it, so '${state.target}' now holds ${after} (was ${before}).`;
  if (elsewhere.length)
    text += ` The film_id ${film.film_id} in ${elsewhere.join(' and ')} is another entity: upsert only replaces within its partition.`;
  text += ' (Milvus counts every upserted key in delete_count, whether it existed or not.)';
  showMutation(res, text);
  state.placed = null;
  state.selected = { partition: state.target, film_id: film.film_id };
  state.wrote = state.target;
  await refresh();
}

async function deleteFilm() {
  const film_id = Number($('f-id').value);
  if ($('f-id').value === '' || !Number.isSafeInteger(film_id)) throw new Error('film_id must be an integer');
  const partition = new Partition(state.collection, state.target);
  const before = partition.num_entities;
  const res = await partition.delete(`film_id in [${film_id}]`);
  const after = partition.num_entities;
  log(`await new Partition(collection, ${quote(state.target)}).delete('film_id in [${film_id}]')`, String(res));
  showMutation(res, before === after
    ? `No film_id ${film_id} in '${state.target}': nothing was deleted there (other partitions are not touched).`
    : `film_id ${film_id} deleted from '${state.target}', which now holds ${after} (was ${before}).`);
  if (state.selected?.film_id === film_id && state.selected.partition === state.target) state.selected = null;
  await refresh();
}

function showMutation(res, explanation) {
  const keys = res.primary_keys.length > 8 ? `[${res.primary_keys.slice(0, 8).join(', ')}, …]` : `[${res.primary_keys.join(', ')}]`;
  $('mutation').textContent = `${String(res)}\n` +
    `insert_count=${res.insert_count}  delete_count=${res.delete_count}  upsert_count=${res.upsert_count}\n` +
    `succ_count=${res.succ_count}  err_count=${res.err_count}  err_index=[${res.err_index.join(', ')}]\n` +
    `primary_keys=${keys}\ntimestamp=${res.timestamp}n`;
  $('mutation-explain').textContent = explanation;
}

// ---------------------------------------------------------------------------------------------
// Search
// ---------------------------------------------------------------------------------------------

/** Runs the search at the query point (if any) and finds which entities it could return. */
async function search() {
  const filter = $('filter').value.trim();
  const metric = $('metric').value;
  const limit = Math.max(1, Math.min(50, Math.round(Number($('limit').value) || 5)));
  const partition_names = [...state.known].filter((n) => state.searched.has(n));
  $('search-error').hidden = true;
  state.hits = [];
  try {
    // the entities the search ranks: the searched partitions' rows that pass the filter
    if (filter || partition_names.length !== state.known.size) {
      const inScope = new Set();
      for (const name of partition_names) {
        const rows = await state.collection.query(filter, { output_fields: ['film_id'], limit: 16384, partition_names: [name] });
        for (const r of rows) inScope.add(keyOf(name, r.film_id));
      }
      state.inScope = inScope;
    } else {
      state.inScope = null;
    }
    if (!state.query) {
      $('search-code').textContent = '// click the map: the point you click is the query vector';
      renderHits(null);
      return;
    }
    const q = state.query.vector;
    const code = `await collection.search(\n  [${vectorText(q)}], 'embedding', { metric_type: '${metric}' }, ${limit},\n  ${quote(filter)},\n` +
      `  { partition_names: [${partition_names.map(quote).join(', ')}], output_fields: [${OUTPUT_FIELDS.slice(0, 4).map(quote).join(', ')}] })`;
    if (partition_names.length === 0) {
      $('search-code').textContent = `${code}\n// no partition is searched: tick one`;
      renderHits([]);
      return;
    }
    const t0 = performance.now();
    const [hits] = await state.collection.search([q], 'embedding', { metric_type: metric }, limit, filter,
      { partition_names, output_fields: OUTPUT_FIELDS });
    const ms = performance.now() - t0;
    $('search-code').textContent = `${code}\n// → ${hits.length} hit${hits.length === 1 ? '' : 's'} in ${ms.toFixed(2)} ms, exact (brute force, SIMD)`;
    const used = new Set();
    state.hits = hits.map((hit, i) => ({ rank: i + 1, hit, point: matchHit(hit, partition_names, used) }));
    renderHits(state.hits);
  } catch (e) {
    state.inScope = new Set();
    $('search-error').hidden = false;
    $('search-error').textContent = e instanceof MilvusException ? `MilvusException(code=${e.code}, message=${e.message})` : String(e?.message ?? e);
    renderHits([]);
  } finally {
    draw();
  }
}

/** The drawn entity a hit is: same film_id in a searched partition, nearest embedding. */
function matchHit(hit, partitions, used) {
  let best = null, bestD = Infinity;
  for (const p of state.points) {
    if (p.film_id !== hit.id || !partitions.includes(p.partition) || used.has(keyOf(p.partition, p.film_id))) continue;
    const d = p.embedding.reduce((s, x, i) => s + (x - hit.entity.embedding[i]) ** 2, 0);
    if (d < bestD) [best, bestD] = [p, d];
  }
  if (best) used.add(keyOf(best.partition, best.film_id));
  return best;
}

function renderHits(hits) {
  const body = $('hits');
  body.replaceChildren();
  if (!hits || hits.length === 0) {
    body.innerHTML = `<tr><td colspan="7" class="empty">${hits ? 'no hit' : 'click the map to search'}</td></tr>`;
    return;
  }
  for (const { rank, hit, point } of hits) {
    const tr = document.createElement('tr');
    const cells = [rank, hit.id, hit.entity.title, point?.partition ?? '?', hit.entity.year, hit.entity.rating.toFixed(1), fmt(hit.distance)];
    cells.forEach((v, i) => {
      const td = document.createElement('td');
      if ([1, 4, 5, 6].includes(i)) td.className = 'num';
      if (i === 3) td.innerHTML = `<span class="swatch" style="background:${colorOf(String(v))}"></span> `;
      td.append(String(v));
      tr.append(td);
    });
    tr.onclick = () => point && selectFilm(point);
    body.append(tr);
  }
}

// ---------------------------------------------------------------------------------------------
// The map
// ---------------------------------------------------------------------------------------------

const SIZE = 600;
const view = (() => {
  const xy = FILMS.map((f) => projection.project(f.embedding));
  const xs = xy.map((p) => p[0]), ys = xy.map((p) => p[1]);
  const cx = (Math.min(...xs) + Math.max(...xs)) / 2, cy = (Math.min(...ys) + Math.max(...ys)) / 2;
  const span = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)) * 1.12;
  const s = SIZE / span;
  return {
    toScreen: ([x, y]) => [SIZE / 2 + (x - cx) * s, SIZE / 2 - (y - cy) * s],
    fromScreen: ([sx, sy]) => [cx + (sx - SIZE / 2) / s, cy - (sy - SIZE / 2) / s],
  };
})();

function el(name, attrs, parent) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  parent?.append(e);
  return e;
}

function draw() {
  const svg = $('map');
  svg.setAttribute('viewBox', `0 0 ${SIZE} ${SIZE}`);
  svg.replaceChildren();
  const [ox, oy] = view.toScreen([0, 0]);
  el('line', { class: 'axis', x1: 0, y1: oy, x2: SIZE, y2: oy }, svg);
  el('line', { class: 'axis', x1: ox, y1: 0, x2: ox, y2: SIZE }, svg);
  if (state.points.length === 0)
    el('text', { class: 'empty', x: SIZE / 2, y: SIZE / 2 - 12, 'text-anchor': 'middle' }, svg).textContent =
      'No entity yet: load the films, or place a film and upsert it';
  state.zoom = zoomRegion();
  drawScene(svg, view.toScreen, { dot: 'dot', ring: 'hit-ring', r: 4.5, labels: !state.zoom, bounds: [0, 0, SIZE, SIZE] });
  if (state.placed) {
    const [px, py] = view.toScreen(state.placed);
    el('circle', { class: 'placed', cx: px, cy: py, r: 8 }, svg);
  }
  if (state.zoom) drawZoom(svg, state.zoom);
}

/** The entities, and the query with its hits, drawn into `parent` through `toScreen`. */
function drawScene(parent, toScreen, { dot, ring, r, labels, bounds, region }) {
  const hitKeys = new Set(state.hits.filter((h) => h.point).map((h) => keyOf(h.point.partition, h.point.film_id)));
  for (const p of state.points) {
    const [x, y] = toScreen(p.xy);
    if (region && (x < bounds[0] - r || x > bounds[2] + r || y < bounds[1] - r || y > bounds[3] + r)) continue;
    const key = keyOf(p.partition, p.film_id);
    const out = state.query && state.inScope && !state.inScope.has(key) || !state.searched.has(p.partition);
    const selected = state.selected && state.selected.partition === p.partition && state.selected.film_id === p.film_id;
    const c = el('circle', {
      class: `${dot}${out ? ' out' : ''}${selected ? ' selected' : ''}`, cx: x, cy: y, r: hitKeys.has(key) ? r + 1 : r,
      fill: colorOf(p.partition), 'data-key': key,
    }, parent);
    el('title', {}, c).textContent = `film_id ${p.film_id}: ${p.title} (${p.genre}, ${p.year}, rated ${p.rating.toFixed(1)}) in partition '${p.partition}'`;
  }
  if (!state.query) return;
  const [qx, qy] = toScreen(state.query.xy);
  const placed = []; // rank labels placed so far, as [x, y] centres
  const rings = state.hits.filter((h) => h.point).map((h) => toScreen(h.point.xy));
  for (const { rank, point } of state.hits) {
    if (!point) continue;
    const [x, y] = toScreen(point.xy);
    el('line', { class: 'hit-line', x1: qx, y1: qy, x2: x, y2: y }, parent);
    el('circle', { class: ring, cx: x, cy: y, r: r + 4.5 }, parent);
    if (!labels) continue;
    const [lx, ly] = labelSpot(x, y, placed, [[qx, qy], ...rings], bounds);
    if (Math.hypot(lx - x, ly - y) > 16) el('line', { class: 'hit-leader', x1: x, y1: y, x2: lx, y2: ly }, parent);
    el('text', { class: 'hit-rank', x: lx, y: ly, 'text-anchor': 'middle', 'dominant-baseline': 'central' }, parent).textContent = String(rank);
  }
  el('path', { class: 'query', d: `M${qx - 8} ${qy}h16M${qx} ${qy - 8}v16` }, parent);
  el('circle', { class: 'query-dot', cx: qx, cy: qy, r: 3 }, parent);
}

const INSET = 210;

/**
 * When the query and its hits crowd into a few pixels of the map (near neighbours in 8-d are
 * near on the projection too), the square around them to magnify and where the magnified
 * copy goes: a corner of the map. Null when they are spread out.
 */
function zoomRegion() {
  if (!state.query) return null;
  const marks = [view.toScreen(state.query.xy), ...state.hits.filter((h) => h.point).map((h) => view.toScreen(h.point.xy))];
  if (marks.length < 3) return null;
  const xs = marks.map((m) => m[0]), ys = marks.map((m) => m[1]);
  const cx = (Math.min(...xs) + Math.max(...xs)) / 2, cy = (Math.min(...ys) + Math.max(...ys)) / 2;
  const half = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)) / 2 + 14;
  const k = INSET / (2 * Math.max(half, 22));
  if (k < 2.5) return null;
  const m = 10;
  const corners = [[m, m], [SIZE - INSET - m, m], [m, SIZE - INSET - m], [SIZE - INSET - m, SIZE - INSET - m]];
  // the corner that hides the fewest entities and stays clear of the square it magnifies
  const screen = state.points.map((p) => view.toScreen(p.xy));
  const cost = ([x, y]) => {
    const overlaps = cx + half > x && cx - half < x + INSET && cy + half > y && cy - half < y + INSET;
    const hidden = screen.filter(([px, py]) => px > x && px < x + INSET && py > y && py < y + INSET).length;
    return (overlaps ? 1e6 : 0) + hidden;
  };
  const [ix, iy] = corners.reduce((a, b) => (cost(b) < cost(a) ? b : a));
  return { cx, cy, half: INSET / (2 * k), k, ix, iy };
}

/** The magnified copy of the zoom region, in its own framed square, tied to its source. */
function drawZoom(svg, z) {
  const { cx, cy, half, k, ix, iy } = z;
  el('rect', { class: 'zoom-box', x: cx - half, y: cy - half, width: 2 * half, height: 2 * half }, svg);
  const near = [ix + INSET / 2 < cx ? ix + INSET : ix, iy + INSET / 2 < cy ? iy + INSET : iy];
  el('line', { class: 'zoom-tie', x1: near[0], y1: near[1], x2: cx + Math.sign(near[0] - cx) * half, y2: cy + Math.sign(near[1] - cy) * half }, svg);
  const defs = el('defs', {}, svg);
  const clip = el('clipPath', { id: 'zoom-clip' }, defs);
  el('rect', { x: ix, y: iy, width: INSET, height: INSET }, clip);
  const g = el('g', { class: 'zoom' }, svg);
  el('rect', { class: 'zoom-frame', x: ix, y: iy, width: INSET, height: INSET }, g);
  const inner = el('g', { 'clip-path': 'url(#zoom-clip)' }, g);
  const toInset = (xy) => {
    const [x, y] = view.toScreen(xy);
    return [ix + INSET / 2 + (x - cx) * k, iy + INSET / 2 + (y - cy) * k];
  };
  drawScene(inner, toInset, { dot: 'zoom-dot', ring: 'zoom-ring', r: 6, labels: true, bounds: [ix, iy, ix + INSET, iy + INSET], region: true });
  el('text', { class: 'zoom-label', x: ix + 6, y: iy + 14 }, g).textContent = `×${Math.round(k)}`;
}

/** A click inside the magnified square, in the map's own coordinates. */
function fromZoom([x, y]) {
  const z = state.zoom;
  if (!z || x < z.ix || x > z.ix + INSET || y < z.iy || y > z.iy + INSET) return null;
  return [z.cx + (x - z.ix - INSET / 2) / z.k, z.cy + (y - z.iy - INSET / 2) / z.k];
}

/**
 * Where a hit's rank label goes: the first spot around the hit, nearest first, that keeps
 * clear of the labels already placed and of the marks (query, hit rings): hits often sit
 * close together on the projection.
 */
function labelSpot(x, y, placed, marks, [x0, y0, x1, y1]) {
  const clear = ([lx, ly]) => placed.every(([px, py]) => Math.hypot(px - lx, py - ly) >= 15) &&
    marks.every(([mx, my]) => Math.hypot(mx - lx, my - ly) >= 14) && lx > x0 + 8 && lx < x1 - 8 && ly > y0 + 8 && ly < y1 - 8;
  for (const r of [15, 24, 34, 46, 60]) {
    for (let k = 0; k < 8; k++) {
      const a = -Math.PI / 4 + (k * Math.PI) / 4; // up-right first, then clockwise
      const spot = [x + r * Math.cos(a), y + r * Math.sin(a)];
      if (clear(spot)) {
        placed.push(spot);
        return spot;
      }
    }
  }
  const spot = [x + 14, y - 10];
  placed.push(spot);
  return spot;
}

function selectFilm(p) {
  state.selected = { partition: p.partition, film_id: p.film_id };
  state.placed = null;
  $('f-id').value = p.film_id;
  $('f-title').value = p.title;
  $('f-year').value = p.year;
  $('f-rating').value = p.rating.toFixed(1);
  setTarget(p.partition);
  draw();
}

/** Says what Upsert would do now: where the film comes from, and replace (±0) or add (+1). */
function explainWrite() {
  const id = Number($('f-id').value);
  explainWrite.initial ??= $('f-where').innerHTML;
  if ($('f-id').value === '' || !(state.selected || state.placed)) {
    $('f-where').innerHTML = explainWrite.initial;
    return;
  }
  const from = state.placed
    ? `Placed at (${state.placed[0].toFixed(2)}, ${state.placed[1].toFixed(2)}) on the map: the embedding is the 8-d point there.`
    : `Editing film_id ${state.selected.film_id} of '${state.selected.partition}'.`;
  const there = state.points.some((p) => p.film_id === id && p.partition === state.target);
  const elsewhere = [...new Set(state.points.filter((p) => p.film_id === id && p.partition !== state.target).map((p) => `'${p.partition}'`))];
  const effect = there
    ? `Upsert replaces film_id ${id} in '${state.target}' (its count stays: ±0).`
    : `Upsert adds film_id ${id} to '${state.target}' (+1)` +
      (elsewhere.length ? `, a second entity beside the one in ${elsewhere.join(' and ')}, which stays.` : '.');
  const hint = there && !state.placed ? ' Tick another partition under "write" to see the other case.' : '';
  $('f-where').textContent = `${from} ${effect}${hint}`;
}

async function onMapClick(event) {
  const svg = $('map');
  const key = event.target.getAttribute?.('data-key');
  if (key) {
    // a film: it is selected for editing, and in search mode it is also the query
    const p = state.points.find((q) => keyOf(q.partition, q.film_id) === key);
    if (!p) return;
    selectFilm(p);
    if (state.mode === 'search') {
      state.query = { xy: p.xy, vector: p.embedding };
      await search();
    }
    return;
  }
  const pt = svg.createSVGPoint();
  pt.x = event.clientX;
  pt.y = event.clientY;
  const { x, y } = pt.matrixTransform(svg.getScreenCTM().inverse());
  const xy = view.fromScreen(fromZoom([x, y]) ?? [x, y]);
  if (state.mode === 'place') {
    state.placed = xy;
    if ($('f-id').value === '' || state.selected) {
      const ids = state.points.map((p) => p.film_id);
      if (!state.selected) $('f-id').value = ids.length ? Math.max(...ids) + 1 : 1;
    }
    explainWrite();
    draw();
  } else {
    state.query = { xy, vector: projection.lift(xy) };
    await search();
  }
}

// ---------------------------------------------------------------------------------------------
// Text search: keyword (BM25), vector and hybrid (RRF) side by side
// ---------------------------------------------------------------------------------------------

/** The text box's three searches on the same films, partitions and filter. */
async function textSearch() {
  const text = $('text-query').value.trim();
  const filter = $('filter').value.trim();
  const limit = Math.max(1, Math.min(50, Math.round(Number($('limit').value) || 5)));
  const partition_names = [...state.known].filter((n) => state.searched.has(n));
  $('text-error').hidden = true;
  for (const id of ['text-bm25', 'text-vector', 'text-hybrid']) $(id).replaceChildren();
  if (!text || partition_names.length === 0) {
    $('text-code').textContent = text ? '// no partition is searched: tick one' : '// type words of a title, e.g. dark house';
    return;
  }
  try {
    const opts = { partition_names, output_fields: ['title', 'embedding'] };
    const t0 = performance.now();
    const [keyword] = await state.collection.search([text], 'title_bm25', { metric_type: 'BM25' }, limit, filter, opts);
    // the vector: the map's query point, else the mean embedding of the keyword hits
    const from = state.query ? 'the map point' : keyword.length ? 'the keyword hits\' mean embedding' : null;
    const vector = state.query?.vector ??
      (keyword.length ? keyword[0].entity.embedding.map((_, d) => keyword.reduce((s, h) => s + h.entity.embedding[d], 0) / keyword.length) : null);
    const [near] = vector ? await state.collection.search([vector], 'embedding', { metric_type: 'L2' }, limit, filter, opts) : [[]];
    const reqs = [new AnnSearchRequest([text], 'title_bm25', { metric_type: 'BM25' }, limit, filter || null)];
    if (vector) reqs.push(new AnnSearchRequest([vector], 'embedding', { metric_type: 'L2' }, limit, filter || null));
    const [fused] = await state.collection.hybrid_search(reqs, new RRFRanker(), limit, { partition_names, output_fields: ['title'] });
    const ms = performance.now() - t0;
    $('text-code').textContent = `await collection.search([${quote(text)}], 'title_bm25', { metric_type: 'BM25' }, ${limit}, ${quote(filter)}, …)\n` +
      (vector ? `await collection.search([${vectorText(vector)}], 'embedding', { metric_type: 'L2' }, ${limit}, …) // from ${from}\n` : '// no vector: no keyword hit and no map point\n') +
      `await collection.hybrid_search([bm25Request, vectorRequest], new RRFRanker(), ${limit}, …)\n` +
      `// → ${keyword.length} + ${near.length} + ${fused.length} hits in ${ms.toFixed(2)} ms`;
    const inKeyword = new Set(keyword.map((h) => h.id)), inNear = new Set(near.map((h) => h.id));
    const show = (id, hits) => $(id).replaceChildren(...hits.map((h) => {
      const li = document.createElement('li');
      li.dataset.id = h.id;
      if (inKeyword.has(h.id) && inNear.has(h.id)) li.className = 'both';
      const score = document.createElement('span');
      score.className = 'score';
      score.textContent = fmt(h.distance, 3);
      li.append(h.entity.title, score);
      li.title = `film_id ${h.id}`;
      li.onclick = () => {
        const p = state.points.find((x) => x.film_id === h.id && partition_names.includes(x.partition));
        if (p) selectFilm(p);
      };
      return li;
    }));
    show('text-bm25', keyword);
    show('text-vector', near);
    show('text-hybrid', fused);
    log(`text search ${quote(text)}: keyword, vector, hybrid`, `${keyword.length}, ${near.length} and ${fused.length} hits`);
  } catch (e) {
    $('text-error').hidden = false;
    $('text-error').textContent = e instanceof MilvusException ? `MilvusException(code=${e.code}, message=${e.message})` : String(e?.message ?? e);
  }
}

// ---------------------------------------------------------------------------------------------
// Start
// ---------------------------------------------------------------------------------------------

function wire() {
  $('schema').replaceChildren(...schema.fields.map((f) => {
    const li = document.createElement('li');
    const b = document.createElement('b');
    b.textContent = f.name;
    const extra = f.is_primary ? ' primary key' : f.dim ? ` dim=${f.dim}` : f.max_length ? ` max_length=${f.max_length}` : '';
    li.append(b, ` ${DataType[f.dtype]}${extra}`);
    return li;
  }));
  $('load').onclick = guard('load films', loadFilms);
  $('reset').onclick = guard('collection.drop()', emptyCollection);
  $('new-partition').onsubmit = (e) => {
    e.preventDefault();
    const name = $('new-partition-name').value.trim();
    guard(`collection.create_partition(${quote(name)})`, async () => {
      await createPartition(name);
      $('new-partition-name').value = '';
    })();
  };
  $('upsert').onsubmit = (e) => {
    e.preventDefault();
    guard(() => `new Partition(collection, ${quote(state.target)}).upsert(…)`, upsertFilm)();
  };
  $('f-id').addEventListener('input', explainWrite);
  $('delete-button').onclick = guard(() => `new Partition(collection, ${quote(state.target)}).delete(…)`, deleteFilm);
  for (const r of document.querySelectorAll('input[name=mode]')) r.onchange = () => (state.mode = r.value);
  $('map').addEventListener('click', guard('map click', onMapClick));
  let timer;
  $('filter').addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(guard('search', search), 250);
  });
  $('metric').onchange = guard('search', search);
  $('text-form').onsubmit = (e) => {
    e.preventDefault();
    guard('text search', textSearch)();
  };
  $('limit').onchange = guard('search', search);
  $('chips').replaceChildren(...FILTERS.map((f) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = f || 'no filter';
    b.onclick = guard('search', async () => {
      $('filter').value = f;
      await search();
    });
    return b;
  }));
}

async function start() {
  const t0 = performance.now();
  const { version } = await init();
  const ms = performance.now() - t0;
  schema = makeSchema();
  state.collection = new Collection('films', schema);
  wire();
  await refresh();
  const status = $('status');
  status.className = 'status ready';
  status.textContent = `partita ${version} in WebAssembly, ready in ${ms.toFixed(0)} ms · everything runs in this tab, nothing is sent anywhere`;
}

start().catch((e) => {
  $('status').className = 'status failed';
  $('status').textContent = `could not start: ${e?.message ?? e}`;
});
