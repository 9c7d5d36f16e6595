// films.js — the demo's dataset: 240 made-up films in four genres, each with an 8-d embedding,
// generated from a fixed seed (the same films on every load, no file to download), and the
// fixed 2-D projection (PCA of those embeddings) the map draws them with.

export const DIM = 8;
export const GENRES = ['comedy', 'drama', 'horror', 'scifi'];
const PER_GENRE = 60;

const WORDS = {
  comedy: [['Lucky', 'Awkward', 'Big', 'Crazy', 'Happy', 'Dizzy', 'Accidental', 'Terrible'],
    ['Weekend', 'Neighbours', 'Road Trip', 'Holiday', 'Roommates', 'Mix-up', 'Party', 'Wedding']],
  drama: [['Silent', 'Broken', 'Distant', 'Quiet', 'Last', 'Golden', 'Long', 'Winter'],
    ['Harbor', 'Letters', 'Summer', 'River', 'Promise', 'Garden', 'Road', 'Years']],
  horror: [['Dark', 'Hollow', 'Crimson', 'Hungry', 'Cursed', 'Whispering', 'Pale', 'Midnight'],
    ['House', 'Woods', 'Cellar', 'Doll', 'Mirror', 'Fog', 'Bell', 'Lake']],
  scifi: [['Red', 'Quantum', 'Outer', 'Iron', 'Solar', 'Hidden', 'Final', 'Neon'],
    ['Orbit', 'Signal', 'Colony', 'Machine', 'Frontier', 'Horizon', 'Protocol', 'Drift']],
};

// where each genre sits in the plane the embeddings are built from (they overlap a little)
const CENTERS = { comedy: [-1.6, 1.1], drama: [1.5, 1.3], horror: [-1.2, -1.5], scifi: [1.7, -1.1] };

/** mulberry32: a small seeded PRNG, so the dataset is the same everywhere. */
function prng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round = (x, digits) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * The films: { film_id, title, genre, year, rating, embedding }. An embedding is a point of
 * the genre's cloud in a plane, placed in 8-d along two fixed orthogonal directions, plus an offset (so that
 * COSINE and IP rank differently from L2) and a little noise in every dimension.
 */
export function makeFilms() {
  const rnd = prng(20240601);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  // two orthogonal directions of length 1 (Gram-Schmidt), so distances in the plane are kept
  const u = Array.from({ length: DIM }, gauss), w = Array.from({ length: DIM }, gauss);
  const dot = (a, b) => a.reduce((s, x, i) => s + x * b[i], 0);
  const uu = u.map((x) => x / Math.sqrt(dot(u, u)));
  const w1 = w.map((x, i) => x - dot(w, uu) * uu[i]);
  const ww = w1.map((x) => x / Math.sqrt(dot(w1, w1)));
  const lift = uu.map((x, i) => [x, ww[i]]);
  const offset = Array.from({ length: DIM }, () => 0.6 + rnd() * 0.8);
  const films = [];
  for (const genre of GENRES) {
    const [adjectives, nouns] = WORDS[genre];
    const titles = adjectives.flatMap((a) => nouns.map((n) => `The ${a} ${n}`));
    for (let i = titles.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [titles[i], titles[j]] = [titles[j], titles[i]];
    }
    for (let i = 0; i < PER_GENRE; i++) {
      const [cx, cy] = CENTERS[genre];
      const x = cx + gauss() * 0.75, y = cy + gauss() * 0.75;
      films.push({
        title: titles[i],
        genre,
        year: 1960 + Math.floor(rnd() * 65),
        rating: round(4 + rnd() * 5.5, 1),
        embedding: lift.map(([a, b], d) => round(a * x + b * y + offset[d] + gauss() * 0.04, 4)),
      });
    }
  }
  // ids in a shuffled order, so that genres do not get ranges of their own
  const ids = films.map((_, i) => i + 1);
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [ids[i], ids[j]] = [ids[j], ids[i]];
  }
  films.forEach((f, i) => (f.film_id = ids[i]));
  return films.sort((a, b) => a.film_id - b.film_id).map(({ film_id, ...f }) => ({ film_id, ...f }));
}

/**
 * A fixed 2-D projection: the two principal axes of the given vectors (power iteration on
 * their covariance, with deflation). project(v) -> [x, y]; lift([x, y]) -> the 8-d point of
 * the projection plane that projects to [x, y] (what a click on the map stands for).
 */
export function pca(vectors) {
  const n = vectors.length, d = vectors[0].length;
  const mean = Array.from({ length: d }, (_, j) => vectors.reduce((s, v) => s + v[j], 0) / n);
  const cov = Array.from({ length: d }, () => new Array(d).fill(0));
  for (const v of vectors)
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) cov[i][j] += ((v[i] - mean[i]) * (v[j] - mean[j])) / n;
  const axes = [];
  for (let k = 0; k < 2; k++) {
    let e = Array.from({ length: d }, (_, i) => 1 / Math.sqrt(d) + i * 1e-3);
    for (let it = 0; it < 200; it++) {
      const next = cov.map((row) => row.reduce((s, c, j) => s + c * e[j], 0));
      const norm = Math.hypot(...next);
      e = next.map((x) => x / norm);
    }
    const lambda = cov.reduce((s, row, i) => s + e[i] * row.reduce((t, c, j) => t + c * e[j], 0), 0);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) cov[i][j] -= lambda * e[i] * e[j];
    // a sign convention, so the picture does not depend on the starting vector
    if (e.reduce((s, x) => s + x, 0) < 0) e = e.map((x) => -x);
    axes.push(e);
  }
  const project = (v) => axes.map((e) => e.reduce((s, x, i) => s + x * (v[i] - mean[i]), 0));
  const lift = ([x, y]) => mean.map((m, i) => round(m + x * axes[0][i] + y * axes[1][i], 4));
  return { project, lift };
}
