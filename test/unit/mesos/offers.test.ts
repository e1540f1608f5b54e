import { describe, expect, it } from 'vitest';
import { OfferBook, toMatchOffer } from '../../../src/mesos/offers.js';
import type { Offer } from '../../../src/mesos/types.js';

const offer: Offer = {
  id: { value: 'O1' },
  framework_id: { value: 'F' },
  agent_id: { value: 'A1' },
  hostname: 'h1',
  allocation_info: { role: 'kairos' },
  resources: [
    { name: 'cpus', type: 'SCALAR', scalar: { value: 1.5 }, allocation_info: { role: 'kairos' } },
    { name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, allocation_info: { role: 'kairos' }, revocable: {} },
    { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 31009 }] }, allocation_info: { role: 'kairos' } },
  ],
  attributes: [
    { name: 'rack', type: 'TEXT', text: { value: 'r1' } },
    { name: 'cores', type: 'SCALAR', scalar: { value: 4 } },
    { name: 'r', type: 'RANGES', ranges: { range: [{ begin: 1, end: 5 }] } },
    { name: 's', type: 'SET', set: { item: ['a', 'b'] } },
  ],
};

describe('toMatchOffer', () => {
  it('keeps role, attributes as text, and usable pools only', () => {
    const m = toMatchOffer(offer);
    expect(m).toMatchObject({ id: 'O1', agentId: 'A1', hostname: 'h1', role: 'kairos', attributes: { rack: 'r1', cores: '4', r: '[1-5]', s: '{a,b}' } });
    expect(m.pools).toEqual([
      { name: 'cpus', template: { name: 'cpus', type: 'SCALAR', allocation_info: { role: 'kairos' } }, milli: 1500, ranges: [] },
      { name: 'ports', template: { name: 'ports', type: 'RANGES', allocation_info: { role: 'kairos' } }, milli: 0, ranges: [[31000, 31009]] },
    ]);
  });
});

describe('OfferBook', () => {
  it('holds, rescinds, takes and clears offers', () => {
    const b = new OfferBook();
    b.add(offer);
    b.add({ ...offer, id: { value: 'O2' } });
    b.rescind('O1');
    expect(b.takeAll().map((o) => o.id)).toEqual(['O2']);
    expect(b.size).toBe(0);
    b.add(offer);
    b.clear();
    expect(b.size).toBe(0);
  });
});
