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
import { id, isId } from './ids.ts';
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
  receiptStoreId: z.optional(id),
  at: time,
  lines: z
    .array(z.strictObject({ lineId: id, quantity }))
    .min(1)
    .max(MAX_REPLAY_LINES),
});

/**
 * The schemas above checked by hand, for the lines that pass them (nearly all of a file): zod
 * costs ~15 µs a line, this ~1 µs. Whatever this does not accept — a broken line, or one it
 * cannot vouch for — goes to the schemas, which refuse it with their message (or accept it: this
 * check may only ever be stricter). A test holds the two to the same answers.
 */
const timePattern = time.def.pattern!;
const isTime = (v: unknown): v is string => typeof v === 'string' && timePattern.test(v);
const isCode = (v: unknown): v is string => typeof v === 'string' && v.length >= 1 && v.length <= 64 && (printableAscii(v) || singleLine(v));
/** Printable ASCII is one line of allowed text; anything else is asked of the rule itself. */
const printableAscii = (s: string) => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
};
const isMoney = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 1_000_000_000_000;
const isQuantity = (v: unknown): v is number =>
  typeof v === 'number' && v > 0 && v <= 1_000_000 && Math.abs(v * 1000 - Math.round(v * 1000)) < 1e-6;
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isLines = (v: unknown): v is unknown[] => Array.isArray(v) && v.length >= 1 && v.length <= MAX_REPLAY_LINES;

const receiptKeys = new Set(Object.keys(receiptLineSchema.shape));
const receiptLineKeys = new Set(Object.keys(receiptLineSchema.shape.lines.element.shape));
const burnKeys = new Set(Object.keys(receiptLineSchema.shape.burn.unwrap().shape));
const returnKeys = new Set(Object.keys(returnLineSchema.shape));
const returnLineKeys = new Set(Object.keys(returnLineSchema.shape.lines.element.shape));
const onlyKeys = (o: Record<string, unknown>, allowed: ReadonlySet<string>) => {
  for (const k in o) if (!allowed.has(k)) return false;
  return true;
};

type ReceiptLineInput = z.infer<typeof receiptLineSchema>;
type ReturnLineInput = z.infer<typeof returnLineSchema>;

function checkedReceipt(v: Record<string, unknown>): ReceiptLineInput | null {
  if (!onlyKeys(v, receiptKeys)) return null;
  if (!(v.type === undefined || v.type === 'receipt')) return null;
  if (!isId(v.customerId) || !isId(v.storeId) || !isId(v.receiptId) || !isTime(v.occurredAt)) return null;
  if (!(v.committedAt === undefined || isTime(v.committedAt))) return null;
  if (!(v.currency === undefined || typeof v.currency === 'string')) return null;
  if (!isLines(v.lines)) return null;
  for (const l of v.lines) {
    if (!isPlainObject(l) || !onlyKeys(l, receiptLineKeys)) return null;
    if (!isId(l.lineId) || !isCode(l.sku) || !isCode(l.category) || !isQuantity(l.quantity) || !isMoney(l.unitPrice) || !isMoney(l.amount)) return null;
  }
  if (v.burn !== undefined) {
    const b = v.burn;
    if (!isPlainObject(b) || !onlyKeys(b, burnKeys)) return null;
    if (!(typeof b.points === 'number' && Number.isInteger(b.points) && b.points >= 0 && b.points <= 1_000_000_000)) return null;
  }
  if (v.coupons !== undefined) {
    if (!Array.isArray(v.coupons) || v.coupons.length > 5) return null;
    for (const c of v.coupons) if (typeof c !== 'string' || c.length > 64) return null;
  }
  return v as unknown as ReceiptLineInput;
}

function checkedReturn(v: Record<string, unknown>): ReturnLineInput | null {
  if (!onlyKeys(v, returnKeys)) return null;
  if (!isId(v.customerId) || !isId(v.storeId) || !isId(v.returnId) || !isId(v.receiptId) || !isTime(v.at)) return null;
  if (!(v.receiptStoreId === undefined || isId(v.receiptStoreId))) return null;
  if (!isLines(v.lines)) return null;
  for (const l of v.lines) if (!isPlainObject(l) || !onlyKeys(l, returnLineKeys) || !isId(l.lineId) || !isQuantity(l.quantity)) return null;
  return v as unknown as ReturnLineInput;
}

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
  if (!isPlainObject(raw)) return replayEventBySchema(raw);
  if (raw.type === 'return') {
    const checked = checkedReturn(raw);
    return checked ? returnEvent(checked) : replayEventBySchema(raw);
  }
  const checked = checkedReceipt(raw);
  return checked ? receiptEvent(checked) : replayEventBySchema(raw);
}

/** Whether the hand check alone accepts `raw` (what the test holds to the schemas). */
export const passesHandCheck = (raw: unknown): boolean => isPlainObject(raw) && (raw.type === 'return' ? checkedReturn(raw) : checkedReceipt(raw)) !== null;

/** `replayEventOf` by the schemas alone: the reference the hand check must agree with, and every refusal's message. */
export function replayEventBySchema(raw: unknown): ReplayLineResult {
  const isReturn = typeof raw === 'object' && raw !== null && (raw as { type?: unknown }).type === 'return';
  if (isReturn) {
    const r = returnLineSchema.safeParse(raw);
    return r.success ? returnEvent(r.data) : problem(r.error);
  }
  const r = receiptLineSchema.safeParse(raw);
  return r.success ? receiptEvent(r.data) : problem(r.error);
}

function returnEvent(v: ReturnLineInput): ReplayLineResult {
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

function receiptEvent(v: ReceiptLineInput): ReplayLineResult {
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
