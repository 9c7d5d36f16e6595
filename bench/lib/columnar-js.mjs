// The baseline: a plain columnar store written the way a careful JS developer would, with no
// WebAssembly. One Float32Array for every vector, typed arrays for the scalars, a Map from key
// to slot, and tombstones: an upsert marks the old slot dead and appends.

export class ColumnarStore {
  constructor(dim, capacity = 1024) {
    this.dim = dim;
    this.count = 0;
    this.dead = 0;
    this.slot = new Map();
    this.alloc(capacity);
  }

  alloc(capacity) {
    const grow = (Old, old, n) => {
      const a = new Old.constructor(n);
      if (old) a.set(old.subarray(0, Math.min(old.length, n)));
      return a;
    };
    this.vectors = grow(new Float32Array(0), this.vectors, capacity * this.dim);
    this.ids = grow(new Float64Array(0), this.ids, capacity);
    this.ns = grow(new Int32Array(0), this.ns, capacity);
    this.tagCodes = grow(new Uint16Array(0), this.tagCodes, capacity);
    this.alive = grow(new Uint8Array(0), this.alive, capacity);
    this.tagDict = this.tagDict ?? new Map();
    this.tagNames = this.tagNames ?? [];
    this.capacity = capacity;
  }

  tagCode(tag) {
    let c = this.tagDict.get(tag);
    if (c === undefined) {
      c = this.tagNames.length;
      this.tagDict.set(tag, c);
      this.tagNames.push(tag);
    }
    return c;
  }

  /** Upserts rows {id, vec, tag, n}. */
  upsert(rows) {
    if (this.count + rows.length > this.capacity) {
      let c = this.capacity;
      while (c < this.count + rows.length) c *= 2;
      this.alloc(c);
    }
    const dim = this.dim;
    for (const r of rows) {
      if (typeof r.id !== 'number' || r.vec.length !== dim || typeof r.tag !== 'string') throw new Error('bad row');
      const old = this.slot.get(r.id);
      if (old !== undefined) {
        this.alive[old] = 0;
        this.dead++;
      }
      const s = this.count++;
      this.vectors.set(r.vec, s * dim);
      this.ids[s] = r.id;
      this.ns[s] = r.n;
      this.tagCodes[s] = this.tagCode(r.tag);
      this.alive[s] = 1;
      this.slot.set(r.id, s);
    }
  }

  get live() {
    return this.count - this.dead;
  }
}

/** Exact top-k by squared L2 over the live rows: norms are kept per row so that
 * |x - q|^2 = |x|^2 - 2 x.q + |q|^2 needs one dot product, unrolled by four. */
ColumnarStore.prototype.search = function search(q, k) {
  const dim = this.dim, V = this.vectors, A = this.alive;
  if (!this.norms || this.normsCount !== this.count) {
    this.norms = new Float32Array(this.capacity);
    for (let s = 0; s < this.count; s++) {
      let n = 0;
      for (let j = 0, o = s * dim; j < dim; j++) n += V[o + j] * V[o + j];
      this.norms[s] = n;
    }
    this.normsCount = this.count;
  }
  const N = this.norms;
  const bestD = new Float64Array(k).fill(Infinity), bestS = new Int32Array(k).fill(-1);
  let worst = Infinity, wpos = 0;
  const d4 = dim & ~3;
  for (let s = 0, off = 0; s < this.count; s++, off += dim) {
    if (!A[s]) continue;
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0, j = 0;
    for (; j < d4; j += 4) {
      a0 += V[off + j] * q[j];
      a1 += V[off + j + 1] * q[j + 1];
      a2 += V[off + j + 2] * q[j + 2];
      a3 += V[off + j + 3] * q[j + 3];
    }
    for (; j < dim; j++) a0 += V[off + j] * q[j];
    const d = N[s] - 2 * (a0 + a1 + a2 + a3);
    if (d < worst) {
      bestD[wpos] = d;
      bestS[wpos] = s;
      worst = -Infinity;
      for (let t = 0; t < k; t++) if (bestD[t] > worst) { worst = bestD[t]; wpos = t; }
    }
  }
  return Array.from({ length: k }, (_, t) => t).filter((t) => bestS[t] >= 0).sort((x, y) => bestD[x] - bestD[y]).map((t) => this.ids[bestS[t]]);
};

/** Ids of the live rows with n > nGt and a tag in `tags` (a dictionary bitmap on the tags). */
ColumnarStore.prototype.filter = function filter(nGt, tags) {
  const mask = new Uint8Array(this.tagNames.length + 1);
  for (const t of tags) {
    const c = this.tagDict.get(t);
    if (c !== undefined) mask[c] = 1;
  }
  const out = [];
  for (let s = 0; s < this.count; s++) if (this.alive[s] && this.ns[s] > nGt && mask[this.tagCodes[s]]) out.push(this.ids[s]);
  return out;
};
