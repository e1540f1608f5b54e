import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFlags } from '../../src/cli/embedded-master.js';
import { frameworkInfo, Subscription } from './embedded-master-client.js';

describe('kairos embedded-master', () => {
  it('validates its flags, naming the bad one', () => {
    expect(parseFlags({ listen: '127.0.0.1:5050', agents: '1', simulated: '3' })).toMatchObject({ host: '127.0.0.1', port: 5050, localAgents: 1, simulatedAgents: 3 });
    expect(parseFlags({ listen: '[::1]:0', agents: '0', simulated: '0' })).toMatchObject({ host: '::1', port: 0 });
    expect(() => parseFlags({ listen: 'localhost', agents: '1', simulated: '0' })).toThrow(/^--listen: "localhost" is not host:port/);
    expect(() => parseFlags({ listen: '127.0.0.1:70000', agents: '1', simulated: '0' })).toThrow(/--listen/);
    expect(() => parseFlags({ listen: '127.0.0.1:1', agents: '-1', simulated: '0' })).toThrow(/^--agents: /);
    expect(() => parseFlags({ listen: '127.0.0.1:1', agents: '1', simulated: 'x' })).toThrow(/^--simulated: /);
  });

  it('reads a Mesos credentials file without ever quoting a secret, and takes --offer-timeout and --fault-hooks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kairos-cred-'));
    try {
      const good = join(dir, 'good.json');
      writeFileSync(good, JSON.stringify({ credentials: [{ principal: 'kairos', secret: 'very-secret-1' }] }));
      expect(parseFlags({ listen: '127.0.0.1:0', agents: '0', simulated: '0', credentials: good, offerTimeout: '30', faultHooks: true })).toMatchObject({
        credentials: [{ principal: 'kairos', secret: 'very-secret-1' }],
        offerTimeoutMs: 30_000,
        faultHooks: true,
      });
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, '{"credentials": [{"principal": "kairos", "secret": "very-secret-2"');
      expect(() => parseFlags({ listen: '127.0.0.1:0', agents: '0', simulated: '0', credentials: bad })).toThrow(/--credentials .*bad.json: cannot read/);
      writeFileSync(bad, JSON.stringify({ credentials: [{ principal: 'kairos', secret: '' }] }));
      expect(() => parseFlags({ listen: '127.0.0.1:0', agents: '0', simulated: '0', credentials: bad })).toThrow(/credentials\[0\] needs/);
      expect(parseFlags({ listen: '127.0.0.1:0', agents: '0', simulated: '0' })).not.toHaveProperty('faultHooks');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs on its own: serves the scheduler API and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'embedded-master', '--listen', '127.0.0.1:0', '--agents', '0', '--simulated', '2'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) resolve(m[1]);
        });
        child.once('exit', () => reject(new Error(`exited early: ${out}`)));
      });
      const s = await Subscription.open(url, frameworkInfo(), 'application/x-protobuf');
      await s.take((e) => e.type === 'SUBSCRIBED');
      const offered = new Set<string>();
      while (offered.size < 2) for (const o of (await s.take((e) => e.type === 'OFFERS')).offers!.offers!) offered.add(o.agent_id.value);
      s.close();
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
