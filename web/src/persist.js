// persist.js — the `partita/persist` entry: snapshot adapters and autosave (persist/snapshots.js).
export {
  FileAdapter, IndexedDBAdapter, OPFSAdapter, defaultAdapter, saveCollection, loadCollection, Autosave,
} from './persist/snapshots.js';
