import { createHash } from 'node:crypto';

/** JSON with keys sorted at every level, so two equal bodies hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const requestHash = (body: unknown): string => createHash('sha256').update(canonicalJson(body)).digest('base64url');

/** A program draft's identity for "simulated before publishing": the document, keys in any order. */
export const draftHash = (document: unknown): string => requestHash(document);

/** A write's answer as first sent; `replayed` when a retry got it back instead of a new write. */
export interface Answer {
  readonly body: string;
  readonly replayed: boolean;
}
