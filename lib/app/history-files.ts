/**
 * Keeps the history the program simulator replays: the receipts and returns a batch of the
 * table's stream inserted, written as day files to the history bucket (storage/history-bucket.ts)
 * by the reports stream reader, one file per tenant and UTC day of commit in the batch. This is
 * what replaced an index entry per receipt (a write unit each, and bytes on the receipt item).
 *
 * The file's name comes from the batch (its first record), so a batch delivered again overwrites
 * its own files; a batch cut differently on a retry writes other files with some of the same
 * events, which the reader drops (storage/history.ts keeps each receipt and return once).
 */
import type { DynamoDBRecord } from 'aws-lambda';
import type { ChangeRecord } from '../events/outbox.ts';
import { deploymentHistoryWriter, type HistoryFileWriter } from '../storage/history-bucket.ts';
import { historyLineOf } from '../storage/history.ts';
import { replayEventOf } from '../storage/receipts.ts';

export interface HistoryFile {
  readonly tenantId: string;
  /** UTC day of commit, `YYYY-MM-DD`. */
  readonly day: string;
  readonly lines: string[];
}

/** The receipts and returns among `changes` (stream order), as lines by tenant and UTC day of commit. */
export function historyFilesOf(changes: readonly ChangeRecord[]): HistoryFile[] {
  const files = new Map<string, HistoryFile>();
  for (const c of changes) {
    const item = c.newImage;
    if (c.eventName !== 'INSERT' || !item || (item.type !== 'receipt' && item.type !== 'return')) continue;
    const tenantId = String(item.tenantId);
    const event = replayEventOf(item);
    const line = event
      ? historyLineOf(tenantId, event)
      : historyLineOf(tenantId, { customerId: String(item.customerId), storeId: String(item.storeId), receiptId: String(item.receiptId), at: new Date(String(item.committedAt)), unreplayable: true });
    const day = (event?.at ?? new Date(String(item.committedAt))).toISOString().slice(0, 10);
    const key = `${tenantId}|${day}`;
    const file = files.get(key) ?? { tenantId, day, lines: [] };
    file.lines.push(line);
    files.set(key, file);
  }
  return [...files.values()];
}

/** The name of a batch's files: its first record's sequence number and event id (unique in the stream). */
export function batchIdOf(records: readonly DynamoDBRecord[]): string {
  const first = records[0];
  return `${first?.dynamodb?.SequenceNumber ?? 'none'}-${first?.eventID ?? 'none'}`;
}

/** Writes the batch's day files (none without a bucket: tests that do not look at history); the files and lines written. */
export async function writeHistoryFiles(writer: HistoryFileWriter | null, batchId: string, changes: readonly ChangeRecord[]): Promise<{ files: number; lines: number; bytes: number }> {
  const files = writer ? historyFilesOf(changes) : [];
  const bytes = await Promise.all(files.map((f) => writer!.put(f.tenantId, f.day, batchId, f.lines)));
  return { files: files.length, lines: files.reduce((n, f) => n + f.lines.length, 0), bytes: bytes.reduce((a, b) => a + b, 0) };
}

let writer: HistoryFileWriter | null | undefined;
/** The reports stream reader's one call: this batch's day files to this deployment's history bucket. */
export const recordHistory = (records: readonly DynamoDBRecord[], changes: readonly ChangeRecord[]) =>
  writeHistoryFiles((writer ??= deploymentHistoryWriter()), batchIdOf(records), changes);
