/**
 * A stand-in controller process for HA tests: it joins the election through the real
 * `openZookeeperHa` and, while it leads, "launches" a fixed schedule (one slot every
 * `slotMs` from `t0`) the way the controller must: each launch is one fenced commit that
 * creates `runs/<slot>` (create-if-absent) and advances `sched/cursor`. Every event is a
 * JSON line on stdout, so tests wait on events.
 *
 *   node --import tsx test/support/ha-candidate.ts <zk-url> <name> <t0-ms> <slot-ms> <session-ms>
 */
import { KairosError, messageOf } from '../../src/core/errors.js';
import { openZookeeperHa } from '../../src/ha/zookeeper-ha.js';
import { systemClock as clock } from '../../src/ports/clock.js';

const [url, name, t0Text, slotText, sessionText] = process.argv.slice(2);
const t0 = Number(t0Text);
const slotMs = Number(slotText);
const say = (ev: Record<string, unknown>) => process.stdout.write(JSON.stringify({ ...ev, by: name, at: clock.now() }) + '\n');

const ha = await openZookeeperHa(url, `http://${name}.invalid`, { sessionTimeoutMs: Number(sessionText) });
ha.leadership.onChange((s) => say({ ev: s.leader ? 'leader' : 'follower', epoch: s.epoch }));
process.on('SIGTERM', () => void ha.close().finally(() => process.exit(0)));
say({ ev: 'ready' });

for (let idle = true; ; ) {
  if (idle) await clock.sleep(10);
  idle = true;
  if (!ha.leadership.isLeader()) continue;
  const epoch = ha.leadership.epoch();
  try {
    const cursor = await ha.store.get<{ next: number }>('sched/cursor');
    const slot = cursor?.value.next ?? 0;
    if (t0 + slot * slotMs > clock.now()) continue;
    idle = false;
    await ha.store.commit([
      { op: 'put', key: `runs/${slot}`, value: { by: name, epoch }, expectedVersion: -1 },
      { op: 'put', key: 'sched/cursor', value: { next: slot + 1 }, expectedVersion: cursor?.version ?? -1 },
    ]);
    say({ ev: 'launch', slot, epoch });
  } catch (err) {
    say({ ev: err instanceof KairosError ? err.code : 'error', message: messageOf(err) });
  }
}
