/**
 * A queue the jobs fan out through. In AWS it is SQS (./sqs.ts); locally an in-process queue
 * with the same at-least-once, retry and dead-letter semantics (local/queues.ts). Consumers must
 * therefore be idempotent, and are.
 */
import * as z from 'zod';

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

const id = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/);
const day = z.iso.date();
const batch = { tenantId: id, day, customerIds: z.array(id).min(1).max(100) };

/** Work for the account worker: one kind of job, one day, a batch of customers of one tenant. */
export const accountJobSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('birthday'), ...batch }),
  z.strictObject({ kind: z.literal('expire'), ...batch }),
  z.strictObject({ kind: z.literal('reviewTier'), ...batch }),
  z.strictObject({ kind: z.literal('remindRefill'), ...batch }),
  z.strictObject({ kind: z.literal('remindExpiry'), lot: z.string().regex(/^\d{4}-\d{2}$/), ...batch }),
]);
export type AccountJob = z.infer<typeof accountJobSchema>;

/** Customers per message: small enough that a retried message redoes little, large enough to save requests. */
export const CUSTOMERS_PER_MESSAGE = 25;

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
