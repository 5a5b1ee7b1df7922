/** Calls the real Lambda handlers in-process with the API Gateway v2 event a request would make. */
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { AUTHORIZER_FAILED_RESPONSE, authorize, fakeLambdaContext, matchRoute, MISSING_IDENTITY_RESPONSE, toApiGatewayEvent } from '../../local/api-event.ts';
import { handler as authorizer } from '../../functions/http/authorizer.ts';
import type { RouteGroup } from '../../lib/http/routes.ts';

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>;

export interface InvokeResult {
  routeKey: string;
  status: number;
  headers: Record<string, string>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests assert on the JSON freely
  body: any;
  raw: string;
}

export async function invoke(
  handlers: Record<RouteGroup, Handler>,
  req: { method: string; path: string; body?: unknown; headers?: Record<string, string> },
): Promise<InvokeResult> {
  const match = matchRoute(req.method, req.path.split('?')[0]!);
  if (match.kind !== 'found') throw new Error(`no route for ${req.method} ${req.path}`);
  const event = toApiGatewayEvent({
    method: req.method,
    path: req.path,
    routeKey: match.routeKey,
    pathParameters: match.pathParameters,
    headers: { 'content-type': 'application/json', ...req.headers },
    body: req.body === undefined ? undefined : typeof req.body === 'string' ? req.body : JSON.stringify(req.body),
  });
  // The same authorizer step API Gateway (and the local gateway) runs before the route.
  // A public route has no authorizer in API Gateway: the request goes straight to the function.
  const authorized = match.public ? event : await authorize(event, authorizer);
  if (authorized === 'missing') {
    const raw = MISSING_IDENTITY_RESPONSE.body;
    return { routeKey: match.routeKey, status: 401, headers: { ...MISSING_IDENTITY_RESPONSE.headers }, body: JSON.parse(raw), raw };
  }
  if (authorized === 'denied') throw new Error('the authorizer denied; it never should');
  if (authorized === 'failed') {
    const raw = AUTHORIZER_FAILED_RESPONSE.body;
    return { routeKey: match.routeKey, status: 500, headers: { ...AUTHORIZER_FAILED_RESPONSE.headers }, body: JSON.parse(raw), raw };
  }
  const result = await handlers[match.group](authorized, fakeLambdaContext(`tally-${match.group}`));
  if (typeof result === 'string') return { routeKey: match.routeKey, status: 200, headers: {}, body: JSON.parse(result), raw: result };
  const raw = result.body ?? '';
  return {
    routeKey: match.routeKey,
    status: result.statusCode ?? 200,
    headers: Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)])),
    // A CSV answer (segment export) is kept as its text.
    body: raw ? (/^text\/csv/.test(String(result.headers?.['content-type'] ?? '')) ? raw : JSON.parse(raw)) : undefined,
    raw,
  };
}
