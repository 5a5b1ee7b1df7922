/** TransactWriteItems with the cancellation reasons turned into data the use cases can branch on. */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Db } from './client.ts';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export type CancellationCode = 'None' | 'ConditionalCheckFailed' | 'TransactionConflict' | string;

export type TransactResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reasons: ReadonlyArray<{ code: CancellationCode; item: Record<string, unknown> | undefined }>;
    };

export async function transactWrite(db: Db, items: TransactItem[]): Promise<TransactResult> {
  try {
    await db.doc.send(new TransactWriteCommand({ TransactItems: items }));
    return { ok: true };
  } catch (e) {
    if (e instanceof TransactionCanceledException) {
      const codes = (e.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
      // Only lost races are the caller's to handle; anything else (throttling, validation) is an error.
      if (!codes.every((c) => c === 'None' || c === 'ConditionalCheckFailed' || c === 'TransactionConflict')) {
        throw new StorageUnavailableError(`transaction cancelled: ${codes.join(',')}`, e);
      }
      return {
        ok: false,
        reasons: (e.CancellationReasons ?? []).map((r) => ({
          code: r.Code ?? 'None',
          item: r.Item ? unmarshall(r.Item) : undefined,
        })),
      };
    }
    throw e;
  }
}

/**
 * Runs `attempt` until it settles. Contention on one customer is short-lived, so a jittered
 * backoff lets 30 tills burning from the same balance all get an answer without a 5xx.
 */
export async function withOptimisticRetry<T>(attempt: () => Promise<{ done: true; value: T } | { done: false }>, maxAttempts = 64): Promise<T> {
  for (let i = 0; i < maxAttempts; i++) {
    const r = await attempt();
    if (r.done) return r.value;
    const cap = Math.min(200, 5 * 2 ** Math.min(i, 6));
    await new Promise((resolve) => setTimeout(resolve, Math.random() * cap));
  }
  throw new ContentionError();
}

/** The customer's record kept changing under us; the POS may retry (HTTP 503). */
export class ContentionError extends Error {
  readonly code = 'busy';
  constructor() {
    super('the customer is being updated by other requests; retry the same request');
    this.name = 'ContentionError';
  }
}

/**
 * DynamoDB could not take the request just now (throttling, a timeout, a 5xx). Nothing the
 * caller can see was half-written — a transaction is all or nothing — so the same request may
 * be retried (HTTP 503); if the write did land, the retry gets the stored answer.
 */
export class StorageUnavailableError extends Error {
  readonly code = 'unavailable';
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'StorageUnavailableError';
  }
}

const transientNames = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'TransactionInProgressException',
]);

/** Whether an error from the SDK is one a retry of the same request can get past. */
export function isTransientStorageError(e: unknown): boolean {
  if (e instanceof StorageUnavailableError) return true;
  if (!(e instanceof Error)) return false;
  const meta = e as Error & { $retryable?: unknown; $metadata?: { httpStatusCode?: number }; code?: string };
  return (
    transientNames.has(e.name) ||
    meta.$retryable !== undefined ||
    (meta.$metadata?.httpStatusCode ?? 0) >= 500 ||
    ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT'].includes(meta.code ?? '')
  );
}
