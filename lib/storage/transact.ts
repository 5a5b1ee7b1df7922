/** TransactWriteItems with the cancellation reasons turned into data the use cases can branch on. */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Db } from './client.ts';
import { metricNames } from '../observability/metric-names.ts';
import { count } from '../observability/metrics.ts';

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
      // A refused item (too large, an invalid key) fails the same way on every retry: say which limit.
      const refused = (e.CancellationReasons ?? []).find((r) => r.Code === 'ValidationError');
      if (refused) throw storageLimitError(refused.Message ?? 'ValidationError', e);
      // Only lost races are the caller's to handle; anything else (throttling) is worth a retry.
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
    if (e instanceof Error && e.name === 'ValidationException') throw storageLimitError(e.message, e);
    throw e;
  }
}

/**
 * How long a request may spend retrying a contended customer before it answers 503. It must end
 * well inside the route function's timeout (10 s, infra/constructs/tally-function.ts; a test
 * holds them apart), or API Gateway answers a bare 502 instead of the documented 503.
 */
export const RETRY_BUDGET_MS = 3_000;

export interface RetryOptions {
  readonly budgetMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` until it settles or the time budget is spent. Contention on one customer is
 * short-lived, so a jittered backoff lets 30 tills burning from the same balance all get an
 * answer without a 5xx.
 */
export async function withOptimisticRetry<T>(attempt: () => Promise<{ done: true; value: T } | { done: false }>, options: RetryOptions = {}): Promise<T> {
  const { budgetMs = RETRY_BUDGET_MS, now = Date.now, sleep = sleepFor } = options;
  const deadline = now() + budgetMs;
  for (let i = 0; ; i++) {
    const r = await attempt();
    if (r.done) return r.value;
    const cap = Math.min(200, 5 * 2 ** Math.min(i, 6));
    const wait = Math.random() * cap;
    if (now() + wait >= deadline) break;
    count(metricNames.contentionRetries);
    await sleep(wait);
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

/**
 * DynamoDB refused a write for a limit of its own (an item over 400 KB, a transaction over 100
 * items or 4 MB). The same request will be refused again, so callers must not be told to retry;
 * the use cases keep every item and transaction inside these limits (test/storage/item-sizes.test.ts),
 * so this is the last line of defence, not a path a valid request takes.
 */
export class StorageLimitError extends Error {
  readonly code = 'limit_exceeded';
  /** `dynamodb.itemSize`, `dynamodb.transactionItems`, `dynamodb.transactionSize` or `dynamodb.request`. */
  readonly limit: string;
  constructor(limit: string, message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'StorageLimitError';
    this.limit = limit;
  }
}

/** DynamoDB's ValidationException messages, read into the limit they name. */
export function storageLimitError(message: string, cause?: unknown): StorageLimitError {
  if (/item size/i.test(message)) return new StorageLimitError('dynamodb.itemSize', 'the change would make a record larger than DynamoDB\'s 400 KB item limit', cause);
  if (/length less than or equal to 100|too many items/i.test(message)) return new StorageLimitError('dynamodb.transactionItems', 'the change needs more than the 100 items DynamoDB allows in one transaction', cause);
  if (/transaction request cannot include|aggregate size|4 ?MB/i.test(message)) return new StorageLimitError('dynamodb.transactionSize', 'the change is larger than the 4 MB DynamoDB allows in one transaction', cause);
  return new StorageLimitError('dynamodb.request', 'the storage refused the change as invalid', cause);
}
