/**
 * How a receipt item keeps its first answer and its per-line allocation: both in one Binary
 * attribute, `packed`, compressed. DynamoDB bills a transaction's write per item per KB, twice:
 * the answer's JSON (~440 B a line) and the allocation (~200 B a line) were two items of 1–2 KB
 * each for five lines, 6–8 write units; packed they are one item under 1 KB (2 units). The
 * answer is kept as the exact string first sent, so a replay stays byte for byte whatever fields
 * answers gain. Items written before keep `response` (and `receipt`, or an allocation item) as
 * plain attributes and are read as they are. Only node:zlib: the outbox and the export decode
 * stream images and raw items with it.
 *
 * The first byte says how the rest is compressed, and every format stays readable:
 * 1. brotli (quality 5): what a receipt too long for deflate's 32 KB window is packed with;
 * 2. raw deflate primed with DICTIONARY_2, the shape of an answer and an allocation (their keys,
 *    no values). Most of a small answer is keys and punctuation that brotli's built-in web
 *    dictionary does not know: a 5-line answer and allocation (3 KB of JSON) pack into ~320 B
 *    instead of ~680 B, which keeps the receipt item well under 1 KB.
 */
import { brotliCompressSync, brotliDecompressSync, constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import type { CommittedReceipt } from '#domain/returns.ts';

const BROTLI = 1;
const DEFLATE_2 = 2;
/** Deflate's window: text longer than this gains little from the dictionary, and brotli's larger window wins. */
const DEFLATE_WINDOW = 32 * 1024;

const line = (lineId: string) => ({ lineId, amount: 0, tierDiscount: 0, rewardDiscount: 0, couponDiscount: 0, pointsDiscount: 0, paid: 0, pointsEarned: 0, pointsBurned: 0, pointsUsable: 0, earnedBy: [{ source: 0, points: 0 }] });
const tier = { id: '', name: '', discountBps: 0, assignedBy: 'program' };
const totals = { amount: 0, tierDiscount: 0, rewardDiscount: 0, couponDiscount: 0, pointsDiscount: 0, paid: 0, pointsEarned: 0, pointsBurned: 0 };
const allocationLine = (lineId: string) => ({ lineId, quantityMilli: 1000, amount: 0, tierDiscount: 0, rewardDiscount: 0, couponDiscount: 0, pointsDiscount: 0, paid: 0, pointsEarned: 0, pointsBurned: 0, sku: '', category: '', returnedMilli: 0 });
/**
 * Format 2's dictionary: never change it (receipts packed with it are read with it for as long as
 * they are kept; a better one is a format 3 beside it). Rarer parts first: deflate reaches the
 * end of the dictionary cheapest. A test pins its hash.
 */
export const DICTIONARY_2 = [
  JSON.stringify({ coupons: [{ code: '', campaignId: '', discount: 0, points: 0 }], rewards: { used: [{ rewardId: '', name: '', discount: 0, asGift: false }] }, sources: [{ kind: 'tier' }, { kind: 'rule' }, { kind: 'coupon' }] }),
  JSON.stringify({
    receiptId: '',
    customerId: 'c_',
    currency: '',
    programVersion: 1,
    tier,
    discount: { bps: 0, sources: [] },
    lines: [line('1'), line('2')],
    totals,
    burn: { requested: 0, maxPoints: 0, pointValue: 100 },
    earn: { points: 0, expiresOn: '2027-12-31', rules: [], sources: [{ kind: 'base', id: '', points: 0 }] },
    balance: { before: 0, after: 0 },
    tierAfter: tier,
    tierUpgrade: null,
    coupons: [],
    rewards: { used: [], unlocked: [] },
    storeId: '',
    committedAt: '2026-12-01T00:00:00.000Z',
  }),
  JSON.stringify({ lines: [allocationLine('1'), allocationLine('2')], earnLot: '2027-12', pendingKey: null, burnLotsRemaining: {}, month: '2026-12', rewardsUsed: [], coupons: [], progressEffects: [] }),
].join('\n');
let dictionary2: Buffer | undefined;
const dictionary = () => (dictionary2 ??= Buffer.from(DICTIONARY_2, 'utf8'));

export interface Packed {
  /** The first answer, as sent. */
  readonly response: string;
  readonly receipt: CommittedReceipt;
}

export function packReceipt(p: Packed): Uint8Array {
  // The answer's JSON never holds a raw newline, so it ends at the first one.
  const text = Buffer.from(`${p.response}\n${JSON.stringify(p.receipt)}`, 'utf8');
  const format = text.length <= DEFLATE_WINDOW ? DEFLATE_2 : BROTLI;
  const body =
    format === DEFLATE_2
      ? deflateRawSync(text, { level: 9, dictionary: dictionary() })
      : // Quality 5: within a few bytes of 9 at a tenth of its time (a 55-line receipt packs in under 1 ms).
        brotliCompressSync(text, {
          params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_SIZE_HINT]: text.length },
        });
  const out = new Uint8Array(body.length + 1);
  out[0] = format;
  out.set(body, 1);
  return out;
}

export function unpackReceipt(packed: Uint8Array): Packed {
  const body = packed.subarray(1);
  const raw = packed[0] === DEFLATE_2 ? inflateRawSync(body, { dictionary: dictionary() }) : packed[0] === BROTLI ? brotliDecompressSync(body) : undefined;
  if (!raw) throw new Error(`receipt item: unknown packed format ${packed[0]}`);
  const text = raw.toString('utf8');
  const cut = text.indexOf('\n');
  return { response: text.slice(0, cut), receipt: JSON.parse(text.slice(cut + 1)) as CommittedReceipt };
}

/** The first answer of a receipt item as stored, packed or (written before packing) plain. */
export function receiptAnswerOf(item: Readonly<Record<string, unknown>>): string {
  return item.packed instanceof Uint8Array ? unpackReceipt(item.packed).response : (item.response as string);
}
