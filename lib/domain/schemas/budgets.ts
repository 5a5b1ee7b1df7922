/** Campaign budgets as the program document states them (budgets.ts draws on them). */
import * as z from 'zod';
import { budgetPeriods } from '../budgets.ts';

const count = z.int().min(1).max(1_000_000_000);

export const perCustomerSchema = z
  .strictObject({
    /** The period the limits count in, program time: a calendar day, ISO week, calendar month, or ever. */
    per: z.enum(budgetPeriods),
    /** Most times it applies to one customer in the period. */
    grants: count.optional(),
    /** Most points it gives one customer in the period. */
    points: count.optional(),
  })
  .refine((p) => p.grants !== undefined || p.points !== undefined, 'must set grants or points');

export const budgetSchema = z
  .strictObject({
    /** Most times it applies, all customers together. */
    grants: count.optional(),
    /** Most points it gives, all customers together. */
    points: z.int().min(1).max(1_000_000_000_000).optional(),
    /** Most money (minor units) a discount coupon campaign takes off, all customers together. */
    amount: z.int().min(1).max(1_000_000_000_000_000).optional(),
    perCustomer: perCustomerSchema.optional(),
  })
  .refine((b) => b.grants !== undefined || b.points !== undefined || b.amount !== undefined || b.perCustomer !== undefined, 'must set grants, points, amount or perCustomer');
