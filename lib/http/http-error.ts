/**
 * An error the HTTP layer itself answers with (lib/http/errors.ts maps it), in a module of its own
 * so that what throws it without mapping errors (the rate limit, which the authorizer's bundle
 * reaches) does not bundle every error the use cases and repositories define.
 */
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
