/**
 * Every HTTP route, grouped by the Lambda function that serves it, with the roles allowed on it
 * (the one place role checks are declared). The CDK stack makes one function per group (entry
 * `functions/http/<group>.ts`) and one HTTP API route per line; the local gateway dispatches with
 * the same table.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type Role = 'pos' | 'staff';

export interface RouteSpec {
  readonly method: HttpMethod;
  /** API Gateway path syntax: `{name}` for a path parameter. */
  readonly path: string;
  readonly roles: readonly Role[];
}

export const routeGroups = {
  pos: [
    { method: 'POST', path: '/v1/identify', roles: ['pos'] },
    { method: 'POST', path: '/v1/receipts/quote', roles: ['pos'] },
    { method: 'POST', path: '/v1/receipts', roles: ['pos'] },
    { method: 'POST', path: '/v1/returns', roles: ['pos'] },
  ],
  customers: [
    { method: 'POST', path: '/v1/customers', roles: ['pos', 'staff'] },
    { method: 'GET', path: '/v1/customers/{customerId}', roles: ['staff'] },
    { method: 'GET', path: '/v1/customers/{customerId}/ledger', roles: ['staff'] },
    { method: 'POST', path: '/v1/customers/{customerId}/adjustments', roles: ['staff'] },
    { method: 'PUT', path: '/v1/customers/{customerId}/tier', roles: ['staff'] },
    { method: 'PUT', path: '/v1/customers/{customerId}/segments', roles: ['staff'] },
    { method: 'POST', path: '/v1/customers/{customerId}/reviews', roles: ['staff'] },
    { method: 'PUT', path: '/v1/customers/{customerId}/devices', roles: ['staff'] },
    { method: 'GET', path: '/v1/customers/{customerId}/export', roles: ['staff'] },
    { method: 'POST', path: '/v1/customers/{customerId}/erase', roles: ['staff'] },
  ],
  programs: [
    { method: 'GET', path: '/v1/program', roles: ['staff'] },
    { method: 'POST', path: '/v1/program', roles: ['staff'] },
    { method: 'POST', path: '/v1/program/validate', roles: ['staff'] },
    { method: 'GET', path: '/v1/program/versions', roles: ['staff'] },
    { method: 'GET', path: '/v1/program/versions/{version}', roles: ['staff'] },
    { method: 'GET', path: '/v1/program/schema', roles: ['staff', 'pos'] },
    { method: 'GET', path: '/v1/audit', roles: ['staff'] },
  ],
  keys: [
    { method: 'POST', path: '/v1/keys', roles: ['staff'] },
    { method: 'GET', path: '/v1/keys', roles: ['staff'] },
    { method: 'POST', path: '/v1/keys/{keyId}/rotate', roles: ['staff'] },
    { method: 'DELETE', path: '/v1/keys/{keyId}', roles: ['staff'] },
  ],
  coupons: [
    { method: 'POST', path: '/v1/coupons', roles: ['staff'] },
    { method: 'GET', path: '/v1/coupons/{code}', roles: ['staff'] },
  ],
  journeys: [
    { method: 'POST', path: '/v1/journeys', roles: ['staff'] },
    { method: 'GET', path: '/v1/journeys', roles: ['staff'] },
    { method: 'GET', path: '/v1/journeys/{journeyId}', roles: ['staff'] },
    { method: 'POST', path: '/v1/journeys/{journeyId}/start', roles: ['staff'] },
    { method: 'POST', path: '/v1/journeys/{journeyId}/stop', roles: ['staff'] },
  ],
} as const satisfies Record<string, readonly RouteSpec[]>;

export type RouteGroup = keyof typeof routeGroups;
type KeyOf<R> = R extends { method: infer M extends string; path: infer P extends string } ? `${M} ${P}` : never;
/** `"POST /v1/receipts"`: API Gateway's routeKey for a route of group G. */
export type RouteKey<G extends RouteGroup = RouteGroup> = KeyOf<(typeof routeGroups)[G][number]>;

export const routeKey = (r: Pick<RouteSpec, 'method' | 'path'>): string => `${r.method} ${r.path}`;

const allRoutes: ReadonlyMap<string, RouteSpec> = new Map(
  Object.values(routeGroups).flatMap((rs) => rs.map((r) => [routeKey(r), r] as const)),
);
export const routeSpec = (key: string): RouteSpec | undefined => allRoutes.get(key);
