/**
 * A supplied file of receipts for the simulator: JSON Lines, one receipt or return per line, in
 * the shape the till posts them (`POST /v1/receipts`, `POST /v1/returns`) plus who and where:
 *
 *   {"customerId":"c-1","storeId":"S-01","receiptId":"R-1","occurredAt":"2026-11-02T10:00:00+04:00",
 *    "lines":[{"lineId":"1","sku":"A","category":"otc","quantity":1,"unitPrice":1000,"amount":1000}],
 *    "burn":{"points":50},"coupons":["SPRING-7KQ2M9XP4D"]}
 *   {"type":"return","customerId":"c-1","storeId":"S-01","returnId":"RET-1","receiptId":"R-1","at":"…","lines":[{"lineId":"1","quantity":1}]}
 *
 * `committedAt` (receipts, optional) is when the till committed it; it orders a customer's
 * receipts and is the engine's "now". A line that breaks a rule is refused with its field named.
 */
import * as z from 'zod';
import { id } from './ids.ts';
import { singleLine, singleLineMessage } from './text.ts';
import type { ReplayEvent } from './simulation.ts';

const code = z.string().min(1).max(64).refine(singleLine, singleLineMessage);
const money = z.int().min(0).max(1_000_000_000_000);
const quantity = z
  .number()
  .positive()
  .max(1_000_000)
  .refine((q) => Math.abs(q * 1000 - Math.round(q * 1000)) < 1e-6, 'may have at most 3 decimals');
const time = z.iso.datetime({ offset: true });

/** The most lines one receipt may have, as at the till. */
export const MAX_REPLAY_LINES = 500;

const receiptLineSchema = z.strictObject({
  type: z.literal('receipt').optional(),
  customerId: id,
  storeId: id,
  receiptId: id,
  occurredAt: time,
  committedAt: time.optional(),
  currency: z.string().optional(),
  lines: z
    .array(z.strictObject({ lineId: id, sku: code, category: code, quantity, unitPrice: money, amount: money }))
    .min(1)
    .max(MAX_REPLAY_LINES),
  burn: z.strictObject({ points: z.int().min(0).max(1_000_000_000) }).optional(),
  coupons: z.array(z.string().max(64)).max(5).optional(),
});

const returnLineSchema = z.strictObject({
  type: z.literal('return'),
  customerId: id,
  storeId: id,
  returnId: id,
  receiptId: id,
  receiptStoreId: id.optional(),
  at: time,
  lines: z
    .array(z.strictObject({ lineId: id, quantity }))
    .min(1)
    .max(MAX_REPLAY_LINES),
});

export type ReplayLineResult = { ok: true; event: ReplayEvent } | { ok: false; field: string; message: string };

const milli = (q: number) => Math.round(q * 1000);

/** One line of a receipts file → a replay event, or the first problem with its field. */
export function parseReplayLine(text: string): ReplayLineResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, field: '', message: 'is not a JSON object' };
  }
  return replayEventOf(raw);
}

/** A parsed line → a replay event, or the first problem with its field. */
export function replayEventOf(raw: unknown): ReplayLineResult {
  const isReturn = typeof raw === 'object' && raw !== null && (raw as { type?: unknown }).type === 'return';
  if (isReturn) {
    const r = returnLineSchema.safeParse(raw);
    if (!r.success) return problem(r.error);
    const v = r.data;
    return {
      ok: true,
      event: {
        type: 'return',
        customerId: v.customerId,
        storeId: v.storeId,
        returnId: v.returnId,
        receiptId: v.receiptId,
        receiptStoreId: v.receiptStoreId ?? v.storeId,
        at: new Date(v.at),
        lines: v.lines.map((l) => ({ lineId: l.lineId, quantityMilli: milli(l.quantity) })),
      },
    };
  }
  const r = receiptLineSchema.safeParse(raw);
  if (!r.success) return problem(r.error);
  const v = r.data;
  const occurredAt = new Date(v.occurredAt);
  return {
    ok: true,
    event: {
      type: 'receipt',
      customerId: v.customerId,
      storeId: v.storeId,
      receiptId: v.receiptId,
      occurredAt,
      at: v.committedAt ? new Date(v.committedAt) : occurredAt,
      lines: v.lines.map((l) => ({ lineId: l.lineId, sku: l.sku, category: l.category, quantityMilli: milli(l.quantity), unitPrice: l.unitPrice, amount: l.amount })),
      burnPoints: v.burn?.points ?? 0,
      coupons: (v.coupons ?? []).map((c) => c.trim().toUpperCase()),
    },
  };
}

function problem(e: z.ZodError): ReplayLineResult {
  const i = e.issues[0]!;
  return { ok: false, field: i.path.join('.'), message: i.message };
}
