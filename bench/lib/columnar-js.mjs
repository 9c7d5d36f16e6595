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
