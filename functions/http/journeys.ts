/** Staff (marketers): define, list, start and stop journeys. */
import { createJourney, getJourney, listJourneys, startJourney, stopJourney, type JourneyDeps } from '#lib/app/journeys.ts';
import { db } from '#lib/storage/client.ts';
import { auditRepository } from '#lib/storage/audit.ts';
import { customerRepository } from '#lib/storage/customers.ts';
import { sharedJourneyRepository } from '#lib/storage/journeys.ts';
import { httpFunction, ok } from '#lib/http/function.ts';
import { jsonBody, pathParam, validate } from '#lib/http/request.ts';
import { pageQuery } from '#lib/http/schemas.ts';
import { createJourneyBody } from '#lib/http/schemas/journeys.ts';
import { journeyQueue } from '#lib/messaging/queues.ts';

// Only the repositories the journey routes use (as the webhooks function does): deps() would
// bundle, and build at a cold start, every repository.
let shared: JourneyDeps | undefined;
const deps = (): JourneyDeps =>
  (shared ??= { journeys: sharedJourneyRepository(db()), audit: auditRepository(db()), customers: customerRepository(db()), clock: () => new Date() });

export const handler = httpFunction('journeys', {
  'POST /v1/journeys': async (event, p) => ok(await createJourney(deps(), p, validate(createJourneyBody, jsonBody(event))), 201),
  'GET /v1/journeys': async (event, p) => ok(await listJourneys(deps(), p, validate(pageQuery, event.queryStringParameters ?? {}))),
  'GET /v1/journeys/{journeyId}': async (event, p) => ok(await getJourney(deps(), p, pathParam(event, 'journeyId'))),
  'POST /v1/journeys/{journeyId}/start': async (event, p) => ok(await startJourney(deps(), journeyQueue(), p, pathParam(event, 'journeyId'))),
  'POST /v1/journeys/{journeyId}/stop': async (event, p) => ok(await stopJourney(deps(), p, pathParam(event, 'journeyId'))),
});
