/** Program simulations (group `simulations`). */
import * as z from '#domain/zod-mini.ts';

/** A simulation of a draft over a period of the chain's own receipts (README, "The program simulator"). */
export const startSimulationBody = z.strictObject({
  draft: z.record(z.string(), z.unknown()),
  /** The period, by when the till committed the receipts: `from` inclusive, `to` exclusive. */
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
  /** How many customers who gain and who lose most to list (default 20). */
  topN: z.optional(z.int().check(z.gte(1), z.lte(100))),
  /**
   * Days before `from` replayed first, not counted, so customers bring their balances, tiers and
   * counters into the period (default and at most simulation.maxWarmupDays, 366, checked by the
   * use case); 0 starts every customer with an empty account.
   */
  warmupDays: z.optional(z.int().check(z.gte(0))),
  /**
   * Which program builds the draft's accounts in the warm-up (`draftWarmups` in lib/domain/simulation.ts,
   * not imported: schemas stay free of the engine): `draft` (default), the draft as if in force
   * all along; `inForce`, the draft as if published at `from`, customers carrying in what the
   * program in force gave them.
   */
  draftWarmup: z.optional(z.enum(['draft', 'inForce'])),
});
