import { describe, expect, it } from 'vitest';
import { createDb } from '#lib/storage/client.ts';
import { programRepository } from '#lib/storage/programs.ts';
import { scenarioProgram } from './harness.ts';

describe('Program cache', () => {
  it('should serve the cached program within the TTL and the newly published one after it', async () => {
    const db = createDb();
    let now = 1_000_000;
    const tillSide = programRepository(db, { ttlMs: 30_000, clock: () => now });
    const adminSide = programRepository(db);
    const tenant = `cache-${Date.now()}`;

    await adminSide.publish(tenant, scenarioProgram, 'test', new Date().toISOString());
    expect((await tillSide.current(tenant))?.version).toBe(1);

    await adminSide.publish(tenant, { ...scenarioProgram, name: 'Second' }, 'test', new Date().toISOString());
    now += 29_000;
    expect((await tillSide.current(tenant))?.program.name).toBe('Integration');
    now += 2_000;
    expect((await tillSide.current(tenant))?.program.name).toBe('Second');
    expect((await tillSide.current(tenant))?.version).toBe(2);
  });
});
