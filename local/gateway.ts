/**
 * A local stand-in for API Gateway's HTTP API: turns each request into the same v2.0 event and
 * calls the same Lambda handler the cloud would. Gateway-level refusals use the app's JSON shape.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type { RouteGroup } from '../lib/http/routes.ts';
import { AUTHORIZER_FAILED_RESPONSE, authorize, fakeLambdaContext, matchRoute, MISSING_IDENTITY_RESPONSE, toApiGatewayEvent } from './api-event.ts';
import { handler as authorizer } from '../functions/http/authorizer.ts';

export type LambdaHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>;

/** API Gateway's own payload limit. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

export interface Gateway {
  readonly url: string;
  close(): Promise<void>;
}

/** A local-only route outside the API (`/_local/...`); returns false when it is not its path. */
export type LocalRoute = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export async function startGateway(opts: {
  handlers: Record<RouteGroup, LambdaHandler>;
  host?: string;
  port?: number;
  quiet?: boolean;
  local?: LocalRoute;
  /** The browser side (web/dist) for paths outside /v1 and /_local; returns false when not its request. */
  site?: LocalRoute;
}): Promise<Gateway> {
  const host = opts.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    const started = Date.now();
    (req.url?.startsWith('/_local/') && opts.local
      ? opts.local(req, res).then((done) => (done ? undefined : send(res, 404, { error: { code: 'route_not_found', message: `no local route ${req.url}` } })))
      : (opts.site ? opts.site(req, res) : Promise.resolve(false)).then((done) => (done ? undefined : handle(req, res, opts.handlers))))
      .catch((e: unknown) => {
        console.error('gateway: handler failed', e);
        if (!res.headersSent) send(res, 500, { error: { code: 'internal_error', message: 'something went wrong on our side' } });
      })
      .finally(() => {
        // A one-time link's token (/me.html?link=…) stays out of the log, as it stays out of AWS's (no query strings there).
        if (!opts.quiet) console.log(`${req.method} ${(req.url ?? '').replace(/([?&]link=)[^&#]+/, '$1…')} ${res.statusCode} ${Date.now() - started}ms`);
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, handlers: Record<RouteGroup, LambdaHandler>): Promise<void> {
  const url = req.url ?? '/';
  const path = url.split('?')[0]!;
  const match = matchRoute(req.method ?? 'GET', path);
  if (match.kind === 'notFound') return send(res, 404, { error: { code: 'route_not_found', message: `no route for ${path}` } });
  if (match.kind === 'methodNotAllowed') {
    return send(res, 405, { error: { code: 'method_not_allowed', message: `${req.method} is not allowed on ${path}` } }, { allow: match.allow.join(', ') });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_PAYLOAD_BYTES) {
      send(res, 413, { error: { code: 'payload_too_large', message: `body: must be at most ${MAX_PAYLOAD_BYTES} bytes`, field: 'body' } });
      req.destroy();
      return;
    }
    chunks.push(chunk as Buffer);
  }
  const event = toApiGatewayEvent({
    method: req.method ?? 'GET',
    path: url,
    headers: req.headers,
    body: chunks.length ? Buffer.concat(chunks).toString('utf8') : undefined,
    routeKey: match.routeKey,
    pathParameters: match.pathParameters,
    sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
  });
  // A public route has no authorizer in API Gateway: the request goes straight to the function.
  const authorized = match.public ? event : await authorize(event, authorizer);
  if (authorized === 'missing') return send(res, MISSING_IDENTITY_RESPONSE.statusCode, MISSING_IDENTITY_RESPONSE.body);
  if (authorized === 'denied') return send(res, 403, '{"message":"Forbidden"}');
  if (authorized === 'failed') return send(res, AUTHORIZER_FAILED_RESPONSE.statusCode, AUTHORIZER_FAILED_RESPONSE.body);
  const result = await handlers[match.group](authorized, fakeLambdaContext(`tally-${match.group}`));
  if (typeof result === 'string') return send(res, 200, result);
  res.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
  res.end(result.body ?? '');
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}
