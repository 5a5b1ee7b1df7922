/**
 * Phone numbers (and any identifier that is personal data) are looked up by a keyed hash, so the
 * table's keys never hold them: HMAC-SHA256 under a secret key, per tenant and kind. In AWS the
 * key is a Secrets Manager secret the stack generates (`LOOKUP_KEY_SECRET_ARN`, read once per
 * process); locally and in tests it is `LOOKUP_KEY` (base64), which the local runtime generates
 * and keeps in its state directory.
 */
import { createHmac } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export const LOOKUP_KEY_ENV = 'LOOKUP_KEY';
export const LOOKUP_KEY_SECRET_ENV = 'LOOKUP_KEY_SECRET_ARN';

let key: Promise<Buffer> | undefined;

async function loadKey(): Promise<Buffer> {
  const inline = process.env[LOOKUP_KEY_ENV];
  if (inline) return Buffer.from(inline, 'base64');
  const arn = process.env[LOOKUP_KEY_SECRET_ENV];
  if (!arn) throw new Error(`Environment variable ${LOOKUP_KEY_ENV} or ${LOOKUP_KEY_SECRET_ENV} must be set`);
  const r = await new SecretsManagerClient({ maxAttempts: 3 }).send(new GetSecretValueCommand({ SecretId: arn }));
  if (!r.SecretString) throw new Error('the lookup key secret is empty');
  return Buffer.from(r.SecretString, 'utf8');
}

/** The keyed hash an identifier is stored and looked up under (base64url, 43 characters). */
export async function lookupHash(tenantId: string, kind: string, value: string): Promise<string> {
  key ??= loadKey().catch((e: unknown) => {
    key = undefined; // a failed load is retried by the next request, not cached
    throw e;
  });
  return createHmac('sha256', await key).update(`${tenantId}\u0000${kind}\u0000${value}`).digest('base64url');
}
