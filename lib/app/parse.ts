/**
 * Input that reaches a use case without passing the HTTP layer (the operator's command, files)
 * is checked with the same zod schemas; a problem becomes the use case's InvalidRequestError
 * naming the field (`stores.3.timeZone`) and the rule.
 */
import { safeParse, type $ZodType, type output } from 'zod/v4/core';
import { InvalidRequestError } from './errors.ts';

export function parseInput<S extends $ZodType>(schema: S, value: unknown, prefix: string): output<S> {
  const r = safeParse(schema, value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const extra = issue.code === 'unrecognized_keys' && issue.keys[0] ? [issue.keys[0]] : [];
  const path = [prefix, ...issue.path.map(String), ...extra].filter(Boolean).join('.') || 'body';
  throw new InvalidRequestError(`${path}: ${issue.code === 'unrecognized_keys' ? 'is not a known field' : issue.message}`, path);
}
