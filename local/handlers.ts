/** Every function's handler by route group, for the local gateway, benchmarks and tests. */
import type { RouteGroup } from '../lib/http/routes.ts';
import { handler as coupons } from '../functions/http/coupons.ts';
import { handler as customers } from '../functions/http/customers.ts';
import { handler as imports } from '../functions/http/imports.ts';
import { handler as journeys } from '../functions/http/journeys.ts';
import { handler as keys } from '../functions/http/keys.ts';
import { handler as me } from '../functions/http/me.ts';
import { handler as pos } from '../functions/http/pos.ts';
import { handler as programs } from '../functions/http/programs.ts';
import { handler as segments } from '../functions/http/segments.ts';
import { handler as webhooks } from '../functions/http/webhooks.ts';
import { handler as tenant } from '../functions/http/tenant.ts';
import { handler as catalog } from '../functions/http/catalog.ts';
import { handler as reports } from '../functions/http/reports.ts';
import { handler as simulations } from '../functions/http/simulations.ts';
import { handler as links } from '../functions/http/links.ts';
import type { LambdaHandler } from './gateway.ts';

export const handlers: Record<RouteGroup, LambdaHandler> = { pos, customers, programs, coupons, keys, journeys, me, webhooks, tenant, imports, catalog, segments, reports, simulations, links };
