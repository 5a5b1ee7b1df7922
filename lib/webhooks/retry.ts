/**
 * What happens after a delivery attempt: delivered, retried later (exponential backoff), or
 * parked. Pure: the attempt's outcome, the count and the clock in, the next state out.
 *
 * - 2xx: delivered.
 * - 408, 425, 429, 5xx, a timeout, a refused or reset connection, a DNS or TLS failure: retried
 *   after 1, 2, 4, 8 … minutes, at most 4 hours apart (±20 % jitter so a recovering receiver is not
 *   hit by every customer's retry at once), for 24 hours from when the event was taken in (or from
 *   a replay); the last try is at the end of the window; then parked.
 * - Any other 4xx, and 3xx (redirects are not followed: the target must stay the checked one):
 *   parked at once — the receiver refused this request and would refuse it again. Fix the
 *   receiver (or the URL) and replay.
 * - A target the address policy forbids: parked at once, naming why.
 */
export const RETRY_WINDOW_MS = 24 * 3_600_000;
export const FIRST_RETRY_SECONDS = 60;
export const MAX_RETRY_SECONDS = 4 * 3_600;
/** A last try closer to the window's end than this is not worth scheduling. */
const LAST_TRY_MIN_SECONDS = 30;

export type AttemptOutcome =
  | { readonly kind: 'response'; readonly status: number }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'network'; readonly code: string }
  | { readonly kind: 'blocked'; readonly reason: string };

export type Verdict = 'delivered' | 'retry' | 'park';

export function classify(outcome: AttemptOutcome): Verdict {
  switch (outcome.kind) {
    case 'response': {
      const s = outcome.status;
      if (s >= 200 && s < 300) return 'delivered';
      if (s === 408 || s === 425 || s === 429 || s >= 500) return 'retry';
      return 'park';
    }
    case 'timeout':
    case 'network':
      return 'retry';
    case 'blocked':
      return 'park';
  }
}

/** A short, log-safe description of an outcome (no response body: it is the receiver's data). */
export function describeOutcome(outcome: AttemptOutcome): string {
  switch (outcome.kind) {
    case 'response':
      return outcome.status >= 300 && outcome.status < 400 ? `HTTP ${outcome.status} (redirects are not followed)` : `HTTP ${outcome.status}`;
    case 'timeout':
      return 'timed out';
    case 'network':
      return `connection failed: ${outcome.code}`;
    case 'blocked':
      return `blocked: ${outcome.reason}`;
  }
}

/** Seconds before retry number `failures` (1 after the first failed attempt), with `jitter` in [0, 1). */
export function retryDelaySeconds(failures: number, jitter = 0.5): number {
  const base = Math.min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** Math.max(0, failures - 1));
  return Math.round(base * (0.8 + 0.4 * jitter));
}

export type NextStep =
  | { readonly state: 'delivered' }
  | { readonly state: 'retrying'; readonly delaySeconds: number; readonly nextAttemptAt: string }
  | { readonly state: 'parked'; readonly reason: string };

/**
 * The state after attempt number `attempts` (counted in the current window) ended with `outcome`
 * at `now`, for a delivery whose retry window ends at `windowEndsAt`.
 */
export function afterAttempt(input: { outcome: AttemptOutcome; attempts: number; now: Date; windowEndsAt: string; jitter?: number }): NextStep {
  const verdict = classify(input.outcome);
  if (verdict === 'delivered') return { state: 'delivered' };
  if (verdict === 'park') return { state: 'parked', reason: describeOutcome(input.outcome) };
  const left = (Date.parse(input.windowEndsAt) - input.now.getTime()) / 1000;
  const delay = Math.min(retryDelaySeconds(input.attempts, input.jitter), Math.floor(left));
  if (delay < LAST_TRY_MIN_SECONDS) return { state: 'parked', reason: `${describeOutcome(input.outcome)}; retried for ${RETRY_WINDOW_MS / 3_600_000} hours` };
  return { state: 'retrying', delaySeconds: delay, nextAttemptAt: new Date(input.now.getTime() + delay * 1000).toISOString() };
}

/** The delays a delivery that keeps failing would see, with no jitter: for the README and its test. */
export function retrySchedule(): number[] {
  const out: number[] = [];
  let now = 0;
  for (let attempts = 1; ; attempts++) {
    const step = afterAttempt({ outcome: { kind: 'timeout' }, attempts, now: new Date(now), windowEndsAt: new Date(RETRY_WINDOW_MS).toISOString() });
    if (step.state !== 'retrying') return out;
    out.push(step.delaySeconds);
    now += step.delaySeconds * 1000;
  }
}

/**
 * Receives a delivery message may take before SQS parks it in the delivery queue's DLQ. A delivery
 * is tried at most 14 times in its window, but a message also counts a receive each time it comes
 * along behind its group's first message that is being retried; the DLQ is for a worker that keeps
 * failing, not for a receiver that does (that one ends in a parked delivery).
 */
export const DELIVERY_QUEUE_MAX_RECEIVES = 50;
