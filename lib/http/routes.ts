/**
 * Every HTTP route, grouped by the Lambda function that serves it.
 * The CDK stack makes one function per group (entry `functions/http/<group>.ts`) and one HTTP API
 * route per line; the local gateway dispatches with the same table.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteSpec {
  readonly method: HttpMethod;
  /** API Gateway path syntax: `{name}` for a path parameter. */
  readonly path: string;
}

export const routeGroups = {
  pos: [
    { method: 'POST', path: '/v1/identify' },
    { method: 'POST', path: '/v1/receipts/quote' },
    { method: 'POST', path: '/v1/receipts' },
    { method: 'POST', path: '/v1/returns' },
  ],
  customers: [
    { method: 'POST', path: '/v1/customers' },
    { method: 'GET', path: '/v1/customers/{customerId}' },
    { method: 'GET', path: '/v1/customers/{customerId}/ledger' },
    { method: 'POST', path: '/v1/customers/{customerId}/adjustments' },
    { method: 'PUT', path: '/v1/customers/{customerId}/tier' },
  ],
} as const satisfies Record<string, readonly RouteSpec[]>;

export type RouteGroup = keyof typeof routeGroups;

export const routeKey = (r: RouteSpec): string => `${r.method} ${r.path}`;
