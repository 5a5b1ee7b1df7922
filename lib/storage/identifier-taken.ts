/**
 * A card, phone or referral code already registered to another customer (customers.ts throws it).
 * In a module of its own so that the HTTP error mapping, which every route function bundles,
 * does not bundle the customer repository and the domain it uses.
 */
import type { IdentifierKind } from './keys.ts';

export class IdentifierTakenError extends Error {
  readonly kind: IdentifierKind;
  constructor(kind: IdentifierKind) {
    super(`${kind} is already registered to another customer`);
    this.name = 'IdentifierTakenError';
    this.kind = kind;
  }
}
