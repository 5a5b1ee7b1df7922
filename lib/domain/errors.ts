/**
 * What can go wrong in the domain, named for what went wrong. `lib/http/errors.ts` is the one
 * place that turns these into HTTP answers.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  /** The request field the problem is about, as a dotted path, when there is one. */
  readonly field: string | undefined;
  constructor(message: string, field?: string) {
    super(message);
    this.name = new.target.name;
    this.field = field;
  }
}

/** The request is well-formed but breaks a rule of the program (HTTP 422). */
export class RuleViolationError extends DomainError {
  readonly code: string;
  constructor(code: string, message: string, field?: string) {
    super(message, field);
    this.code = code;
  }
}

/** A burn above what points may pay on this receipt (HTTP 422), with that limit (the simulator cuts a replayed burn to it). */
export class BurnLimitError extends RuleViolationError {
  readonly limit: number;
  constructor(limit: number, message: string) {
    super('burn_exceeds_receipt_limit', message, 'burn.points');
    this.limit = limit;
  }
}

/** The customer's balance cannot cover the points asked for (HTTP 409: it may have changed since the quote). */
export class InsufficientPointsError extends DomainError {
  readonly code = 'insufficient_points';
  readonly available: number;
  constructor(requested: number, available: number, field = 'burn.points') {
    super(`${field} asks for ${requested} points but only ${available} are available`, field);
    this.available = available;
  }
}

/** A return asks for more than is left to return on a line (HTTP 409). */
export class ReturnExceedsPurchaseError extends DomainError {
  readonly code = 'return_exceeds_purchase';
}
