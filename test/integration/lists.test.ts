/** Lists page with a cursor: no route answers with "everything", which would stop silently at 1 MB. */
import { describe, expect, it } from 'vitest';
import { newTenant } from './harness.ts';

const journey = (journeyId: string) => ({
  journeyId,
  name: `Journey ${journeyId}`,
  trigger: { kind: 'event', eventType: 'customer.enrolled' },
  steps: [{ kind: 'message', channels: ['sms'], templates: { en: { text: 'Hello {{name}}' } } }],
});

async function everyPage(get: (path: string) => Promise<{ status: number; body: Record<string, unknown> }>, path: string, field: string) {
  const items: unknown[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const r = await get(`${path}?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(r.status).toBe(200);
    const page = r.body[field] as unknown[];
    expect(page.length).toBeLessThanOrEqual(2);
    items.push(...page);
    cursor = r.body.nextCursor as string | null;
    pages++;
  } while (cursor);
  return { items, pages };
}

describe('Lists that page', () => {
  it('should page through the keys and the journeys, two at a time, and refuse a cursor it did not make', async () => {
    const t = await newTenant();
    for (let i = 0; i < 4; i++) await t.staff('POST', '/v1/keys', { role: 'support', name: `support ${i}` });
    for (let i = 0; i < 5; i++) expect((await t.staff('POST', '/v1/journeys', journey(`j-${i}`))).status).toBe(201);
    const get = (path: string) => t.staff('GET', path);

    const allKeys = await everyPage(get, '/v1/keys', 'keys');
    // The harness's two POS keys and its admin key, and the four made here.
    expect(allKeys.items).toHaveLength(7);
    expect(allKeys.pages).toBeGreaterThanOrEqual(4);
    const allJourneys = await everyPage(get, '/v1/journeys', 'journeys');
    expect((allJourneys.items as Array<{ journeyId: string }>).map((j) => j.journeyId).sort()).toEqual(['j-0', 'j-1', 'j-2', 'j-3', 'j-4']);

    const keysCursor = (await get('/v1/keys?limit=1')).body.nextCursor as string;
    const r = await get(`/v1/journeys?cursor=${encodeURIComponent(keysCursor)}`);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ field: 'cursor' });
  });
});
