/**
 * Wording of the plan's capacity section (capacity.ts), shared by the text and markdown
 * renderers: the cluster line, each changed resource's fit, and the hours that carry
 * demand (hours without any are left out of the human forms; the JSON lists all 24).
 */
import type { CapacityEntry, DemandHour, PlanCapacity } from './types.js';

/** `12m`, `1h30m`, `45s`: a duration as people read it. */
export function shortDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  return m % 60 ? `${Math.floor(m / 60)}h${m % 60}m` : `${Math.floor(m / 60)}h`;
}

/** `from --server http://…, read 2026-06-15T09:29:00Z: 2 agents, 10 cpus, 36864 MiB mem in all`. */
export function clusterLine(c: PlanCapacity): string {
  return `${c.source}, read ${iso(c.factsAt)}: ${c.agents} agent${c.agents === 1 ? '' : 's'}, ${c.total.cpus} cpus, ${c.total.mem} MiB mem in all`;
}

/** `cpus 8, mem 32768, disk 102400, gpus 0, ports 1001`. */
export function largestLine(c: PlanCapacity): string {
  const l = c.largest;
  return `cpus ${l.cpus}, mem ${l.mem}, disk ${l.disk}, gpus ${l.gpus}, ports ${l.ports}`;
}

/** `rack=r0,r1; zone=a` or `none`. */
export function attributesLine(c: PlanCapacity): string {
  const parts = Object.entries(c.attributes).map(([k, v]) => `${k}=${v.join(',')}`);
  return parts.length ? parts.join('; ') : 'none';
}

/** `fits` or `does NOT fit: <reason>`. */
export function fitWords(e: CapacityEntry): string {
  return e.fits ? 'fits' : `does NOT fit: ${e.reason}`;
}

/** `cpus 2, mem 2048 a run, expected 12m (history)`. */
export function demandWords(e: CapacityEntry): string {
  return `cpus ${e.cpus}, mem ${e.mem} a run, expected ${shortDuration(e.expectedMs)} (${e.expectedFrom === 'default' ? 'default: no history, no timeoutSeconds' : e.expectedFrom})`;
}

/** The hours with demand, with whether they exceed the cluster's capacity. */
export function busyHours(c: PlanCapacity): { hour: DemandHour; label: string; over: boolean }[] {
  return c.hours
    .filter((h) => h.cpus > 0 || h.mem > 0)
    .map((hour) => ({ hour, label: iso(hour.start).slice(0, 16) + 'Z', over: hour.cpus > c.total.cpus || hour.mem > c.total.mem }));
}

/** `peak cpus 2.1 of 10, mem 2176 of 36864 MiB`. */
export function peakLine(c: PlanCapacity): string {
  return `peak cpus ${c.peak.cpus} of ${c.total.cpus}, mem ${c.peak.mem} of ${c.total.mem} MiB`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
