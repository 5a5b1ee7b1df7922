/**
 * Builds a route group's Lambda handler: middy with header normalisation, authentication,
 * request logging and the error responder, dispatching on API Gateway's `routeKey`.
 * Each route is a plain async function of (event, principal) — thin, and callable in a test.
 */
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Principal } from '../storage/api-keys.ts';
import type { Answer } from '../app/idempotency.ts';
import { principalFromEvent } from './auth.ts';
import { defaultRateLimits, takeToken } from './rate-limit.ts';
import { HttpError, toErrorResponse } from './errors.ts';
import { logger } from '../observability/logger.ts';
import { metricNames } from '../observability/metric-names.ts';
import { count, flushMetrics } from '../observability/metrics.ts';

const COMMIT_ROUTE = 'POST /v1/receipts';
import { routeGroups, routeKey, type RouteGroup, type RouteKey, type RouteSpec } from './routes.ts';

/** Requests per second one address may make to the public routes (sign-in links). */
const PUBLIC_RATE_LIMIT = 20;


export interface Reply {
  readonly status: number;
  /** An object is serialised; a string is sent as is (a stored idempotent answer). */
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

export type RouteHandler = (event: APIGatewayProxyEventV2, principal: Principal) => Promise<Reply>;
/** A public route's handler: there is no principal, so it takes none. */
export const publicRoute = (handler: (event: APIGatewayProxyEventV2) => Promise<Reply>): RouteHandler => (event) => handler(event);

export const ok = (body: unknown, status = 200): Reply => ({ status, body });

/** A stored idempotent answer, marked when it is a replay so a till's log can tell. */
export const answered = (a: Answer, status = 200): Reply => ({ status, body: a.body, headers: a.replayed ? { 'idempotent-replayed': 'true' } : {} });

export function json(reply: Reply): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: reply.status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...reply.headers },
    body: typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body),
  };
}

/** The Lambda context, plus what this request's middleware learned. */
export interface TallyContext extends Context {
  principal?: Principal;
  startedAt?: number;
}

export function httpFunction<G extends RouteGroup>(group: G, routes: Record<RouteKey<G>, RouteHandler>) {
  const specs = new Map<string, RouteSpec>(routeGroups[group].map((r) => [routeKey(r), r]));

  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, TallyContext>()
    .use(httpHeaderNormalizer())
    .use({
      before: async (request) => {
        request.context.startedAt = Date.now();
        const spec = specs.get(request.event.routeKey);
        if (!spec) throw new HttpError(404, 'route_not_found', `no route ${request.event.routeKey}`);
        if (spec.public) {
          // No credential to count against: the caller's address is (per instance; the use case keeps its own durable limit).
          takeToken(`ip:${request.event.requestContext.http.sourceIp}`, PUBLIC_RATE_LIMIT, Date.now(), 'one address');
          return;
        }
        const principal = principalFromEvent(request.event);
        if (!spec.roles.includes(principal.role)) throw new HttpError(403, 'forbidden', `authorization: the ${principal.role} role may not call this route`, 'authorization');
        request.context.principal = principal;
        takeToken(principal.keyId, principal.rateLimit ?? defaultRateLimits[principal.role]);
      },
      after: (request) => {
        logRequest(request.event, request.response?.statusCode ?? 0, request.context);
        flushMetrics();
      },
      onError: (request) => {
        const { status, body, headers } = toErrorResponse(request.error);
        // 503s are expected under throttling and contention; only our own failures carry a stack.
        if (status === 503) logger.warn('request unavailable', { routeKey: request.event.routeKey, reason: (request.error as Error)?.name });
        else if (status >= 500) logger.error('request failed', { routeKey: request.event.routeKey, status, error: request.error as Error });
        request.response = json({ status, body, headers });
        logRequest(request.event, status, request.context);
        if (request.event.routeKey === COMMIT_ROUTE) count(metricNames.receiptsRefused, 1, { name: 'code', value: body.error.code });
        flushMetrics();
      },
    })
    .handler(async (event, context) => {
      const route = routes[event.routeKey as RouteKey<G>];
      return json(await route(event, context.principal!));
    });
}

/**
 * One line per request; ids and codes only, never bodies, keys or personal data. API Gateway's
 * access log already has every request with its caller (infra/stacks/api-stack.ts), so a request
 * that went well is a DEBUG line: a refused or failed one stays at INFO.
 */
function logRequest(event: APIGatewayProxyEventV2, status: number, context: TallyContext): void {
  (status >= 400 ? logger.info : logger.debug).call(logger, 'request', {
    routeKey: event.routeKey,
    status,
    ms: context.startedAt ? Date.now() - context.startedAt : undefined,
    tenantId: context.principal?.tenantId,
    storeId: context.principal?.storeId,
    keyId: context.principal?.keyId,
    requestId: event.requestContext?.requestId,
  });
}
