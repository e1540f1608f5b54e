import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fourLetterWord, startZooKeeper, type TestZooKeeper } from '../support/zookeeper.js';

describe('test ZooKeeper server (test/support/zookeeper.ts)', () => {
  let zk: TestZooKeeper;
  beforeAll(async () => {
    zk = await startZooKeeper();
  });
  afterAll(async () => zk?.destroy());

  it('answers on its port, stops, and restarts on the same port', async () => {
    expect(await fourLetterWord(zk.port, 'ruok')).toBe('imok');
    expect(await fourLetterWord(zk.port, 'srvr')).toMatch(/Mode: standalone/);
    await zk.stop();
    expect(await fourLetterWord(zk.port, 'ruok')).toBe('');
    await zk.start();
    expect(await fourLetterWord(zk.port, 'ruok')).toBe('imok');
    expect(zk.url('/kairos')).toBe(`zk://127.0.0.1:${zk.port}/kairos`);
  });
});
