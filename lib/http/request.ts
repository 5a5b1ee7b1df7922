/** Reading a request: JSON body, path and query, validated by a schema into a 400 that names the field. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { safeParse, type $ZodType, type output } from 'zod/v4/core';
import { HttpError } from './errors.ts';
import { id } from '#domain/ids.ts';
import { firstTextProblem } from '#domain/text.ts';

/**
 * Bodies above this are refused before parsing. A 500-line receipt is about 100 KB; the margin
 * lets an oversized receipt reach validation and be told which field is too long.
 */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;

export function validate<S extends $ZodType>(schema: S, value: unknown, prefix = ''): output<S> {
  // zod core's parse: schemas of the classic and the mini build alike (lib/domain/zod-mini.ts).
  const r = safeParse(schema, value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const path = [...issue.path];
  if (issue.code === 'unrecognized_keys' && issue.keys[0]) path.push(issue.keys[0]);
  const field = [prefix, ...path.map(String)].filter(Boolean).join('.') || 'body';
  if (issue.path.length === 0 && prefix) throw new HttpError(400, 'invalid_request', `${prefix}: ${issue.message}`, prefix);
  const message = issue.code === 'unrecognized_keys' ? 'is not a known field' : issue.message;
  throw new HttpError(400, 'invalid_request', `${field}: ${message}`, field);
}

export function jsonBody(event: APIGatewayProxyEventV2): unknown {
  if (!event.body) throw new HttpError(400, 'invalid_request', 'body: a JSON body is required', 'body');
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) {
    throw new HttpError(413, 'payload_too_large', `body: must be at most ${MAX_BODY_BYTES} bytes`, 'body');
  }
  const type = event.headers?.['content-type'] ?? '';
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    throw new HttpError(415, 'unsupported_media_type', 'content-type: must be application/json', 'content-type');
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'invalid_json', 'body: is not valid JSON', 'body');
  }
  const bad = firstTextProblem(value);
  if (bad) throw new HttpError(400, 'invalid_request', `${bad.path || 'body'}: ${bad.problem}`, bad.path || 'body');
  return value;
}

export function pathParam(event: APIGatewayProxyEventV2, name: string, rule: $ZodType<string> = id): string {
  const v = event.pathParameters?.[name];
  if (!v) throw new HttpError(400, 'invalid_request', `${name}: is required`, name);
  let decoded: string;
  try {
    decoded = decodeURIComponent(v);
  } catch {
    throw new HttpError(400, 'invalid_request', `${name}: is not valid percent-encoded UTF-8`, name);
  }
  // Path values become parts of table keys: the same rule as ids in bodies (or the field's own, e.g. a SKU).
  return validate(rule, decoded, name);
}
