/**
 * Every request schema, shared and per group, for the OpenAPI document (lib/http/openapi.ts).
 * Never import this from a function: it would bundle every group's schemas into it.
 */
export * from '../schemas.ts';
export * from './pos.ts';
export * from './customers.ts';
export * from './programs.ts';
export * from './keys.ts';
export * from './coupons.ts';
export * from './journeys.ts';
export * from './webhooks.ts';
export * from './tenant.ts';
export * from './segments.ts';
export * from './imports.ts';
export * from './catalog.ts';
export * from './reports.ts';
export * from './simulations.ts';
export * from './links.ts';
export * from './me.ts';
