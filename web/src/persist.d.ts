// Types of partita/persist: where snapshots (Collection.save() bytes) are kept, and autosave.
import type { Collection } from './index.js';

/** Any bytes store: a FileAdapter, OPFSAdapter, IndexedDBAdapter, or your own over Workers KV,
 * R2 or a Durable Object. put() must replace the bytes whole or not at all. */
export interface SnapshotAdapter {
  get(key: string): Promise<Uint8Array | null>;
  put(key: string, bytes: Uint8Array): Promise<void>;
}

/** Node: one file per key in `dir`; put() writes a temporary file, fsyncs, renames. */
export class FileAdapter implements SnapshotAdapter {
  constructor(dir: string);
  readonly dir: string;
  get(key: string): Promise<Uint8Array | null>;
  put(key: string, bytes: Uint8Array): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Browsers and workers: IndexedDB database `name` (default 'partita-snapshots'). */
export class IndexedDBAdapter implements SnapshotAdapter {
  constructor(name?: string, options?: { indexedDB?: IDBFactory });
  get(key: string): Promise<Uint8Array | null>;
  put(key: string, bytes: Uint8Array): Promise<void>;
  delete(key: string): Promise<void>;
  close(): void;
}

/** Browsers: the Origin Private File System, one file per key in directory `dirName`. */
export class OPFSAdapter implements SnapshotAdapter {
  constructor(dirName?: string, options?: { root?: () => Promise<FileSystemDirectoryHandle> });
  get(key: string): Promise<Uint8Array | null>;
  put(key: string, bytes: Uint8Array): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Node: FileAdapter(location); browsers: OPFS when writable, else IndexedDB. */
export function defaultAdapter(location?: string): FileAdapter | OPFSAdapter | IndexedDBAdapter;

/** Saves `collection.save()` under `key` (default: the collection's name). */
export function saveCollection(collection: Collection, adapter: SnapshotAdapter, key?: string): Promise<void>;

/** Collection.load() of the bytes under `key`; null when there are none. */
export function loadCollection(adapter: SnapshotAdapter, key: string, options?: { name?: string; using?: string }): Promise<Collection | null>;

export interface AutosaveOptions {
  /** Key of the snapshot (default: the collection's name). */
  key?: string;
  /** Save once this many mutations are unsaved (default 1000). */
  mutations?: number;
  /** Save this long after the last mutation (debounced; default 1000 ms). */
  delayMs?: number;
  /** Told of every failed save (the changes stay pending and are retried). */
  onError?: (error: unknown) => void;
}

export class Autosave {
  constructor(collection: Collection, adapter: SnapshotAdapter, options?: AutosaveOptions);
  readonly saves: number;
  readonly pending: number;
  readonly lastError: unknown;
  /** Saves pending changes now; resolves once written, rejects if the last save failed. */
  flush(): Promise<void>;
  /** flush(), then stop listening. */
  close(): Promise<void>;
}
