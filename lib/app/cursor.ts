/**
 * Page cursors, the one way every list of the API hands out "the next page": an opaque base64url
 * of the sort key to continue after (and, where a cursor belongs to one thing, that thing's id),
 * checked on the way back in so that a made-up or borrowed cursor is a 400, never a read
 * somewhere else.
 */
import { InvalidRequestError } from './errors.ts';

export function encodeCursor(sk: string, scope?: string): string {
  return Buffer.from(JSON.stringify(scope === undefined ? { sk } : { sk, s: scope }), 'utf8').toString('base64url');
}

/** The sort key in `cursor`, if it is one this API made for `scope` and `accepts` it. */
export function decodeCursor(cursor: string, accepts: (sk: string) => boolean, scope?: string): string {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { sk?: unknown; s?: unknown };
    if (typeof v.sk === 'string' && v.sk.length > 0 && v.s === scope && accepts(v.sk)) return v.sk;
  } catch {
    // fall through to the 400 below
  }
  throw new InvalidRequestError('cursor: is not a cursor this API returned for this list', 'cursor');
}
