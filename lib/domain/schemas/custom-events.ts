/** Custom-event rules as the program document states them (custom-events.ts prices events). */
import * as z from 'zod';
import { budgetPeriods } from '../budgets.ts';
import { attributeNameSchema, attributeValueSchema, eventTypeSchema, MAX_EVENT_ATTRIBUTES } from '../custom-events.ts';
import { budgetSchema } from './budgets.ts';
import { conditionsSchema } from './rules.ts';

export const eventRuleSchema = z
  .strictObject({
    id: z.string().min(1).max(64),
    name: z.string().min(1).max(200),
    /** The event type that earns. */
    event: eventTypeSchema,
    points: z.int().min(0).max(10_000_000),
    /** Each named attribute must have one of the listed values, e.g. `{ "channel": ["email"] }`. */
    attributes: z
      .record(attributeNameSchema, z.array(attributeValueSchema).min(1).max(50))
      .refine((a) => Object.keys(a).length >= 1 && Object.keys(a).length <= MAX_EVENT_ATTRIBUTES, `must name 1 to ${MAX_EVENT_ATTRIBUTES} attributes`)
      .meta({ minProperties: 1, maxProperties: MAX_EVENT_ATTRIBUTES })
      .optional(),
    /** How often one customer earns by this rule: `times` per `per` (program time). */
    limit: z.strictObject({ times: z.int().min(1).max(1000), per: z.enum(budgetPeriods) }).default({ times: 1, per: 'ever' }),
    /** Validity window, stores (the event's store), store tags, tiers, segments, days and hours. */
    when: conditionsSchema,
    /** A global budget (grants or points, all customers together); the per-customer limit is `limit`. */
    budget: budgetSchema.optional(),
  })
  .superRefine((r, ctx) => {
    if (r.budget?.perCustomer) ctx.addIssue({ code: 'custom', message: 'an event rule limits each customer with `limit`, not budget.perCustomer', path: ['budget', 'perCustomer'] });
    if (r.budget?.amount !== undefined) ctx.addIssue({ code: 'custom', message: 'amount (money) budgets are for discount coupon campaigns', path: ['budget', 'amount'] });
  });
