/**
 * The HTTP API's Lambda authorizer (simple responses). It always lets the request through with
 * what it learned, so the route answers a bad key in the API's own error shape; API Gateway
 * caches the answer per key for a few seconds.
 */
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { db } from '#lib/storage/client.ts';
import { sharedApiKeyRepository } from '#lib/storage/api-keys.ts';
import type { AuthorizerContext } from '#lib/http/auth.ts';
import { authorizeHeader } from '#lib/http/authorize.ts';

// The key repository alone, not deps(): the authorizer runs before most requests of the till, and
// deps() would bundle (and build at every cold start) every repository and the program's schemas.
export const handler = async (
  event: APIGatewayRequestAuthorizerEventV2,
): Promise<{ isAuthorized: boolean; context: AuthorizerContext }> => ({
  isAuthorized: true,
  context: await authorizeHeader(event.headers?.authorization ?? event.identitySource?.[0], (key) => sharedApiKeyRepository(db()).resolve(key)),
});
