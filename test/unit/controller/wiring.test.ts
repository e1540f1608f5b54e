import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { compileServeConfig } from '../../../src/config.js';
import { silentLogger } from '../../../src/ports/logger.js';
import { FileStore } from '../../../src/store/file-store.js';
import { startController } from '../../../src/wiring.js';

describe('startController refuses to start, saying why', () => {
  it('when the listen address is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const config = compileServeConfig({ source: '.', store: 'memory', mesos: 'http://127.0.0.1:1', listen: `127.0.0.1:${port}` });
      await expect(startController(config, { logger: silentLogger })).rejects.toMatchObject({
        code: 'E_UNAVAILABLE',
        message: `cannot listen on 127.0.0.1:${port}: EADDRINUSE (--listen)`,
      });
    } finally {
      blocker.close();
    }
  });

  it('on a non-loopback address without access tokens', async () => {
    const config = compileServeConfig({ source: '.', store: 'memory', mesos: 'http://127.0.0.1:1', listen: '0.0.0.0:0' });
    await expect(startController(config, { logger: silentLogger })).rejects.toMatchObject({ code: 'E_INVALID', message: expect.stringMatching(/refusing to listen on 0.0.0.0 without access tokens/) });
  });

  it('on a file store another process writes, naming its pid', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kairos-wiring-'));
    const owner = await FileStore.openExclusive(join(dir, 'state.json'));
    try {
      const config = compileServeConfig({ source: '.', store: `file:${join(dir, 'state.json')}`, mesos: 'http://127.0.0.1:1', listen: '127.0.0.1:0' });
      await expect(startController(config, { logger: silentLogger })).rejects.toMatchObject({ code: 'E_UNAVAILABLE', message: expect.stringContaining(`in use by pid ${process.pid}`) });
    } finally {
      await owner.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
