import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { leaderZnode, masterUrl, parseMesosAddress, zkDetector } from '../../../src/mesos/leader.js';
import { FakeClock } from '../../support/fake-clock.js';

describe('parseMesosAddress', () => {
  it('reads URL lists, bare host:port and zk:// addresses', () => {
    expect(parseMesosAddress('http://m1:5050,http://m2:5051')).toEqual({ kind: 'http', urls: ['http://m1:5050', 'http://m2:5051'] });
    expect(parseMesosAddress('m1,m2:6000')).toEqual({ kind: 'http', urls: ['http://m1:5050', 'http://m2:6000'] });
    expect(parseMesosAddress('zk://z1:2181,z2:2181/mesos/')).toEqual({ kind: 'zk', hosts: 'z1:2181,z2:2181', path: '/mesos' });
    expect(() => parseMesosAddress('zk://z1:2181')).toThrow(/--mesos: expected zk:/);
    expect(() => parseMesosAddress('https://m1:5050')).toThrow(/only http:\/\/ masters are supported/);
    expect(() => parseMesosAddress('http://proxy/mesos')).toThrow(/a master address has no path/);
    expect(parseMesosAddress('http://m1:5050/')).toEqual({ kind: 'http', urls: ['http://m1:5050'] });
  });
});

describe('leader selection', () => {
  it('picks the smallest json.info_ sequence and ignores other children', () => {
    expect(leaderZnode(['log_replicas', 'json.info_0000000012', 'info_0000000001', 'json.info_0000000009'])).toBe('json.info_0000000009');
    expect(leaderZnode(['log_replicas'])).toBeUndefined();
  });

  it('reads the address from MasterInfo, hostname before ip', () => {
    expect(masterUrl({ id: 'x', ip: 0, port: 5050, address: { hostname: 'm1', ip: '10.0.0.1', port: 5051 } })).toBe('http://m1:5051');
    expect(masterUrl({ id: 'x', ip: 0, port: 5050, address: { ip: '10.0.0.1', port: 5051 } })).toBe('http://10.0.0.1:5051');
    // Legacy: ip is a uint32 in network byte order.
    expect(masterUrl({ id: 'x', ip: 0x0100007f, port: 5050 })).toBe('http://127.0.0.1:5050');
  });
});

describe('zkDetector close()', () => {
  it('ends a connection attempt under way: detect() rejects and no timer is left', async () => {
    const free = net.createServer();
    await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
    const port = (free.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => free.close(() => resolve()));
    const clock = new FakeClock();
    // Nothing listens there: the client keeps retrying until the 10 s timeout or close().
    const d = zkDetector(`127.0.0.1:${port}`, '/mesos', clock);
    const detecting = d.detect();
    expect(clock.pending()).toBe(1);
    await d.close();
    await expect(detecting).rejects.toThrow(/detector closed/);
    expect(clock.pending()).toBe(0);
  });
});
