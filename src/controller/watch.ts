/**
 * File-system trigger for a local directory source: chokidar reports changes, and a
 * debounce on the Clock turns an editor's burst of writes (temp file, rename, chmod) into
 * one "look again". The watcher never reads manifests itself; the sync loop does.
 */
import { watch } from 'chokidar';
import type { Clock, Timer } from '../ports/clock.js';

/** A running watcher. */
export interface DirectoryWatch {
  /** Resolves once the initial scan is done: changes after it are reported. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Watches `dir` recursively for YAML files added, changed or removed and calls `onChange`
 * once per quiet period of `debounceMs`. `.git` and `node_modules` are ignored.
 */
export function watchDirectory(dir: string, clock: Clock, debounceMs: number, onChange: () => void): DirectoryWatch {
  let timer: Timer | undefined;
  const watcher = watch(dir, {
    ignoreInitial: true,
    ignored: (path, stats) =>
      /(^|[\\/])(\.git|node_modules)([\\/]|$)/.test(path) || (stats?.isFile() === true && !/\.ya?ml$/i.test(path)),
  });
  const changed = () => {
    timer?.cancel();
    timer = clock.setTimeout(() => {
      timer = undefined;
      onChange();
    }, debounceMs);
  };
  watcher.on('all', changed);
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    ready,
    async close() {
      timer?.cancel();
      await watcher.close();
    },
  };
}
