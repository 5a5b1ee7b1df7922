/**
 * What a use case can refuse, named for what went wrong and free of HTTP: `lib/http/errors.ts`
 * is the one place that turns these (and the domain's errors) into status codes. Every error
 * names the request field it is about, when there is one, and the rule it broke in its message.
 */
export abstract class AppError extends Error {
  abstract readonly code: string;
  /** The request field the problem is about, as a dotted path. */
  readonly field: string | undefined;
  constructor(message: string, field?: string) {
    super(message);
    this.name = new.target.name;
    this.field = field;
  }
}

/** The request itself is malformed: a field breaks its format. */
export class InvalidRequestError extends AppError {
  readonly code: string;
  constructor(message: string, field?: string, code = 'invalid_request') {
    super(message, field);
    this.code = code;
  }
}

/** What the request names does not exist for this tenant (or is erased, or out of the caller's reach). */
export class NotFoundError extends AppError {
  readonly code = 'not_found';
  constructor(what: string, field?: string) {
    super(field ? `${field}: ${what} not found` : `${what} not found`, field);
  }
}

/** The request clashes with the current state (an id already used, a version moved on, a state that forbids it). */
export class ConflictError extends AppError {
  readonly code: string;
  constructor(code: string, message: string, field?: string) {
    super(message, field);
    this.code = code;
  }
}

/** A retry of an idempotent write came with a different body than the first (the IETF Idempotency-Key draft's 422). */
export class IdempotencyConflictError extends AppError {
  readonly code = 'idempotency_conflict';
}

/** The caller's role or credential may not do this (beyond the route table's role check). */
export class ForbiddenError extends AppError {
  readonly code: string;
  constructor(message: string, field?: string, code = 'forbidden') {
    super(message, field);
    this.code = code;
  }
}

/**
 * A documented bound was hit (items per list, rewards per receipt, DynamoDB's 400 KB item or
 * 100-item transaction). Retrying the same request cannot succeed, so this is never a 5xx.
 */
export class LimitExceededError extends AppError {
  readonly code = 'limit_exceeded';
  /** The name of the limit, as documented (e.g. `program.maxItemBytes`). */
  readonly limit: string;
  constructor(limit: string, message: string, field?: string) {
    super(message, field);
    this.limit = limit;
  }
}

/** Could not settle in time (e.g. unique codes kept colliding); the same request may be retried. */
export class BusyError extends AppError {
  readonly code = 'busy';
}

/** What the request names existed but can no longer be used (a one-time link used or expired); the code says which. */
export class GoneError extends AppError {
  readonly code: string;
  constructor(code: string, message: string, field?: string) {
    super(message, field);
    this.code = code;
  }
}

/** Asked too often (a customer's sign-in links per hour); `retryAfterSeconds` says when it may work. */
export class TooManyRequestsError extends AppError {
  readonly code = 'rate_limited';
  readonly retryAfterSeconds: number;
  constructor(message: string, field: string, retryAfterSeconds: number) {
    super(message, field);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A channel (SMS, e-mail) did not take a message sent while the caller waits (a one-time link); nothing reached the customer. */
export class ChannelFailedError extends AppError {
  readonly code = 'channel_failed';
}
