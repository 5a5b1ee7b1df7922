/**
 * The lines of a receipts file as one part of a simulation reads them (local/simulate-worker.ts):
 * every part reads the whole file, but a line whose customer is plainly another part's is handed
 * on as '' (simulateFile counts it and skips it) without being decoded into a string. The
 * customer is found in the bytes as simulateFile's CUSTOMER pattern finds it in the text; a line
 * where that is not plain (no key, odd spacing, a long id) is decoded and handed on, and
 * simulateFile decides. Lines end at \n, \r\n or a lone \r, as node:readline splits them.
 */
import { open } from 'node:fs/promises';
import { customerShard } from '../lib/domain/simulation.ts';

const NL = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COLON = 0x3a;
const KEY = Buffer.from('"customerId"');

/** Spaces the pattern's \s matches that are one byte (the rest are not ASCII: such a line is decoded). */
const isAsciiSpace = (b: number) => b === 0x20 || (b >= 0x09 && b <= 0x0d);
const isIdByte = (b: number) => (b >= 0x30 && b <= 0x3a) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x2e || b === 0x5f || b === 0x2d;

/** The part (of `of`) whose customer the line [s, e) is for, or -1 when the bytes do not say it plainly. */
export function partOfLine(buf: Buffer, s: number, e: number, of: number): number {
  const k = buf.indexOf(KEY, s);
  if (k < 0 || k + KEY.length > e) return -1;
  let p = k + KEY.length;
  while (p < e && isAsciiSpace(buf[p]!)) p++;
  if (buf[p] !== COLON || p >= e) return -1;
  p++;
  while (p < e && isAsciiSpace(buf[p]!)) p++;
  if (buf[p] !== QUOTE || p >= e) return -1;
  const from = ++p;
  while (p < e && p - from <= 64 && isIdByte(buf[p]!)) p++;
  if (p >= e || buf[p] !== QUOTE || p === from || p - from > 64) return -1;
  // The id is ASCII, so its bytes are its characters: the same shard as customerShard of the text.
  return customerShard(buf.toString('latin1', from, p), of);
}

export async function* partLines(path: string, part: { readonly index: number; readonly of: number }, chunkBytes = 1 << 20): AsyncGenerator<string> {
  const file = await open(path);
  try {
    const chunk = Buffer.allocUnsafe(chunkBytes);
    let carry: Buffer | null = null;
    // The previous read ended on \r: a \n starting the next one is the same line break.
    let afterCR = false;
    const line = (buf: Buffer, s: number, e: number) => {
      const p = partOfLine(buf, s, e, part.of);
      return p >= 0 && p !== part.index ? '' : buf.toString('utf8', s, e);
    };
    for (;;) {
      const { bytesRead } = await file.read(chunk, 0, chunkBytes, null);
      if (bytesRead === 0) break;
      const read = chunk.subarray(0, bytesRead);
      const buf: Buffer = carry ? Buffer.concat([carry, read]) : read;
      let s = 0;
      if (afterCR && buf[0] === NL) s = 1;
      afterCR = false;
      const out: string[] = [];
      const hasCR = buf.indexOf(CR, s) >= 0;
      for (;;) {
        let e: number;
        if (!hasCR) e = buf.indexOf(NL, s);
        else {
          e = s;
          while (e < buf.length && buf[e] !== NL && buf[e] !== CR) e++;
          if (e === buf.length) e = -1;
        }
        if (e < 0) break;
        out.push(line(buf, s, e));
        if (buf[e] === CR) {
          if (e + 1 === buf.length) {
            afterCR = true;
            s = e + 1;
            break;
          }
          s = buf[e + 1] === NL ? e + 2 : e + 1;
        } else s = e + 1;
      }
      // The unfinished line waits for the next read (copied: the chunk is read into again).
      carry = s < buf.length ? Buffer.from(buf.subarray(s)) : null;
      yield* out;
    }
    if (carry) yield line(carry, 0, carry.length);
  } finally {
    await file.close();
  }
}
