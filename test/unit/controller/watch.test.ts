import { mkdtemp, mkdir, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { watchDirectory, type DirectoryWatch } from '../../../src/controller/watch.js';
import { FakeClock } from '../../support/fake-clock.js';

/** A FakeClock that tells the test when the watcher arms its debounce timer (= a change was seen). */
class ObservedClock extends FakeClock {
  private waiters: (() => void)[] = [];
  override setTimeout(fn: () => void, ms: number) {
    const t = super.setTimeout(fn, ms);
    for (const w of this.waiters.splice(0)) w();
    return t;
  }
  /** Resolves at the next setTimeout call. */
  armed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

describe('watchDirectory', () => {
  let dir: string;
  let w: DirectoryWatch | undefined;
  afterEach(async () => {
    await w?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('turns a burst of YAML changes into one call after the quiet period', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kairos-watch-'));
    await mkdir(join(dir, 'team'));
    const clock = new ObservedClock();
    let calls = 0;
    w = watchDirectory(dir, clock, 200, () => calls++);
    await w.ready;

    let armed = clock.armed();
    await writeFile(join(dir, 'team', 'a.yaml'), 'kind: Job\n');
    await armed;
    await writeFile(join(dir, 'team', 'a.yaml'), 'kind: Job\n# edited\n');
    await clock.advanceAsync(199);
    expect(calls).toBe(0);
    await clock.advanceAsync(1);
    expect(calls).toBe(1);

    armed = clock.armed();
    await unlink(join(dir, 'team', 'a.yaml'));
    await armed;
    await clock.advanceAsync(200);
    expect(calls).toBe(2);
  });
});
