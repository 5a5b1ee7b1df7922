import { describe, expect, it } from 'vitest';
import { envelopeSchema } from '#lib/events/catalog.ts';
import { eventsFromChange } from '#lib/events/outbox.ts';

const at = '2027-03-15T10:00:00.000Z';
const customerPk = 'T#t1#C#c_1';

describe('eventsFromChange (the outbox mapping)', () => {
  it('turns each ledger kind into its event, with the ledger row as the id source', () => {
    const kinds = { earn: 'points.earned', burn: 'points.burned', earn_reversal: 'points.reversed', burn_refund: 'points.refunded', release: 'points.released', adjustment: 'points.adjusted', expiry: 'points.expired', bonus: 'bonus.granted' };
    for (const [kind, type] of Object.entries(kinds)) {
      const newImage = { pk: customerPk, sk: 'LEDGER#000000000007', type: 'ledger', kind, seq: 7, points: -5, lots: {}, debt: 0, balanceAfter: 95, at, source: { reason: 'x', actor: 'staff:anna' } };
      const [e, ...rest] = eventsFromChange({ eventName: 'INSERT', newImage, at });
      expect(rest).toEqual([]);
      expect(e).toMatchObject({ type, tenantId: 't1', customerId: 'c_1', occurredAt: at, data: { seq: 7, points: -5, balanceAfter: 95, pendingPoints: 0 } });
      envelopeSchema(e!.type).parse(e);
      // The same record again (a stream redelivery) has the same id.
      expect(eventsFromChange({ eventName: 'INSERT', newImage, at })[0]!.id).toBe(e!.id);
    }
  });

  it('publishes no points event for what a receipt or a return already says: one event per receipt', () => {
    const entry = (kind: string, source: Record<string, string>) => ({ pk: customerPk, sk: 'LEDGER#000000000008', type: 'ledger', kind, seq: 8, points: 5, lots: {}, debt: 0, balanceAfter: 95, at, source });
    const fromReceipt = { receiptId: 'R-1', storeId: 'S-01' };
    const fromReturn = { ...fromReceipt, returnId: 'RET-1' };
    for (const [kind, source] of [['earn', fromReceipt], ['burn', fromReceipt], ['earn_reversal', fromReturn], ['burn_refund', fromReturn]] as const) {
      expect(eventsFromChange({ eventName: 'INSERT', newImage: entry(kind, source), at }), kind).toEqual([]);
    }
    // A bonus the receipt set off (a level's bonus) is not in the receipt's event: it is published.
    expect(eventsFromChange({ eventName: 'INSERT', newImage: entry('bonus', fromReceipt), at }).map((e) => e.type)).toEqual(['bonus.granted']);
  });

  it('reports level changes on the customer item, by the program and by staff, and nothing for other updates', () => {
    const base = { pk: customerPk, sk: 'CUSTOMER', type: 'customer', tenantId: 't1', customerId: 'c_1', version: 4 };
    const up = eventsFromChange({ eventName: 'MODIFY', oldImage: { ...base, account: { tierId: 'silver', staffTierId: null } }, newImage: { ...base, version: 5, account: { tierId: 'gold', staffTierId: 'vip' } }, at });
    expect(up.map((e) => e.data)).toEqual([
      { from: 'silver', to: 'gold', by: 'program' },
      { from: null, to: 'vip', by: 'staff' },
    ]);
    expect(eventsFromChange({ eventName: 'MODIFY', oldImage: { ...base, account: { tierId: 'gold', available: 1 } }, newImage: { ...base, account: { tierId: 'gold', available: 2 } }, at })).toEqual([]);
  });

  it('announces segments entered and left on the customer item, once per segment and version, in the catalog schema', () => {
    const base = { pk: customerPk, sk: 'CUSTOMER', type: 'customer', tenantId: 't1', customerId: 'c_1', version: 7 };
    const change = { eventName: 'MODIFY' as const, oldImage: { ...base, version: 6, account: { segments: ['a', 'b'] } }, newImage: { ...base, account: { segments: ['b', 'c'] } }, at };
    const events = eventsFromChange(change);
    expect(events.map((e) => [e.type, e.data])).toEqual([
      ['segment.entered', { segmentId: 'c' }],
      ['segment.left', { segmentId: 'a' }],
    ]);
    for (const e of events) expect(envelopeSchema(e.type).safeParse(e).success).toBe(true);
    expect(eventsFromChange(change).map((e) => e.id)).toEqual(events.map((e) => e.id));
    expect(eventsFromChange({ ...change, newImage: { ...base, account: { segments: ['a', 'b'] } } })).toEqual([]);
  });

  it('announces coupons issued to a customer, not codes anyone may use, and ignores removals and bookkeeping items', () => {
    const coupon = { pk: 'T#t1#CPN#ABC', sk: 'COUPON', type: 'coupon', tenantId: 't1', code: 'ABC', campaignId: 'spring', issuedAt: at };
    expect(eventsFromChange({ eventName: 'INSERT', newImage: { ...coupon, customerId: 'c_1' }, at })).toEqual([expect.objectContaining({ type: 'coupon.issued', customerId: 'c_1' })]);
    expect(eventsFromChange({ eventName: 'INSERT', newImage: coupon, at })).toEqual([]);
    expect(eventsFromChange({ eventName: 'REMOVE', oldImage: coupon, at })).toEqual([]);
    expect(eventsFromChange({ eventName: 'INSERT', newImage: { pk: 'T#t1#JOB#birthday', sk: '2027-02-28', type: 'jobRun' }, at })).toEqual([]);
  });

  it('announces rewards a receipt unlocked, in the catalog schema (the answer names the reward, not its rule)', () => {
    const response = JSON.stringify({ totals: { amount: 1000, paid: 1000, pointsEarned: 10, pointsBurned: 0 }, balance: { after: 10 }, rewards: { unlocked: [{ rewardId: 'eleventh:1', name: '10 % off' }] } });
    const events = eventsFromChange({ eventName: 'INSERT', newImage: { pk: 'T#t1#S#S-01#R#R-1', sk: 'RECEIPT', type: 'receipt', tenantId: 't1', storeId: 'S-01', receiptId: 'R-1', customerId: 'c_1', committedAt: at, occurredAt: at, response }, at });
    expect(events.map((e) => e.type)).toEqual(['receipt.committed', 'reward.unlocked']);
    for (const e of events) envelopeSchema(e.type).parse(e);
    expect(events[1]!.data).toMatchObject({ rewardId: 'eleventh:1', ruleId: 'eleventh', count: 1 });
  });

  it('says how many rewards an unlocked entry holds, so a receipt that unlocks ten counted rewards announces ten', () => {
    const response = JSON.stringify({ totals: { amount: 1000, paid: 1000, pointsEarned: 10, pointsBurned: 0 }, balance: { after: 10 }, rewards: { unlocked: [{ rewardId: 'tenth:1', name: 'Every tenth', count: 10 }] } });
    const [, unlocked] = eventsFromChange({ eventName: 'INSERT', newImage: { pk: 'T#t1#S#S-01#R#R-2', sk: 'RECEIPT', type: 'receipt', tenantId: 't1', storeId: 'S-01', receiptId: 'R-2', customerId: 'c_1', committedAt: at, occurredAt: at, response }, at });
    envelopeSchema('reward.unlocked').parse(unlocked);
    expect(unlocked!.data).toMatchObject({ rewardId: 'tenth:1', count: 10 });
  });

  it('announces the birthday grant and the expiry reminder from their once-only records', () => {
    const [b] = eventsFromChange({ eventName: 'INSERT', newImage: { pk: customerPk, sk: 'BDAY#2027', type: 'birthdayGrant', tenantId: 't1', customerId: 'c_1', day: '2027-02-28', points: 100, at }, at });
    expect(b).toMatchObject({ type: 'birthday.granted', data: { year: '2027', day: '2027-02-28', points: 100 } });
    const [r] = eventsFromChange({ eventName: 'INSERT', newImage: { pk: customerPk, sk: 'REMIND#EXPIRY#2027-03', type: 'expiryReminder', tenantId: 't1', customerId: 'c_1', lot: '2027-03', points: 40, expiresOn: '2027-03-31', balance: 90, at }, at });
    expect(r).toMatchObject({ type: 'points.expiring', data: { lot: '2027-03', points: 40, expiresOn: '2027-03-31', balance: 90 } });
  });

  it('announces a migrated member as imported, not enrolled (no welcome message), and its opening entry not again', () => {
    const customer = { pk: customerPk, sk: 'CUSTOMER', type: 'customer', tenantId: 't1', customerId: 'c_1', createdAt: at, locale: 'hy', consents: { sms: true }, account: { available: 800 } };
    const [e, ...rest] = eventsFromChange({ eventName: 'INSERT', newImage: { ...customer, importId: 'imp_1' }, at });
    expect(rest).toEqual([]);
    expect(e).toMatchObject({ type: 'customer.imported', customerId: 'c_1', data: { importId: 'imp_1', locale: 'hy', consents: { sms: true, email: false, push: false }, balance: 800 } });
    envelopeSchema(e!.type).parse(e);
    expect(eventsFromChange({ eventName: 'INSERT', newImage: customer, at }).map((x) => x.type)).toEqual(['customer.enrolled']);
    const opening = { pk: customerPk, sk: 'LEDGER#000000000001', type: 'ledger', kind: 'migrated', seq: 1, points: 800, lots: { '2027-03': 800 }, debt: 0, balanceAfter: 800, at, source: { importId: 'imp_1' } };
    expect(eventsFromChange({ eventName: 'INSERT', newImage: opening, at })).toEqual([]);
  });
});
