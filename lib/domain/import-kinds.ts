/**
 * What an import file may be (kind, format), its bounds and how a refused row is told: shared by
 * the routes (POST /v1/imports), the bucket's object names and the import itself (./imports.ts),
 * apart from the member row rules so the route function does not build those (README, "Cold start").
 */

/** Documented bounds of one import (README "Migrating members"); each refusal names its limit. */
export const IMPORT_LIMITS = {
  /** Point lots one member may bring: the account keeps one bucket per expiry month. */
  maxLotsPerMember: 60,
  /** Points one member may bring in all (the API's limit on any one change). */
  maxPointsPerMember: 1_000_000_000,
  /** Size of one import file; a bigger chain splits its export. */
  maxFileBytes: 512 * 1024 * 1024,
  /** Characters in one CSV record or JSON line, so a broken file cannot exhaust memory. */
  maxRecordChars: 64 * 1024,
} as const;

/** What a file brings: members (a migration) or products (the catalog, README "Product catalog"). */
export const importKinds = ['members', 'products'] as const;
export type ImportKind = (typeof importKinds)[number];

export const importFormats = ['csv', 'jsonl'] as const;
export type ImportFormat = (typeof importFormats)[number];

/** One refusal: the column (dotted for JSON Lines, e.g. `lots.2.expiresOn`) and the rule it broke. */
export interface RowIssue {
  readonly field: string;
  readonly rule: string;
}
