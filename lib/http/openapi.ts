/**
 * Builds the OpenAPI 3.1 document from the route table and the zod schemas, so routes, request
 * validation and documentation have one source. `npm run openapi` writes it to `openapi.json`;
 * a test fails if the file is stale.
 */
import * as z from 'zod';
import type { $ZodType } from 'zod/v4/core';
import * as req from './schemas/all.ts';
import * as res from './responses.ts';
import { isPublicRoute, routeGroups, routeKey, type RouteKey } from './routes.ts';
import { programJsonSchema } from '../domain/program-schema.ts';

interface Operation {
  summary: string;
  description?: string;
  /** A zod schema of either build (lib/domain/zod-mini.ts). */
  body?: $ZodType;
  /** The body may be left out altogether. */
  bodyOptional?: boolean;
  ok: { status: number; schema: z.ZodType; description: string; mediaType?: 'text/csv' };
  /** Error statuses this operation documents besides 400/401/403/500. */
  errors: number[];
  query?: Array<{ name: string; description: string; schema: object }>;
}

const operations: Record<RouteKey, Operation> = {
  'POST /v1/identify': {
    summary: 'Identify a customer by card, phone or id',
    body: req.identifyBody,
    ok: { status: 200, schema: res.identifyResponse, description: 'The customer, their tier, points and discount now.' },
    errors: [404],
  },
  'POST /v1/receipts/quote': {
    summary: 'Price a receipt without writing anything',
    description:
      'Same body and same pricing as a commit: per line the points to earn, the points usable and the discounts. A line ' +
      'may leave `category` (and `attributes`, `unitPrice`) to the tenant’s product catalog; its own values win.',
    body: req.receiptBody,
    ok: { status: 200, schema: res.quoteResponse, description: 'What a commit of this body would do now.' },
    errors: [404, 409, 422],
  },
  'POST /v1/receipts': {
    summary: 'Commit a paid receipt: earn and burn atomically',
    description:
      'Idempotent on (store, receiptId): a retry with the same body gets the first answer byte for byte (header ' +
      '`idempotent-replayed: true`); the same receiptId with another body is refused with 422; a burn the balance no ' +
      'longer covers is refused with 409 and nothing is written.',
    body: req.receiptBody,
    ok: { status: 200, schema: res.receiptResponse, description: 'The committed receipt and the balance after it.' },
    errors: [404, 409, 422, 503],
  },
  'POST /v1/returns': {
    summary: 'Return some or all of a receipt’s lines',
    description:
      'Reverses the points the returned units earned and gives back the points burned on them. A line may instead give ' +
      'back `amount` (money, without units: a price adjustment): points follow in proportion to the money, and no ' +
      'sequence of refunds gives back more than the line earned (409 naming `lines.N.amount` past the money left). ' +
      'Idempotent on returnId.',
    body: req.returnBody,
    ok: { status: 200, schema: res.returnResponse, description: 'What was reversed and the balance after it.' },
    errors: [404, 409, 422, 503],
  },
  'POST /v1/customers': {
    summary: 'Enrol a customer',
    description:
      'A card number is issued if none is given. Card and phone are unique per tenant (409 `identifier_taken`). ' +
      'With `enrolmentId` a retry returns the first answer (header `idempotent-replayed: true`). ' +
      'With a member’s `referralCode` the two are linked for the program’s referral terms (422 if the code is unknown).',
    body: req.enrolBody,
    ok: { status: 201, schema: res.customerResponse, description: 'The new customer.' },
    errors: [409, 422],
  },
  'GET /v1/customers': {
    summary: 'Look a customer up by card or phone (staff)',
    description: 'Exactly one of `card` or `phone`. No match (or an erased customer) is an empty list, not a 404.',
    ok: { status: 200, schema: res.customerLookupResponse, description: 'The customers found: none or one.' },
    errors: [],
    query: [
      { name: 'card', description: 'A card number.', schema: { type: 'string', maxLength: 64 } },
      { name: 'phone', description: 'An international phone number, e.g. +37491234567.', schema: { type: 'string', maxLength: 64 } },
    ],
  },
  'GET /v1/me/coupons': {
    summary: 'The customer’s own coupons, newest first (customer app key)',
    description: 'Codes issued to this customer, a page at a time (a Query of the `coupons` index), each with its campaign’s name, reward and whether it can be used now.',
    ok: { status: 200, schema: res.meCouponsResponse, description: 'One page of the customer’s coupons.' },
    errors: [404],
    query: [
      { name: 'limit', description: 'Coupons per page (1–50, default 20).', schema: { type: 'integer', minimum: 1, maximum: 50 } },
      { name: 'cursor', description: 'The `nextCursor` of the previous page.', schema: { type: 'string', maxLength: 512 } },
    ],
  },
  'GET /v1/me/stamps': {
    summary: 'The customer’s own stamp cards and unlocked rewards (customer app key)',
    description: 'Progress on each stamp card and item milestone of the program (bounded by the program: at most 200 SKUs over all cards) and the one-time rewards waiting (at most 20).',
    ok: { status: 200, schema: res.meStampsResponse, description: 'Stamp cards and rewards.' },
    errors: [404],
  },
  'GET /v1/customers/search': {
    summary: 'Find customers by the start of their name (staff)',
    description:
      'Matches the start of the name as enrolled, given name first, after the same normalisation on both sides: case folded, ' +
      'diacritics dropped from Latin letters (Zsófia = zsofia), Armenian, Cyrillic and Persian letters kept (Persian ي/ك read as ی/ک), ' +
      'punctuation as spaces. A Query of the `names` index, a page at a time in name order; erased customers are not found.',
    ok: { status: 200, schema: res.customerSearchResponse, description: 'One page of matches, in name order.' },
    errors: [],
    query: [
      { name: 'name', description: 'The start of the name (1–100 characters, at least one letter or digit).', schema: { type: 'string', minLength: 1, maxLength: 100 } },
      { name: 'limit', description: 'Matches per page (1–50, default 20).', schema: { type: 'integer', minimum: 1, maximum: 50 } },
      { name: 'cursor', description: 'The `nextCursor` of the previous page, with the same `name`.', schema: { type: 'string', maxLength: 512 } },
    ],
  },
  'POST /v1/customers/{customerId}/link': {
    summary: 'Send the customer a one-time link to their page (SMS or e-mail)',
    description:
      'The link (`…/me.html?link=TOKEN`) works once, for 15 minutes; the page exchanges it for a session (`POST /v1/links/exchange`). ' +
      'Only the token’s SHA-256 is stored. `channel` defaults to SMS when the customer has a number; 409 `no_channel` when the chosen channel cannot reach them; ' +
      '502 `channel_failed` when the channel did not take the message (nothing reached the customer). Audited.',
    body: req.sendLinkBody,
    bodyOptional: true,
    ok: { status: 202, schema: res.linkSentResponse, description: 'The link is on its way.' },
    errors: [404, 409, 502],
  },
  'POST /v1/links': {
    summary: 'The customer asks for a link to their page by phone (no credential)',
    description:
      'Public. `tenantId` names the chain whose page the customer is on. The answer is the same whether or not a member has the number; ' +
      'a member gets the link by SMS. One number may ask 3 times an hour (then 429 naming `phone`), one address 20 requests a second.',
    body: req.linkRequestBody,
    ok: { status: 202, schema: res.linkRequestedResponse, description: 'Accepted (whether or not a member has the number).' },
    errors: [],
  },
  'POST /v1/links/exchange': {
    summary: 'Exchange a one-time link for the customer page’s session (no credential)',
    description:
      'Public. Once per link, within 15 minutes of sending: the answer is a key of that customer for `/v1/me` that lasts 90 days. ' +
      'A link already used is 410 `link_used`, one past its time 410 `link_expired`, one never sent 404 (each naming `token`).',
    body: req.linkExchangeBody,
    ok: { status: 201, schema: res.linkExchangedResponse, description: 'The session key, shown once.' },
    errors: [404, 410],
  },
  'GET /v1/customers/{customerId}': {
    summary: 'Read a customer: profile, balance, tier',
    ok: { status: 200, schema: res.customerResponse, description: 'The customer.' },
    errors: [404],
  },
  'GET /v1/customers/{customerId}/ledger': {
    summary: 'The customer’s ledger, newest first',
    ok: { status: 200, schema: res.ledgerResponse, description: 'One page of ledger entries.' },
    errors: [404],
    query: [
      { name: 'limit', description: 'Entries per page (1–200, default 50).', schema: { type: 'integer', minimum: 1, maximum: 200 } },
      { name: 'cursor', description: 'The `nextCursor` of the previous page.', schema: { type: 'string', maxLength: 512 } },
    ],
  },
  'POST /v1/customers/{customerId}/adjustments': {
    summary: 'Adjust points by hand (staff), with a reason',
    description: 'Idempotent on adjustmentId. Recorded in the ledger with the staff member who did it.',
    body: req.adjustmentBody,
    ok: { status: 200, schema: res.adjustmentResponse, description: 'The adjustment and the balance after it.' },
    errors: [404, 409, 422, 503],
  },
  'PUT /v1/customers/{customerId}/tier': {
    summary: 'Assign or clear a staff tier (e.g. VIP)',
    body: req.tierBody,
    ok: { status: 200, schema: res.customerResponse, description: 'The customer with the tier in force.' },
    errors: [404, 422, 503],
  },
  'PUT /v1/customers/{customerId}/segments': {
    summary: 'Set the segments a customer belongs to (rules can be limited to segments)',
    body: req.segmentsBody,
    ok: { status: 200, schema: res.customerResponse, description: 'The customer.' },
    errors: [404, 503],
  },
  'PUT /v1/customers/{customerId}/devices': {
    summary: 'Register the customer’s push tokens (replaces the list)',
    description: 'Called by the app (through a staff or, later, a customer credential); push messages go to the newest token.',
    body: req.devicesBody,
    ok: { status: 200, schema: res.customerResponse, description: 'The customer.' },
    errors: [404, 503],
  },
  'POST /v1/customers/{customerId}/app-key': {
    summary: 'Issue a key for the customer’s own app (shown once)',
    description: 'The key can only read and change this customer, through /v1/me. Revoke it like any key.',
    body: req.appKeyBody,
    bodyOptional: true,
    ok: { status: 201, schema: res.appKeyResponse, description: 'The key, shown once.' },
    errors: [404],
  },
  'GET /v1/me': {
    summary: 'The customer’s own profile, points and tier (customer app key)',
    ok: { status: 200, schema: res.customerResponse, description: 'The customer the key belongs to.' },
    errors: [404],
  },
  'GET /v1/me/ledger': {
    summary: 'The customer’s own ledger, newest first (customer app key)',
    ok: { status: 200, schema: res.ledgerResponse, description: 'One page of ledger entries.' },
    errors: [404],
    query: [
      { name: 'limit', description: 'Entries per page (1–200, default 50).', schema: { type: 'integer', minimum: 1, maximum: 200 } },
      { name: 'cursor', description: 'The `nextCursor` of the previous page.', schema: { type: 'string', maxLength: 512 } },
    ],
  },
  'PUT /v1/me/devices': {
    summary: 'Register the app’s push tokens (customer app key; replaces the list)',
    body: req.devicesBody,
    ok: { status: 200, schema: res.customerResponse, description: 'The customer.' },
    errors: [404, 503],
  },
  'GET /v1/customers/{customerId}/export': {
    summary: 'Everything held about a customer, a page at a time (audited)',
    query: [{ name: 'cursor', description: 'The `next` of the previous page.', schema: { type: 'string', maxLength: 1024 } }],
    ok: { status: 200, schema: res.exportResponse, description: 'Profile, points, ledger, receipts, coupons, rewards, messages sent, journeys, reminders, reviews; `next` for the following page.' },
    errors: [400, 404],
  },
  'POST /v1/customers/{customerId}/erase': {
    summary: 'Erase a customer’s personal data (audited; repeating it changes nothing)',
    description:
      'Removes name, phone, e-mail, birth date, language, push tokens and codes from the profile, frees the card, phone and referral code, ' +
      'and deletes the texts of messages sent. The ledger stays, with its amounts, under the random customer id, so the books still balance. ' +
      'Afterwards the customer cannot be identified or read again; their ledger can.',
    body: req.eraseBody,
    ok: { status: 200, schema: res.eraseResponse, description: 'When the data was erased.' },
    errors: [404, 503],
  },
  'POST /v1/customers/{customerId}/reviews': {
    summary: 'Record a product review or survey answer; grants the review bonus once per product',
    body: req.reviewBody,
    ok: { status: 200, schema: res.reviewResponse, description: 'What was granted and the balance after it.' },
    errors: [404, 503],
  },
  'POST /v1/customers/{customerId}/events': {
    summary: 'Post a custom event for a customer (app installed, newsletter, survey, check-in, share); earns by the program’s `customEvents` rules',
    description:
      'Staff only (admin, support): a till or the customer’s app could mint points for events nobody can check. Idempotent on eventId: ' +
      'a retry with the same body replays the first answer (header `idempotent-replayed: true`), another body under the same id is refused with 422. ' +
      'Every rule for the type whose `when` and `attributes` hold earns, up to its per-customer `limit` and its budget. Points land in the ledger ' +
      'as kind `event` with the event type; the event is raised as `customer.event` for journeys and webhooks (with its attributes: never personal data). ' +
      '`occurredAt` may be at most `receipts.maxAgeDays` old (422 `event_too_old`).',
    body: req.customEventBody,
    ok: { status: 200, schema: res.customEventResponse, description: 'What the event earned and the balance after it.' },
    errors: [404, 422, 503],
  },
  'GET /v1/customers/{customerId}/budgets': {
    summary: 'The customer’s use of per-customer limits (budgets and custom-event rules) in each one’s current period',
    ok: { status: 200, schema: res.customerBudgetsResponse, description: 'Use and what is left, per limit.' },
    errors: [404],
  },
  'GET /v1/budgets': {
    summary: 'Campaign budgets of the program in force: used and left',
    description:
      'Every earning rule, custom-event rule and coupon campaign with a budget. `used` is what commits drew (atomically: concurrent tills never take ' +
      'more than the total); once a limit is reached the campaign simply stops applying. Returns give nothing back.',
    ok: { status: 200, schema: res.budgetsResponse, description: 'Each budget with used, total and left.' },
    errors: [404],
  },
  'GET /v1/program': {
    summary: 'The program document in force',
    ok: { status: 200, schema: res.storedProgramResponse, description: 'The current version.' },
    errors: [404],
  },
  'POST /v1/program': {
    summary: 'Publish a program document as the next version',
    description:
      'Receipts record the version they were priced with. With `basedOnVersion`, refuses (409) if another version was published since. ' +
      'A document that would take more than 400 KB stored is refused (422, `limit_exceeded`); `validate` says so first.',
    body: req.publishProgramBody,
    ok: { status: 201, schema: res.storedProgramResponse, description: 'The new current version.' },
    errors: [409, 422],
  },
  'POST /v1/program/validate': {
    summary: 'Validate a draft program document without publishing it',
    body: req.validateProgramBody,
    ok: { status: 200, schema: res.validationResponse, description: 'Every problem, with its JSON path.' },
    errors: [],
  },
  'GET /v1/program/versions': {
    summary: 'Published versions, newest first',
    ok: { status: 200, schema: res.versionsResponse, description: 'Up to 100 versions.' },
    errors: [],
  },
  'GET /v1/program/versions/{version}': {
    summary: 'One published version',
    ok: { status: 200, schema: res.storedProgramResponse, description: 'That version.' },
    errors: [404],
  },
  'POST /v1/coupons': {
    summary: 'Issue coupon codes from a campaign of the program',
    description: 'To one customer (only they may use the codes) or, without customerId, a batch anyone holding a code may use (e.g. for print), or one code each to a segment. Idempotent on issueId: a retry resumes an interrupted issue with the same codes, or answers a finished one again.',
    body: req.issueCouponsBody,
    ok: { status: 201, schema: res.issuedCouponsResponse, description: 'The codes, shown once here.' },
    errors: [404, 409, 422, 503],
  },
  'GET /v1/coupons/{code}': {
    summary: 'A coupon code’s state',
    ok: { status: 200, schema: res.couponResponse, description: 'Issued or used, and by whom.' },
    errors: [404],
  },
  'POST /v1/journeys': {
    summary: 'Define a journey (created as a draft)',
    description:
      'A trigger (a domain event, or an audience: customer ids or a segment, now or at a date), then steps: waits, ' +
      'conditions that end the journey for a customer, and messages on the first channel the customer consented to. ' +
      'A frequency cap limits journey messages per customer across journeys.',
    body: req.createJourneyBody,
    ok: { status: 201, schema: res.journeyResponse, description: 'The journey, as a draft.' },
    errors: [409],
  },
  'GET /v1/journeys': {
    summary: 'The tenant’s journeys, a page at a time',
    ok: { status: 200, schema: res.journeyListResponse, description: 'One page of journeys with their status.' },
    errors: [400],
    query: [
      { name: 'limit', description: 'Items per page (1–200, default 50).', schema: { type: 'integer', minimum: 1, maximum: 200 } },
      { name: 'cursor', description: 'The `nextCursor` of the previous page.', schema: { type: 'string', maxLength: 512 } },
    ],
  },
  'POST /v1/imports': {
    summary: 'Start an import: an upload link for a member file, or a product file for the catalog',
    description:
      'Answers a link to PUT a CSV or JSON Lines file of members (`kind: members`, see README, "Migrating members") or of ' +
      'products (`kind: products`, README "Product catalog") to; the import ' +
      'runs when the file lands and `GET /v1/imports/{importId}` follows it. 409 `imports_not_configured` where the ' +
      'deployment has no import bucket; 422 `limit_exceeded` for a file over `import.maxFileBytes`.',
    body: req.startImportBody,
    ok: { status: 201, schema: res.startImportResponse, description: 'The import, awaiting its file.' },
    errors: [409, 422],
  },
  'GET /v1/imports/{importId}': {
    summary: 'A migration import: progress, rate and refused rows',
    ok: { status: 200, schema: res.importResponse, description: 'The import and one page of its refused rows.' },
    errors: [404],
    query: [
      { name: 'limit', description: 'Refused rows per page (1–200, default 20).', schema: { type: 'integer', minimum: 1, maximum: 200 } },
      { name: 'cursor', description: 'The `nextCursor` of the previous page.', schema: { type: 'string', maxLength: 512 } },
    ],
  },
  'GET /v1/catalog': {
    summary: 'The product catalog, a page at a time, in SKU order',
    ok: { status: 200, schema: res.productListResponse, description: 'One page of products.' },
    errors: [400],
    query: [
      { name: 'limit', description: 'Items per page (1–200, default 50).', schema: { type: 'integer', minimum: 1, maximum: 200 } },
      { name: 'cursor', description: 'The `nextCursor` of the previous page.', schema: { type: 'string', maxLength: 512 } },
    ],
  },
  'GET /v1/catalog/{sku}': {
    summary: 'One product (the SKU percent-encoded in the path)',
    ok: { status: 200, schema: res.productResponse, description: 'The product.' },
    errors: [404],
  },
  'PUT /v1/catalog/{sku}': {
    summary: 'Add or replace a product',
    description:
      'Tills may then send only `sku`, `quantity` and `amount` for it: quote and commit take its category and attributes ' +
      '(a line’s own win) and its price as the unit price. The same body again changes nothing. Whole files come in through ' +
      '`POST /v1/imports` with `kind: products`. A tenant’s tills see a change within 30 s.',
    body: req.productBody,
    ok: { status: 200, schema: res.productResponse, description: 'The product as stored.' },
    errors: [409],
  },
  'DELETE /v1/catalog/{sku}': {
    summary: 'Remove a product',
    description: 'Lines with its SKU must then carry their own category.',
    ok: { status: 200, schema: res.productDeletedResponse, description: 'Removed.' },
    errors: [404, 409],
  },
  'POST /v1/segments': {
    summary: 'Define a segment: conditions as data',
    description:
      'Conditions on tier, RFM class, last purchase, enrolment day, birthday month, consent per channel, balance, and ' +
      'categories, SKUs or stores bought in a window (these need the program’s `purchaseSummary`); `match` all or any, ' +
      '`not` on any condition. Members are kept current as events about customers arrive and by the nightly segments ' +
      'job, and are used wherever segments are (rules’ `when.segments`, coupons, journeys). 409 `segment_in_use` if ' +
      'customers are in a segment of that id set by hand; 422 `limit_exceeded` past 20 definitions.',
    body: req.createSegmentBody,
    ok: { status: 201, schema: res.segmentResponse, description: 'The definition.' },
    errors: [409, 422],
  },
  'GET /v1/segments': {
    summary: 'The tenant’s segment definitions',
    ok: { status: 200, schema: res.segmentListResponse, description: 'Every definition.' },
    errors: [],
  },
  'GET /v1/segments/{segmentId}': {
    summary: 'One segment definition',
    ok: { status: 200, schema: res.segmentResponse, description: 'The definition.' },
    errors: [404],
  },
  'PUT /v1/segments/{segmentId}': {
    summary: 'Change a segment definition (audited)',
    description: 'Members are re-evaluated under the new conditions as events arrive and by the next nightly run.',
    body: req.updateSegmentBody,
    ok: { status: 200, schema: res.segmentResponse, description: 'The definition as it is now.' },
    errors: [404, 409],
  },
  'DELETE /v1/segments/{segmentId}': {
    summary: 'Delete a segment definition (audited)',
    description: 'Its members leave as each is next evaluated: on an event about them, or by the next nightly run.',
    ok: { status: 200, schema: res.segmentDeletedResponse, description: 'Deleted.' },
    errors: [404, 409],
  },
  'GET /v1/segments/{segmentId}/members': {
    summary: 'A segment’s members (defined or set by hand), a page at a time',
    ok: { status: 200, schema: res.segmentMembersResponse, description: 'One page of members in customer-id order.' },
    errors: [],
    query: [
      { name: 'limit', description: 'Members per page (1–1000, default 200).', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
      { name: 'cursor', description: 'The `nextCursor` of the previous page.', schema: { type: 'string', maxLength: 512 } },
    ],
  },
  'GET /v1/segments/{segmentId}/export': {
    summary: 'A segment’s members as CSV, a page at a time',
    description: 'Customer ids only (no personal data). The response header `next-cursor` is the `?cursor=` of the next page; absent on the last.',
    ok: { status: 200, schema: res.segmentCsvResponse, description: 'One page of members as CSV.', mediaType: 'text/csv' },
    errors: [],
    query: [
      { name: 'limit', description: 'Members per page (1–1000, default 200).', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
      { name: 'cursor', description: 'The `next-cursor` header of the previous page.', schema: { type: 'string', maxLength: 512 } },
    ],
  },
  'POST /v1/simulations': {
    summary: 'Simulate a draft program on a period of the chain’s own receipts',
    description:
      'Replays every receipt and return committed in [from, to) under the program in force and the draft, side by side, ' +
      'with the till’s engine; a worker does it shard by shard of customers and `GET /v1/simulations/{simulationId}` ' +
      'follows it. First the `warmupDays` before `from` (default 366) are replayed, each side under its own program, and not ' +
      'counted: customers bring their balances, tiers and counters into the period. ' +
      '422 `limit_exceeded` for a period over `simulation.maxDays` (366) or a warm-up over `simulation.maxWarmupDays` (366).',
    body: req.startSimulationBody,
    ok: { status: 202, schema: res.simulationResponse, description: 'The simulation, queued.' },
    errors: [404, 422],
  },
  'GET /v1/simulations/{simulationId}': {
    summary: 'A simulation: progress, and the report side by side once done',
    ok: { status: 200, schema: res.simulationResponse, description: 'The simulation.' },
    errors: [404],
  },
  'GET /v1/journeys/{journeyId}': {
    summary: 'One journey',
    ok: { status: 200, schema: res.journeyResponse, description: 'The journey.' },
    errors: [404],
  },
  'POST /v1/journeys/{journeyId}/start': {
    summary: 'Start (or restart) a journey',
    description: 'An audience without a date enters now; with a date, then. Event triggers enrol from now on.',
    ok: { status: 200, schema: res.journeyResponse, description: 'The journey, active.' },
    errors: [404, 409],
  },
  'POST /v1/journeys/{journeyId}/stop': {
    summary: 'Stop a journey',
    description: 'Nobody enters any more and customers on the way go no further.',
    ok: { status: 200, schema: res.journeyResponse, description: 'The journey, stopped.' },
    errors: [404, 409],
  },
  'POST /v1/keys': {
    summary: 'Create an API key for a store (POS) or a staff member',
    description: 'A POS key needs a store that exists (404) and is active (409 `store_inactive`).',
    body: req.createKeyBody,
    ok: { status: 201, schema: res.newKeyResponse, description: 'The key, shown once.' },
    errors: [404, 409],
  },
  'GET /v1/keys': {
    summary: 'The tenant’s keys (never the keys themselves), a page at a time',
    ok: { status: 200, schema: res.keyListResponse, description: 'One page of keys, with expiry and revocation.' },
    errors: [400],
    query: [
      { name: 'limit', description: 'Items per page (1–200, default 50).', schema: { type: 'integer', minimum: 1, maximum: 200 } },
      { name: 'cursor', description: 'The `nextCursor` of the previous page.', schema: { type: 'string', maxLength: 512 } },
    ],
  },
  'POST /v1/keys/{keyId}/rotate': {
    summary: 'Replace a key; the old one keeps working for the overlap',
    body: req.rotateKeyBody,
    ok: { status: 201, schema: res.newKeyResponse, description: 'The new key, shown once.' },
    errors: [404, 409],
  },
  'DELETE /v1/keys/{keyId}': {
    summary: 'Revoke a key now',
    description: 'Warm functions stop accepting it within 5 seconds (their key cache).',
    ok: { status: 200, schema: res.keyInfoResponse, description: 'The revoked key.' },
    errors: [404],
  },
  'GET /v1/audit': {
    summary: 'The audit trail: staff actions of one month, newest first',
    description: 'Every staff action is recorded in the same transaction as the action, with actor, time, before and after; records are never changed.',
    ok: { status: 200, schema: res.auditResponse, description: 'One page of records.' },
    errors: [],
    query: [
      { name: 'month', description: 'YYYY-MM (default: the current month).', schema: { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$' } },
      { name: 'limit', description: 'Records per page (1–200, default 50).', schema: { type: 'integer', minimum: 1, maximum: 200 } },
      { name: 'cursor', description: 'The `nextCursor` of the previous page.', schema: { type: 'string', maxLength: 512 } },
    ],
  },
  'POST /v1/webhooks': {
    summary: 'Register a webhook endpoint (its signing secret is shown once)',
    description:
      'Every domain event of the subscribed types is POSTed to the URL, signed (`tally-signature: t=…,v1=…`, HMAC-SHA256 over `t.body`), ' +
      'retried with exponential backoff for 24 hours, then parked and replayable. In AWS the URL must be https to a public address ' +
      '(checked again after DNS resolution at every delivery). At most 10 endpoints per tenant (422 `webhooks.perTenant`).',
    body: req.createWebhookBody,
    ok: { status: 201, schema: res.webhookSecretResponse, description: 'The endpoint and its secret, shown only here.' },
    errors: [422],
  },
  'GET /v1/webhooks': {
    summary: 'The tenant’s webhook endpoints (never their secrets)',
    ok: { status: 200, schema: res.webhookListResponse, description: 'One page of endpoints.' },
    errors: [],
    query: [
      { name: 'limit', description: 'Endpoints per page (1–200, default 50).', schema: { type: 'integer', minimum: 1, maximum: 200 } },
      { name: 'cursor', description: 'The `nextCursor` of the previous page.', schema: { type: 'string', maxLength: 512 } },
    ],
  },
  'GET /v1/webhooks/{webhookId}': {
    summary: 'One webhook endpoint (never its secret)',
    ok: { status: 200, schema: res.webhookResponse, description: 'The endpoint.' },
    errors: [404],
  },
  'PATCH /v1/webhooks/{webhookId}': {
    summary: 'Change an endpoint’s URL, event types, description, or pause and resume it',
    description: 'A paused endpoint takes no new deliveries; deliveries already queued for it are parked when they come up (replay them after resuming).',
    body: req.updateWebhookBody,
    ok: { status: 200, schema: res.webhookResponse, description: 'The endpoint as changed.' },
    errors: [404, 409],
  },
  'DELETE /v1/webhooks/{webhookId}': {
    summary: 'Delete an endpoint; deliveries still queued for it are dropped',
    ok: { status: 200, schema: res.deletedWebhookResponse, description: 'The endpoint as it was.' },
    errors: [404, 409],
  },
  'POST /v1/webhooks/{webhookId}/rotate-secret': {
    summary: 'A new signing secret (shown once); the old one keeps signing beside it for the overlap',
    description: 'During the overlap every delivery carries two `v1` signatures, one per secret, so the receiver can switch without refusing any.',
    body: req.rotateWebhookSecretBody,
    bodyOptional: true,
    ok: { status: 201, schema: res.webhookSecretResponse, description: 'The endpoint and its new secret, shown only here.' },
    errors: [404, 409],
  },
  'GET /v1/webhooks/{webhookId}/deliveries': {
    summary: 'The endpoint’s delivery log, newest event first',
    ok: { status: 200, schema: res.webhookDeliveryListResponse, description: 'One page of deliveries, with attempts, last status or error, and state.' },
    errors: [404],
    query: [
      { name: 'limit', description: 'Deliveries per page (1–200, default 50).', schema: { type: 'integer', minimum: 1, maximum: 200 } },
      { name: 'cursor', description: 'The `nextCursor` of the previous page.', schema: { type: 'string', maxLength: 512 } },
    ],
  },
  'POST /v1/webhooks/{webhookId}/deliveries/{deliveryId}/replay': {
    summary: 'Send a parked delivery again',
    description:
      'The same body and event id, signed anew, after whatever its customer’s deliveries to this endpoint have queued; retried for another 24 hours. ' +
      'A parked delivery can be replayed, and one due for over an hour but never tried (its queue message was lost); anything else is a 409.',
    ok: { status: 200, schema: res.webhookDeliveryResponse, description: 'The delivery, pending again.' },
    errors: [404, 409],
  },
  'POST /v1/stores': {
    summary: 'Register a store',
    description:
      'Idempotent on storeId: a retry with the same body gets the first answer (header `idempotent-replayed: true`); ' +
      'the same storeId with other details is refused with 422 — change a store with PATCH. Tags: at most 20, names ' +
      'of lowercase letters, digits, _ or -.',
    body: req.createStoreBody,
    ok: { status: 201, schema: res.storeResponse, description: 'The store, active.' },
    errors: [409, 422],
  },
  'GET /v1/stores': {
    summary: 'The tenant’s stores, in id order, a page at a time',
    ok: { status: 200, schema: res.storeListResponse, description: 'One page of stores.' },
    errors: [],
    query: [
      { name: 'limit', description: 'Stores per page (1–200, default 50).', schema: { type: 'integer', minimum: 1, maximum: 200 } },
      { name: 'cursor', description: 'The `nextCursor` of the previous page.', schema: { type: 'string', maxLength: 512 } },
    ],
  },
  'GET /v1/stores/{storeId}': {
    summary: 'One store',
    ok: { status: 200, schema: res.storeResponse, description: 'The store.' },
    errors: [404],
  },
  'PATCH /v1/stores/{storeId}': {
    summary: 'Change a store; `active: false` deactivates it, `true` reactivates it',
    description:
      'A deactivated store’s POS keys stop working within 15 seconds (API Gateway’s 10 s cache of the authorizer’s answer ' +
      'plus the authorizer’s 5 s key cache); its receipts are kept and can be returned at another store. `address` or ' +
      '`timeZone` null removes them; `tags` replaces all tags. Audited with before and after.',
    body: req.updateStoreBody,
    ok: { status: 200, schema: res.storeResponse, description: 'The store as it is now.' },
    errors: [404, 409],
  },
  'GET /v1/tenant': {
    summary: 'The tenant’s settings',
    ok: { status: 200, schema: res.tenantResponse, description: 'Name and default language.' },
    errors: [404],
  },
  'PATCH /v1/tenant': {
    summary: 'Change the tenant’s name or default language (audited)',
    body: req.updateTenantBody,
    ok: { status: 200, schema: res.tenantResponse, description: 'The settings as they are now.' },
    errors: [404, 409],
  },
  'GET /v1/health': {
    summary: 'What is in force and live: the program version and the notification channels',
    ok: { status: 200, schema: res.healthResponse, description: 'The tenant’s program version and the live channels.' },
    errors: [],
  },
  'GET /v1/program/schema': {
    summary: 'The JSON Schema of the program document',
    ok: { status: 200, schema: res.jsonSchemaResponse, description: 'Generated from the schema the engine validates with.' },
    errors: [],
  },
  'GET /v1/reports/sales': {
    summary: 'Receipts, money and discount cost by source over a period of days, for the chain, per store or per tier',
    description:
      'Read from report counters the stream keeps (seconds behind the tills); days are the program’s days of each receipt’s `occurredAt`. ' +
      'At most 366 days (422 `reports.maxDays`). Every receipt is a member’s: tills post no anonymous receipts.',
    ok: { status: 200, schema: res.salesReportResponse, description: 'The period’s figures.' },
    errors: [422],
    query: [
      { name: 'from', description: 'First day, YYYY-MM-DD (program time).', schema: { type: 'string', format: 'date' } },
      { name: 'to', description: 'Last day, YYYY-MM-DD, inclusive.', schema: { type: 'string', format: 'date' } },
      { name: 'by', description: '`total` (default), `store` or `tier`.', schema: { type: 'string', enum: ['total', 'store', 'tier'] } },
    ],
  },
  'GET /v1/reports/points': {
    summary: 'Points issued, burned, expired, adjusted and returned over a period of days, for the chain or per store',
    description: 'Sums of the ledger entries made in the period (days of the entries’ time, program time), by kind. At most 366 days (422 `reports.maxDays`).',
    ok: { status: 200, schema: res.pointsReportResponse, description: 'The period’s points.' },
    errors: [422],
    query: [
      { name: 'from', description: 'First day, YYYY-MM-DD.', schema: { type: 'string', format: 'date' } },
      { name: 'to', description: 'Last day, YYYY-MM-DD, inclusive.', schema: { type: 'string', format: 'date' } },
      { name: 'by', description: '`total` (default) or `store`.', schema: { type: 'string', enum: ['total', 'store'] } },
    ],
  },
  'GET /v1/reports/members': {
    summary: 'Members per month: enrolled, active, receipts, average receipt and visit frequency, by tier',
    description: 'A member is active in a month with at least one receipt in it (program time); by the tier they had then. At most 36 months (422 `reports.maxMonths`).',
    ok: { status: 200, schema: res.membersReportResponse, description: 'One row per month.' },
    errors: [422],
    query: [
      { name: 'from', description: 'First month, YYYY-MM.', schema: { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$' } },
      { name: 'to', description: 'Last month, YYYY-MM, inclusive.', schema: { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$' } },
    ],
  },  'GET /v1/reports/liability': {
    summary: 'Points liability as of the end of a day: outstanding points and their value, by month of expiry, tier or store',
    description:
      'The sum of every ledger entry up to the end of `asOf` (program time; default today), available and pending, valued at the program’s point value. ' +
      'By expiry: one row per lot, with `debt` (points a return reversed after they were spent) and `pending`; by tier: the customers’ balances under their tier then; ' +
      'by store: the entries made at each store (null: jobs and staff; `*`: tills’ entries of UTC days not yet folded into their stores, which the hourly insight job does about 20 minutes after each day ends). Every view adds up to the same total.',
    ok: { status: 200, schema: res.liabilityReportResponse, description: 'The liability.' },
    errors: [409],
    query: [
      { name: 'asOf', description: 'YYYY-MM-DD (default: today, program time).', schema: { type: 'string', format: 'date' } },
      { name: 'by', description: '`expiry` (default), `tier` or `store`.', schema: { type: 'string', enum: ['expiry', 'tier', 'store'] } },
    ],
  },
  'GET /v1/reports/liability/export': {
    summary: 'Month-end points liability as CSV, for booking deferred revenue',
    description:
      'Rows: the opening liability, the month’s movements by ledger kind, the closing liability by month of expiry, the expected breakage ' +
      '(from the lots of the 36 months before) and the closing liability net of it. Amounts are points × point value, in minor units.',
    ok: { status: 200, schema: res.liabilityExportResponse, description: 'The CSV file.', mediaType: 'text/csv' },
    errors: [409],
    query: [{ name: 'month', description: 'YYYY-MM, not after the current month.', schema: { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$' } }],
  },
  'GET /v1/reports/breakage': {
    summary: 'Breakage per lot (month of expiry): points issued into it, redeemed, expired, and the expected breakage',
    description: 'The expected breakage is Σ expired / Σ issued over the lots asked for whose month has ended. At most 36 months (422 `reports.maxMonths`).',
    ok: { status: 200, schema: res.breakageReportResponse, description: 'The lots and the estimate.' },
    errors: [409, 422],
    query: [
      { name: 'from', description: 'First lot month, YYYY-MM.', schema: { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$' } },
      { name: 'to', description: 'Last lot month, YYYY-MM, inclusive.', schema: { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$' } },
    ],
  },
  'GET /v1/reports/products': {
    summary: 'Top SKUs and every category by members’ revenue over a period of days',
    description:
      'Read from the day items the nightly insight job writes for each UTC day (from the history of receipts, never on the till’s path); ' +
      'a SKU counts on the days it was among that day’s top 1,000 (`unlistedAtMost` bounds what it may miss on other days; `skusComplete` when none can). ' +
      'Revenue is net of returns, each on the day it was committed. At most 366 days (422 `reports.maxDays`).',
    ok: { status: 200, schema: res.productsReportResponse, description: 'The period’s SKUs and categories.' },
    errors: [409, 422],
    query: [
      { name: 'from', description: 'First day, YYYY-MM-DD (UTC).', schema: { type: 'string', format: 'date' } },
      { name: 'to', description: 'Last day, YYYY-MM-DD, inclusive.', schema: { type: 'string', format: 'date' } },
      { name: 'limit', description: 'SKUs to list, 1–100 (default 20).', schema: { type: 'integer', minimum: 1, maximum: 100 } },
    ],
  },
  'GET /v1/reports/campaigns': {
    summary: 'Coupon and journey results: sent, used, and the revenue within N days of each send',
    description:
      'Sends on the days asked for (program time), from the report counters; the receipts each recipient made in the `days` days after a send, ' +
      'from the nightly day items. At most 92 days of sends (422 `reports.maxCampaignDays`), `days` at most 90.',
    ok: { status: 200, schema: res.campaignsReportResponse, description: 'One row per coupon campaign and journey step with sends or results.' },
    errors: [409, 422],
    query: [
      { name: 'from', description: 'First day of sends, YYYY-MM-DD.', schema: { type: 'string', format: 'date' } },
      { name: 'to', description: 'Last day of sends, inclusive.', schema: { type: 'string', format: 'date' } },
      { name: 'days', description: 'Receipts within this many days after a send count, 1–90 (default 30).', schema: { type: 'integer', minimum: 1, maximum: 90 } },
    ],
  },
  'GET /v1/reports/coupons': {
    summary: 'Coupon campaigns over a period of days: issued, sent, used, discount, points and the money of the receipts that used them',
    description: 'Days are the program’s: of issue for codes, of `occurredAt` for receipts. At most 366 days (422 `reports.maxDays`).',
    ok: { status: 200, schema: res.couponsReportResponse, description: 'One row per campaign with any activity.' },
    errors: [409, 422],
    query: [
      { name: 'from', description: 'First day, YYYY-MM-DD.', schema: { type: 'string', format: 'date' } },
      { name: 'to', description: 'Last day, YYYY-MM-DD, inclusive.', schema: { type: 'string', format: 'date' } },
    ],
  },


};

const errorText: Record<number, string> = {
  400: 'The request breaks the contract; `error.field` names the field.',
  401: 'A key that is not valid (the error shape), or no Authorization header at all — then API Gateway answers itself with `{"message":"Unauthorized"}`.',
  403: 'The key may not call this route.',
  404: 'Not found (also for anything of another tenant).',
  410: 'Existed but can no longer be used (a one-time link used or expired); the code says which.',
  409: 'Conflicts with the current state (balance, quantities left, identifiers taken).',
  422: 'Well-formed, but breaks a rule of the program, passes a limit (named in the message), or reuses an idempotency key with another body.',
  429: 'The key made more requests per second than its limit (named in the message); retry after `retry-after` seconds.',
  502: 'A channel (SMS, e-mail) did not take the message; nothing reached the customer (`channel_failed`).',
  500: 'Our fault, or the key authorizer failed (then API Gateway answers `{"message":"Internal Server Error"}`); safe to retry with the same body.',
  503: 'Briefly unavailable (storage throttled or timed out, or heavy contention on one customer); retry the same request — it is safe to.',
};

const schemaOf = (s: $ZodType, io: 'input' | 'output') => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

export function buildOpenApi(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [group, routes] of Object.entries(routeGroups)) {
    for (const r of routes) {
      const op = operations[routeKey(r) as RouteKey];
      const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
      const responses: Record<string, unknown> = {
        [op.ok.status]: { description: op.ok.description, content: { [op.ok.mediaType ?? 'application/json']: { schema: schemaOf(op.ok.schema, 'output') } } },
      };
      // A public route has no credential to refuse: no 401 or 403.
      for (const status of [...new Set([400, ...(isPublicRoute(routeKey(r)) ? [] : [401, 403]), ...op.errors, 429, 500, 503])].sort()) {
        const gateway = { 401: 'GatewayUnauthorized', 500: 'GatewayError' }[status as 401 | 500];
        const schema = gateway
          ? { anyOf: [{ $ref: '#/components/schemas/Error' }, { $ref: `#/components/schemas/${gateway}` }] }
          : { $ref: '#/components/schemas/Error' };
        responses[status] = { description: errorText[status], content: { 'application/json': { schema } } };
      }
      (paths[r.path] ??= {})[r.method.toLowerCase()] = {
        operationId: `${r.method.toLowerCase()}${r.path.replace(/\{(\w+)\}/g, 'By_$1').replace(/[^A-Za-z0-9]+(.)/g, (_, c: string) => c.toUpperCase())}`,
        tags: [group],
        summary: op.summary,
        ...(op.description ? { description: op.description } : {}),
        'x-tally-roles': r.roles,
        ...(isPublicRoute(routeKey(r)) ? { security: [] } : {}),
        ...(params.length || op.query
          ? { parameters: [...params, ...(op.query ?? []).map((q) => ({ name: q.name, in: 'query', required: false, description: q.description, schema: q.schema }))] }
          : {}),
        ...(op.body ? { requestBody: { required: !op.bodyOptional, content: { 'application/json': { schema: schemaOf(op.body, 'input') } } } } : {}),
        responses,
      };
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tally loyalty API',
      version: '0.1.0',
      description:
        'Money is integer minor units of the program currency; points are integers. Every error is `{ "error": { "code", "message", "field"? } }`.',
    },
    servers: [{ url: 'http://127.0.0.1:3000', description: 'npm start' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A POS key (per store) or a staff key.' } },
      schemas: {
        Error: schemaOf(res.errorResponse, 'output'),
        GatewayUnauthorized: { type: 'object', properties: { message: { const: 'Unauthorized' } }, required: ['message'], additionalProperties: false },
        GatewayError: { type: 'object', properties: { message: { const: 'Internal Server Error' } }, required: ['message'], additionalProperties: false },
        Program: programJsonSchema(),
      },
    },
  };
}
