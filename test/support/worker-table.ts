/**
 * Points this worker at its own table (created by test/support/global-setup.ts): files running
 * at the same time in other workers write to theirs, and nothing reading one table's stream sees
 * another worker's tenants. Files that run one after another in a worker share its table.
 */
import { TABLE_NAME_ENV } from '../../lib/storage/table.ts';

export const workerTable = (poolId: number): string => `tally-test-${poolId}`;

// VITEST_POOL_ID is 1…maxWorkers; unset only outside a vitest worker (the global setup imports this file).
if (process.env.VITEST_POOL_ID) process.env[TABLE_NAME_ENV] = workerTable(Number(process.env.VITEST_POOL_ID));
