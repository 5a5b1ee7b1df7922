/**
 * Fault injection on the SDK client the handlers use: throttling and transaction conflicts
 * before a request is sent, and timeouts after it was sent (the write landed, the caller never
 * heard) — the case that makes idempotency matter.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface FaultPlan {
  throttleBefore: number;
  conflictBefore: number;
  timeoutAfter: number;
}

export interface FaultSwitch {
  plan: FaultPlan | null;
  injected: Record<string, number>;
}

/** A small seeded generator, so a failing run can be replayed. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function injectFaults(doc: DynamoDBDocumentClient, random: () => number): FaultSwitch {
  const sw: FaultSwitch = { plan: null, injected: {} };
  const count = (k: string) => (sw.injected[k] = (sw.injected[k] ?? 0) + 1);
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const plan = sw.plan;
      if (!plan) return next(args);
      const roll = random();
      if (roll < plan.throttleBefore) {
        count('throttle');
        throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
          name: 'ThrottlingException',
          $retryable: { throttling: true },
          $metadata: { httpStatusCode: 400 },
        });
      }
      if (context.commandName === 'TransactWriteItemsCommand' && roll < plan.throttleBefore + plan.conflictBefore) {
        count('conflict');
        const n = ((args.input as { TransactItems?: unknown[] }).TransactItems ?? []).length;
        throw new TransactionCanceledException({
          message: 'Transaction cancelled',
          $metadata: {},
          CancellationReasons: Array.from({ length: n }, (_, i) => ({ Code: i === n - 1 ? 'TransactionConflict' : 'None' })),
        });
      }
      const result = await next(args);
      if (roll > 1 - plan.timeoutAfter) {
        count('timeoutAfterWrite');
        throw Object.assign(new Error('socket timed out after the request was sent'), { name: 'TimeoutError', $metadata: {} });
      }
      return result;
    },
    { step: 'initialize', name: 'faultInjection' },
  );
  return sw;
}
