/**
 * Every HTTP route, grouped by the Lambda function that serves it, with the roles allowed on it
 * (the one place role checks are declared). The CDK stack makes one function per group (entry
 * `functions/http/<group>.ts`) and one HTTP API route per line; the local gateway dispatches with
 * the same table.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/**
 * Who a credential is: a till (`pos`, one store), or staff — `admin` (program, keys, everything),
 * `marketer` (segments, coupons, journeys; no personal-data export), `support` (customer lookup,
 * adjustments within the program's limit, export), `auditor` (read-only, audit trail); or a
 * customer's app (`customer`: one customer's own data, through /v1/me only).
 */
export const roles = ['pos', 'admin', 'marketer', 'support', 'auditor', 'customer'] as const;
export type Role = (typeof roles)[number];
export const staffRoles = ['admin', 'marketer', 'support', 'auditor'] as const satisfies readonly Role[];

export interface RouteSpec {
  readonly method: HttpMethod;
  /** API Gateway path syntax: `{name}` for a path parameter. */
  readonly path: string;
  readonly roles: readonly Role[];
  /** Called without any credential (API Gateway runs no authorizer): the customer page's sign-in link. */
  readonly public?: boolean;
}

export const routeGroups = {
  pos: [
    { method: 'POST', path: '/v1/identify', roles: ['pos'] },
    { method: 'POST', path: '/v1/receipts/quote', roles: ['pos'] },
    { method: 'POST', path: '/v1/receipts', roles: ['pos'] },
    { method: 'POST', path: '/v1/returns', roles: ['pos'] },
  ],
  customers: [
    { method: 'POST', path: '/v1/customers', roles: ['pos', 'admin', 'support'] },
    { method: 'GET', path: '/v1/customers', roles: ['admin', 'support', 'auditor'] },
    /** By name: the people who serve customers; a literal segment, so it wins over `{customerId}` (as in API Gateway). */
    { method: 'GET', path: '/v1/customers/search', roles: ['admin', 'support'] },
    { method: 'GET', path: '/v1/customers/{customerId}', roles: ['admin', 'support', 'auditor'] },
    { method: 'GET', path: '/v1/customers/{customerId}/ledger', roles: ['admin', 'support', 'auditor'] },
    { method: 'POST', path: '/v1/customers/{customerId}/adjustments', roles: ['admin', 'support'] },
    { method: 'PUT', path: '/v1/customers/{customerId}/tier', roles: ['admin', 'support'] },
    { method: 'PUT', path: '/v1/customers/{customerId}/segments', roles: ['admin', 'marketer'] },
    { method: 'POST', path: '/v1/customers/{customerId}/reviews', roles: ['admin', 'support'] },
    { method: 'PUT', path: '/v1/customers/{customerId}/devices', roles: ['admin', 'support'] },
    { method: 'GET', path: '/v1/customers/{customerId}/export', roles: ['admin', 'support'] },
    { method: 'POST', path: '/v1/customers/{customerId}/erase', roles: ['admin'] },
    { method: 'POST', path: '/v1/customers/{customerId}/app-key', roles: ['admin', 'support'] },
    /** Staff only: a till or the customer's own app could mint points for events nobody can check. */
    { method: 'POST', path: '/v1/customers/{customerId}/events', roles: ['admin', 'support'] },
    { method: 'GET', path: '/v1/customers/{customerId}/budgets', roles: ['admin', 'support', 'auditor'] },
  ],
  programs: [
    { method: 'GET', path: '/v1/program', roles: ['admin', 'marketer', 'auditor'] },
    { method: 'POST', path: '/v1/program', roles: ['admin'] },
    { method: 'POST', path: '/v1/program/validate', roles: ['admin', 'marketer'] },
    { method: 'GET', path: '/v1/program/versions', roles: ['admin', 'marketer', 'auditor'] },
    { method: 'GET', path: '/v1/program/versions/{version}', roles: ['admin', 'marketer', 'auditor'] },
    { method: 'GET', path: '/v1/program/schema', roles: ['pos', 'admin', 'marketer', 'support', 'auditor'] },
    { method: 'GET', path: '/v1/audit', roles: ['admin', 'auditor'] },
    { method: 'GET', path: '/v1/budgets', roles: ['admin', 'marketer', 'support', 'auditor'] },
  ],
  keys: [
    { method: 'POST', path: '/v1/keys', roles: ['admin'] },
    { method: 'GET', path: '/v1/keys', roles: ['admin', 'auditor'] },
    { method: 'POST', path: '/v1/keys/{keyId}/rotate', roles: ['admin'] },
    { method: 'DELETE', path: '/v1/keys/{keyId}', roles: ['admin'] },
  ],
  coupons: [
    { method: 'POST', path: '/v1/coupons', roles: ['admin', 'marketer'] },
    { method: 'GET', path: '/v1/coupons/{code}', roles: ['admin', 'marketer', 'support', 'auditor'] },
  ],
  me: [
    { method: 'GET', path: '/v1/me', roles: ['customer'] },
    { method: 'GET', path: '/v1/me/ledger', roles: ['customer'] },
    { method: 'PUT', path: '/v1/me/devices', roles: ['customer'] },
    { method: 'GET', path: '/v1/me/coupons', roles: ['customer'] },
    { method: 'GET', path: '/v1/me/stamps', roles: ['customer'] },
  ],
  journeys: [
    { method: 'POST', path: '/v1/journeys', roles: ['admin', 'marketer'] },
    { method: 'GET', path: '/v1/journeys', roles: ['admin', 'marketer', 'auditor'] },
    { method: 'GET', path: '/v1/journeys/{journeyId}', roles: ['admin', 'marketer', 'auditor'] },
    { method: 'POST', path: '/v1/journeys/{journeyId}/start', roles: ['admin', 'marketer'] },
    { method: 'POST', path: '/v1/journeys/{journeyId}/stop', roles: ['admin', 'marketer'] },
  ],
  webhooks: [
    { method: 'POST', path: '/v1/webhooks', roles: ['admin'] },
    { method: 'GET', path: '/v1/webhooks', roles: ['admin', 'auditor'] },
    { method: 'GET', path: '/v1/webhooks/{webhookId}', roles: ['admin', 'auditor'] },
    { method: 'PATCH', path: '/v1/webhooks/{webhookId}', roles: ['admin'] },
    { method: 'DELETE', path: '/v1/webhooks/{webhookId}', roles: ['admin'] },
    { method: 'POST', path: '/v1/webhooks/{webhookId}/rotate-secret', roles: ['admin'] },
    { method: 'GET', path: '/v1/webhooks/{webhookId}/deliveries', roles: ['admin', 'auditor'] },
    { method: 'POST', path: '/v1/webhooks/{webhookId}/deliveries/{deliveryId}/replay', roles: ['admin'] },
  ],
  /** The chain itself: its stores, its settings, and what is live. */
  tenant: [
    { method: 'POST', path: '/v1/stores', roles: ['admin'] },
    { method: 'GET', path: '/v1/stores', roles: ['admin', 'auditor'] },
    { method: 'GET', path: '/v1/stores/{storeId}', roles: ['admin', 'auditor'] },
    { method: 'PATCH', path: '/v1/stores/{storeId}', roles: ['admin'] },
    { method: 'GET', path: '/v1/tenant', roles: ['admin', 'marketer', 'support', 'auditor'] },
    { method: 'PATCH', path: '/v1/tenant', roles: ['admin'] },
    { method: 'GET', path: '/v1/health', roles: ['admin', 'marketer', 'support', 'auditor'] },
  ],
  /** Segments as definitions (conditions as data) and the members of any segment. */
  segments: [
    { method: 'POST', path: '/v1/segments', roles: ['admin', 'marketer'] },
    { method: 'GET', path: '/v1/segments', roles: ['admin', 'marketer', 'auditor'] },
    { method: 'GET', path: '/v1/segments/{segmentId}', roles: ['admin', 'marketer', 'auditor'] },
    { method: 'PUT', path: '/v1/segments/{segmentId}', roles: ['admin', 'marketer'] },
    { method: 'DELETE', path: '/v1/segments/{segmentId}', roles: ['admin', 'marketer'] },
    { method: 'GET', path: '/v1/segments/{segmentId}/members', roles: ['admin', 'marketer', 'auditor'] },
    { method: 'GET', path: '/v1/segments/{segmentId}/export', roles: ['admin', 'marketer', 'auditor'] },
  ],
  imports: [
    { method: 'POST', path: '/v1/imports', roles: ['admin'] },
    { method: 'GET', path: '/v1/imports/{importId}', roles: ['admin', 'auditor'] },
  ],
  /** The tenant's product catalog (files come in through /v1/imports, kind `products`). */
  catalog: [
    { method: 'GET', path: '/v1/catalog', roles: ['admin', 'marketer', 'support', 'auditor'] },
    { method: 'GET', path: '/v1/catalog/{sku}', roles: ['admin', 'marketer', 'support', 'auditor'] },
    { method: 'PUT', path: '/v1/catalog/{sku}', roles: ['admin', 'marketer'] },
    { method: 'DELETE', path: '/v1/catalog/{sku}', roles: ['admin', 'marketer'] },
  ],
  reports: [
    { method: 'GET', path: '/v1/reports/sales', roles: ['admin', 'marketer', 'auditor'] },
    { method: 'GET', path: '/v1/reports/points', roles: ['admin', 'marketer', 'auditor'] },
    { method: 'GET', path: '/v1/reports/members', roles: ['admin', 'marketer', 'auditor'] },
    { method: 'GET', path: '/v1/reports/liability', roles: ['admin', 'auditor'] },
    { method: 'GET', path: '/v1/reports/liability/export', roles: ['admin', 'auditor'] },
    { method: 'GET', path: '/v1/reports/breakage', roles: ['admin', 'auditor'] },
    { method: 'GET', path: '/v1/reports/coupons', roles: ['admin', 'marketer', 'auditor'] },
    { method: 'GET', path: '/v1/reports/products', roles: ['admin', 'marketer', 'auditor'] },
    { method: 'GET', path: '/v1/reports/campaigns', roles: ['admin', 'marketer', 'auditor'] },
  ],
  /**
   * One-time links to the customer page: staff send one; the customer asks by phone and the page
   * exchanges a link for its session without any credential (those two are public, rate-limited).
   */
  links: [
    { method: 'POST', path: '/v1/customers/{customerId}/link', roles: ['admin', 'support'] },
    { method: 'POST', path: '/v1/links', roles: [], public: true },
    { method: 'POST', path: '/v1/links/exchange', roles: [], public: true },
  ],
  simulations: [
    { method: 'POST', path: '/v1/simulations', roles: ['admin', 'marketer'] },
    { method: 'GET', path: '/v1/simulations/{simulationId}', roles: ['admin', 'marketer', 'auditor'] },
  ],
} as const satisfies Record<string, readonly RouteSpec[]>;

export type RouteGroup = keyof typeof routeGroups;
type KeyOf<R> = R extends { method: infer M extends string; path: infer P extends string } ? `${M} ${P}` : never;
/** `"POST /v1/receipts"`: API Gateway's routeKey for a route of group G. */
export type RouteKey<G extends RouteGroup = RouteGroup> = KeyOf<(typeof routeGroups)[G][number]>;

export const routeKey = (r: Pick<RouteSpec, 'method' | 'path'>): string => `${r.method} ${r.path}`;

/** Every route by its key, built on the first look-up: a function reads only its own group's (function.ts), so none builds it at a cold start. */
let byKey: ReadonlyMap<string, RouteSpec> | undefined;
const allRoutes = (): ReadonlyMap<string, RouteSpec> =>
  (byKey ??= new Map(Object.values(routeGroups).flatMap((rs) => rs.map((r) => [routeKey(r), r] as const))));
export const routeSpec = (key: string): RouteSpec | undefined => allRoutes().get(key);
export const isPublicRoute = (key: string): boolean => allRoutes().get(key)?.public === true;
