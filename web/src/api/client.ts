/**
 * The one HTTP client of the browser side: openapi-fetch typed by schema.d.ts, which
 * `npm run openapi` generates from openapi.json (so a new endpoint is a new typed path here,
 * and a changed body fails the web typecheck). The API is served from the page's own origin.
 */
import createClient from 'openapi-fetch';
import type { components, paths } from './schema.d.ts';

export type { components, paths };
export type Api = ReturnType<typeof createClient<paths>>;

/** The API's error shape, `{ error: { code, message, field? } }`, as a throwable. */
export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  constructor(status: number, code: string, message: string, field?: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

export function apiClient(credential: () => string | null, onUnauthorized?: () => void): Api {
  const client = createClient<paths>({ baseUrl: location.origin });
  client.use({
    onRequest({ request }) {
      const c = credential();
      if (c) request.headers.set('authorization', `Bearer ${c}`);
      return request;
    },
    onResponse({ response }) {
      if (response.status === 401) onUnauthorized?.();
      return response;
    },
  });
  return client;
}

/** Awaits an openapi-fetch call: its data when the answer is 2xx, else an ApiFailure. */
export async function call<T>(request: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await request;
  if (response.ok) return data as T;
  const e = (error as { error?: { code?: string; message?: string; field?: string } } | undefined)?.error;
  throw new ApiFailure(response.status, e?.code ?? `http_${response.status}`, e?.message ?? (error as { message?: string })?.message ?? response.statusText, e?.field);
}
