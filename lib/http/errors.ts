/**
 * The one place that turns errors into HTTP answers: `{ error: { code, message, field? } }`.
 * Use cases throw application errors (lib/app/errors.ts) and domain errors; the request reading
 * in lib/http throws `HttpError` directly. Anything not recognised becomes a bare 500 — never a
 * stack, an SDK message or an internal name.
 */
import { DomainError, InsufficientPointsError, ReturnExceedsPurchaseError } from '#domain/errors.ts';
import {
  AppError,
  BusyError,
  ChannelFailedError,
  ConflictError,
  ForbiddenError,
  IdempotencyConflictError,
  InvalidRequestError,
  LimitExceededError,
  NotFoundError,
  GoneError,
  TooManyRequestsError,
} from '../app/errors.ts';
import { IdentifierTakenError } from '../storage/identifier-taken.ts';
import { ContentionError, isTransientStorageError, StorageLimitError, storageLimitError } from '../storage/transact.ts';
import { HttpError } from './http-error.ts';

export { HttpError };

/** Application errors by class → status. A class missing here is a 500, which a test catches. */
const appStatus: ReadonlyArray<readonly [abstract new (...args: never[]) => AppError, number]> = [
  [InvalidRequestError, 400],
  [ForbiddenError, 403],
  [NotFoundError, 404],
  [ConflictError, 409],
  [IdempotencyConflictError, 422],
  [LimitExceededError, 422],
  [BusyError, 503],
  [GoneError, 410],
  [TooManyRequestsError, 429],
  [ChannelFailedError, 502],
];

export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

export function toErrorResponse(e: unknown): { status: number; body: ErrorBody; headers: Record<string, string> } {
  const shape = (status: number, code: string, message: string, field?: string, headers: Record<string, string> = {}) => ({
    status,
    headers,
    body: { error: field ? { code, message, field } : { code, message } },
  });
  if (e instanceof HttpError) return shape(e.status, e.code, e.message, e.field, e.headers);
  if (e instanceof AppError) {
    const status = appStatus.find(([cls]) => e instanceof cls)?.[1] ?? 500;
    if (e instanceof TooManyRequestsError) return shape(429, e.code, e.message, e.field, { 'retry-after': String(e.retryAfterSeconds) });
    return status === 503 ? shape(503, e.code, e.message, e.field, { 'retry-after': '1' }) : shape(status, e.code, e.message, e.field);
  }
  if (e instanceof InsufficientPointsError || e instanceof ReturnExceedsPurchaseError) return shape(409, e.code, e.message, e.field);
  if (e instanceof DomainError) return shape(422, e.code, e.message, e.field);
  if (e instanceof IdentifierTakenError) return shape(409, 'identifier_taken', e.message, e.kind);
  if (e instanceof ContentionError) return shape(503, e.code, e.message, undefined, { 'retry-after': '1' });
  if (e instanceof StorageLimitError) return shape(422, e.code, `${e.limit}: ${e.message}; the same request will be refused again`, e.limit);
  if (e instanceof Error && e.name === 'ValidationException') {
    const limit = storageLimitError(e.message);
    return shape(422, limit.code, `${limit.limit}: ${limit.message}; the same request will be refused again`, limit.limit);
  }
  if (isTransientStorageError(e)) {
    return shape(503, 'unavailable', 'storage is briefly unavailable; retry the same request (it is safe to)', undefined, { 'retry-after': '1' });
  }
  // Not "retry": an unexpected failure is as likely to repeat as not, and a till would loop on it.
  return shape(500, 'internal_error', 'something went wrong on our side; it was logged with the request id');
}
