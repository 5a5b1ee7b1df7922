/** Validates responses against `openapi.json` (ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses). */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ValidateFunction } from 'ajv';

type Doc = {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
  components: { schemas: Record<string, unknown> };
};

export const openApiDoc = JSON.parse(readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8')) as Doc;

const ajv = new Ajv2020({ strict: false, allErrors: true });
(addFormatsModule as unknown as { default: (a: Ajv2020) => void }).default?.(ajv) ?? (addFormatsModule as unknown as (a: Ajv2020) => void)(ajv);
ajv.addSchema(openApiDoc.components.schemas.Error as object, 'Error');
ajv.addSchema(openApiDoc.components.schemas.GatewayUnauthorized as object, 'GatewayUnauthorized');
ajv.addSchema(openApiDoc.components.schemas.GatewayError as object, 'GatewayError');

const inline = (schema: unknown): unknown =>
  JSON.parse(
    JSON.stringify(schema).replaceAll('"#/components/schemas/Error"', '"Error"').replaceAll('"#/components/schemas/GatewayUnauthorized"', '"GatewayUnauthorized"')
      .replaceAll('"#/components/schemas/GatewayError"', '"GatewayError"'),
  );

const cache = new Map<string, ValidateFunction>();

/** Throws with ajv's errors if `body` is not what the document says `routeKey` answers with `status`. */
export function assertMatchesOpenApi(routeKey: string, status: number, body: unknown): void {
  const [method, path] = routeKey.split(' ') as [string, string];
  const key = `${routeKey} ${status}`;
  let validate = cache.get(key);
  if (!validate) {
    const response = openApiDoc.paths[path]?.[method.toLowerCase()]?.responses[String(status)];
    const schema = (response?.content?.['application/json'] ?? response?.content?.['text/csv'])?.schema;
    if (!schema) throw new Error(`openapi.json documents no ${status} answer for ${routeKey}`);
    validate = ajv.compile(inline(schema) as object);
    cache.set(key, validate);
  }
  if (!validate(body)) {
    throw new Error(`${routeKey} ${status} does not match openapi.json: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`);
  }
}
