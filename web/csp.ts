/**
 * The console's and customer page's Content-Security-Policy, defined once: the local gateway
 * sends it and the CloudFront response headers policy (infra/constructs/web-console.ts) carries it.
 * Everything is served from the page's own origin (the API sits beside it under /v1); the only
 * other origin is the sign-in domain the console exchanges its code at (Cognito in AWS).
 * Styles stay 'self': the code sets styles through the DOM (allowed), never inline markup.
 */
export function contentSecurityPolicy(signInOrigin?: string): string {
  const connect = ["'self'", ...(signInOrigin ? [signInOrigin] : [])].join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${connect}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
