/**
 * API Gateway HTTP API (payload 2.0) events from plain requests, and route matching against the
 * shared route table — used by the local gateway and by tests, so both see what Lambda sees.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayRequestAuthorizerEventV2, Context } from 'aws-lambda';
import { routeGroups, routeKey, type RouteGroup } from '../lib/http/routes.ts';

export type RouteMatch =
  | { kind: 'found'; group: RouteGroup; routeKey: string; pathParameters: Record<string, string>; public: boolean }
  | { kind: 'notFound' }
  | { kind: 'methodNotAllowed'; allow: string[] };

const compiled = Object.entries(routeGroups).flatMap(([group, routes]) =>
  routes.map((r) => {
    const names: string[] = [];
    const pattern = r.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    return { group: group as RouteGroup, method: r.method as string, key: routeKey(r), regex: new RegExp(`^${pattern}$`), names, public: 'public' in r && r.public === true };
  }),
);

export function matchRoute(method: string, path: string): RouteMatch {
  // As in API Gateway, the most specific route wins: `/v1/customers/search` before `/v1/customers/{customerId}`.
  const candidates = compiled.filter((c) => c.regex.test(path)).sort((a, b) => a.names.length - b.names.length);
  if (candidates.length === 0) return { kind: 'notFound' };
  const hit = candidates.find((c) => c.method === method.toUpperCase());
  if (!hit) return { kind: 'methodNotAllowed', allow: candidates.map((c) => c.method) };
  const values = hit.regex.exec(path)!.slice(1);
  return {
    kind: 'found',
    group: hit.group,
    routeKey: hit.key,
    public: hit.public,
    pathParameters: Object.fromEntries(hit.names.map((n, i) => [n, values[i]!])),
  };
}

export interface RawRequest {
  readonly method: string;
  /** Path with an optional query string. */
  readonly path: string;
  readonly headers?: Record<string, string | string[] | undefined>;
  readonly body?: string | undefined;
  readonly routeKey: string;
  readonly pathParameters?: Record<string, string>;
  readonly sourceIp?: string;
}

export function toApiGatewayEvent(req: RawRequest): APIGatewayProxyEventV2 {
  const [rawPath = '/', rawQueryString = ''] = req.path.split('?', 2);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers ?? {})) {
    if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  }
  const query = new URLSearchParams(rawQueryString);
  const queryStringParameters: Record<string, string> = {};
  for (const k of new Set(query.keys())) queryStringParameters[k] = query.getAll(k).join(',');
  const now = new Date();
  return {
    version: '2.0',
    routeKey: req.routeKey,
    rawPath,
    rawQueryString,
    headers,
    ...(rawQueryString ? { queryStringParameters } : {}),
    ...(req.pathParameters && Object.keys(req.pathParameters).length ? { pathParameters: req.pathParameters } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0]!,
      http: {
        method: req.method.toUpperCase(),
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: req.sourceIp ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: req.routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(req.body !== undefined && req.body !== '' ? { body: req.body } : {}),
    isBase64Encoded: false,
  };
}

export function fakeLambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** What API Gateway answers itself when the identity source (the Authorization header) is missing. */
export const MISSING_IDENTITY_RESPONSE = { statusCode: 401, headers: { 'content-type': 'application/json' }, body: '{"message":"Unauthorized"}' };
/** What API Gateway answers itself when the authorizer fails. */
export const AUTHORIZER_FAILED_RESPONSE = { statusCode: 500, headers: { 'content-type': 'application/json' }, body: '{"message":"Internal Server Error"}' };

type Authorizer = (event: APIGatewayRequestAuthorizerEventV2) => Promise<{ isAuthorized: boolean; context?: object }>;

/**
 * Runs the Lambda authorizer the way API Gateway does before a route: returns the event with
 * `requestContext.authorizer.lambda` filled in, or null when API Gateway itself would refuse.
 */
export async function authorize(
  event: APIGatewayProxyEventV2,
  authorizer: Authorizer,
): Promise<APIGatewayProxyEventV2 | 'missing' | 'denied' | 'failed'> {
  const header = event.headers.authorization;
  if (!header) return 'missing';
  // A failing authorizer (e.g. DynamoDB throttled) makes API Gateway answer 500 itself, uncached.
  const result = await authorizer({
    version: '2.0',
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:us-east-1:000000000000:local/$default/${event.requestContext.http.method}${event.rawPath}`,
    identitySource: [header],
    routeKey: event.routeKey,
    rawPath: event.rawPath,
    rawQueryString: event.rawQueryString,
    headers: event.headers,
    queryStringParameters: event.queryStringParameters ?? {},
    pathParameters: event.pathParameters ?? {},
    stageVariables: {},
    cookies: [],
    requestContext: event.requestContext,
  } as unknown as APIGatewayRequestAuthorizerEventV2).catch(() => null);
  if (!result) return 'failed';
  if (!result.isAuthorized) return 'denied';
  return { ...event, requestContext: { ...event.requestContext, authorizer: { lambda: result.context ?? {} } } } as APIGatewayProxyEventV2;
}
