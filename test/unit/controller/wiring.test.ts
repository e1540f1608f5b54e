import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { compileServeConfig } from '../../../src/config.js';
import { silentLogger } from '../../../src/ports/logger.js';
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
});
