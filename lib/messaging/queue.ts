/**
 * A queue the jobs fan out through. In AWS it is SQS (./sqs.ts); locally an in-process queue
 * with the same at-least-once, retry and dead-letter semantics (local/queues.ts). Consumers must
 * therefore be idempotent, and are.
 */
import * as z from '#domain/zod-mini.ts';

export interface Queue<T> {
  send(messages: readonly T[]): Promise<void>;
}

/**
 * A FIFO queue: messages of one group are received in the order sent, one group's next message
 * only after the one before it is done; a repeated dedup id within five minutes is dropped.
 */
export interface FifoQueue<T> {
  send(messages: ReadonlyArray<{ readonly body: T; readonly groupId: string; readonly dedupId: string }>): Promise<void>;
}

const id = z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,64}$/));
const day = z.iso.date();
const batch = { tenantId: id, day, customerIds: z.array(id).check(z.minLength(1), z.maxLength(100)) };

/** Work for the account worker: one kind of job, one day, a batch of customers of one tenant. */
export const accountJobSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('birthday'), ...batch }),
  z.strictObject({ kind: z.literal('expire'), ...batch }),
  z.strictObject({ kind: z.literal('reviewTier'), ...batch }),
  z.strictObject({ kind: z.literal('remindRefill'), ...batch }),
  z.strictObject({ kind: z.literal('segments'), ...batch }),
  z.strictObject({ kind: z.literal('remindExpiry'), lot: z.string().check(z.regex(/^\d{4}-\d{2}$/)), ...batch }),
]);
export type AccountJob = z.infer<typeof accountJobSchema>;

/** Customers per message: small enough that a retried message redoes little, large enough to save requests. */
export const CUSTOMERS_PER_MESSAGE = 25;

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * What the import queue carries: S3's event notification for a file that landed (and the test
 * event S3 sends when the notification is set up), or the worker's own note to go on with an
 * import it stopped at a checkpoint before its timeout.
 */
const s3Record = z.looseObject({
  eventName: z.string(),
  s3: z.looseObject({ bucket: z.looseObject({ name: z.string() }), object: z.looseObject({ key: z.string().check(z.maxLength(1024)), size: z.optional(z.int().check(z.gte(0))) }) }),
});
const importContinuation = z.strictObject({ kind: z.literal('continueImport'), bucket: z.string().check(z.minLength(3), z.maxLength(63)), key: z.string().check(z.maxLength(1024)) });
export type ImportContinuation = z.infer<typeof importContinuation>;
export const importMessageSchema = z.union([
  z.looseObject({ Records: z.array(s3Record).check(z.minLength(1), z.maxLength(100)) }),
  z.looseObject({ Event: z.literal('s3:TestEvent') }),
  importContinuation,
]);
export type ImportMessage = z.infer<typeof importMessageSchema>;

/** The object keys of the files a message is about (S3 keys arrive URL-encoded); none for S3's test event. */
export function importKeys(message: ImportMessage, bucket: string, decode: (key: string) => string): string[] {
  const continuation = importContinuation.safeParse(message);
  if (continuation.success) return continuation.data.bucket === bucket ? [continuation.data.key] : [];
  const records = (message as { Records?: Array<z.infer<typeof s3Record>> }).Records ?? [];
  return records.filter((r) => r.s3.bucket.name === bucket && r.eventName.startsWith('ObjectCreated:')).map((r) => decode(r.s3.object.key));
}

/** The simulation worker's work: a simulation to start or go on with (the worker queues its own continuation). */
export const simulationWorkSchema = z.strictObject({ kind: z.literal('simulate'), tenantId: id, simulationId: id });
/**
 * The nightly insight job's continuation (lib/app/insight-job.ts): the same worker, which reads
 * the same history, takes up a day's run where the jobs function saved it.
 */
export const insightWorkSchema = z.strictObject({ kind: z.literal('insight'), day: z.iso.date(), run: z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,80}$/)), tenantId: z.optional(id) });
export const historyWorkSchema = z.discriminatedUnion('kind', [simulationWorkSchema, insightWorkSchema]);
