/**
 * The one place that turns errors into HTTP answers: `{ error: { code, message, field? } }`.
 * Anything not recognised becomes a bare 500 — never a stack, an SDK message or an internal name.
 */
import { DomainError, InsufficientPointsError, ReturnExceedsPurchaseError } from '#domain/errors.ts';
import { IdentifierTakenError } from '../storage/customers.ts';
import { ContentionError, isTransientStorageError } from '../storage/transact.ts';

export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  readonly headers: Record<string, string>;
  constructor(status: number, code: string, message: string, field?: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.field = field;
    this.headers = headers;
  }
}

export const notFound = (what: string, field?: string) =>
  new HttpError(404, 'not_found', field ? `${field}: ${what} not found` : `${what} not found`, field);

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
  if (e instanceof InsufficientPointsError || e instanceof ReturnExceedsPurchaseError) return shape(409, e.code, e.message, e.field);
  if (e instanceof DomainError) return shape(422, e.code, e.message, e.field);
  if (e instanceof IdentifierTakenError) return shape(409, 'identifier_taken', e.message, e.kind);
  if (e instanceof ContentionError) return shape(503, e.code, e.message, undefined, { 'retry-after': '1' });
  if (isTransientStorageError(e)) {
    return shape(503, 'unavailable', 'storage is briefly unavailable; retry the same request (it is safe to)', undefined, { 'retry-after': '1' });
  }
  return shape(500, 'internal_error', 'something went wrong on our side; the request may be retried');
}
