/** Configuration comes from the environment, read once and failing fast with the variable's name. */

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} must be set`);
  return value;
}

/** The settings of outgoing webhooks (lib/webhooks), read on each use so the local runtime and tests can set them. */
export const WEBHOOK_ENV = {
  /** `1` lets webhooks go to any http(s) URL, private and loopback addresses included: set by the local runtime only, never in AWS. */
  allowPrivateUrls: 'TALLY_WEBHOOKS_ALLOW_PRIVATE_URLS',
  /** How long one delivery attempt may take, DNS to response headers (default 5000 ms). */
  timeoutMs: 'TALLY_WEBHOOKS_TIMEOUT_MS',
} as const;

export function webhookSettings(): { allowPrivateUrls: boolean; timeoutMs: number } {
  const timeout = Number(process.env[WEBHOOK_ENV.timeoutMs] ?? 5000);
  return {
    allowPrivateUrls: process.env[WEBHOOK_ENV.allowPrivateUrls] === '1',
    timeoutMs: Number.isFinite(timeout) && timeout > 0 ? Math.min(timeout, 10_000) : 5000,
  };
}
