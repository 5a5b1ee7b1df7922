/**
 * Response bodies of the HTTP API as zod schemas. They are not used to build responses (the use
 * cases do that); they document them in `openapi.json`, and the integration tests validate every
 * response they receive against that file, so the document cannot drift from the code.
 */
import * as z from 'zod';
import { ledgerKinds } from '#domain/account.ts';
import { journeySchema } from '#domain/journeys.ts';
import { MAX_SOURCES_PER_LINE } from '#domain/earning.ts';
import { ruleMissReasons } from '#domain/rules.ts';
import { rfmClasses } from '#domain/rfm.ts';
import { segmentSchemas } from '#domain/segment-schema.ts';
import { roles } from './routes.ts';

const int = z.int();
const nonNeg = z.int().min(0);

export const errorResponse = z.strictObject({
  error: z.strictObject({
    code: z.string().describe('Stable machine-readable code, e.g. `insufficient_points`.'),
    message: z.string().describe('Human-readable; starts with the field when there is one.'),
    field: z.string().optional().describe('Dotted path of the request field at fault, e.g. `lines.3.amount`.'),
  }),
});

const tier = z
  .strictObject({ id: z.string(), name: z.string(), discountBps: nonNeg, assignedBy: z.enum(['program', 'staff']) })
  .nullable();

const points = z.strictObject({
  available: int,
  pending: nonNeg,
  expiring: z.array(z.strictObject({ on: z.iso.date(), points: nonNeg })).describe('Lots by the last day they can be used.'),
});

export const customerResponse = z.strictObject({
  customerId: z.string(),
  card: z.string(),
  phone: z.string().optional(),
  name: z.string().optional(),
  email: z.string().optional(),
  birthDate: z.iso.date().optional(),
  locale: z.string().optional(),
  consents: z.strictObject({ sms: z.boolean(), email: z.boolean(), push: z.boolean() }),
  createdAt: z.iso.datetime(),
  referralCode: z.string().optional().describe('The code this customer gives friends, when the program has referral terms.'),
  referredBy: z.string().optional().describe('The customer whose code this customer enrolled with.'),
  segments: z.array(z.string()),
  tier,
  cumulativePaid: nonNeg,
  points,
  rfm: z
    .strictObject({
      class: z.enum(rfmClasses),
      recencyDays: nonNeg.nullable().describe('Days since the latest purchase; null if none.'),
      receipts: nonNeg.describe('Receipts in the program’s RFM window, net of receipts returned in full.'),
      spend: nonNeg.describe('Money paid in the window, net of refunds.'),
    })
    .optional()
    .describe('The customer’s class by recency, frequency and money under the program’s `rfm` thresholds (today, program time).'),
});

/** A page of a name search: who each match is, enough to pick one (the profile is one more GET). */
export const customerSearchResponse = z.strictObject({
  customers: z.array(
    z.strictObject({ customerId: z.string(), name: z.string(), card: z.string(), phone: z.string().optional(), email: z.string().optional(), createdAt: z.iso.datetime() }),
  ),
  nextCursor: z.string().nullable().describe('Pass as `cursor` with the same `name` for the next page; null on the last.'),
});

/** A sign-in link on its way: where to (masked) and until when it works. */
export const linkSentResponse = z.strictObject({
  customerId: z.string(),
  channel: z.enum(['sms', 'email']),
  to: z.string().describe('The phone number or address, masked.'),
  expiresAt: z.iso.datetime().describe('The link works once, until then.'),
});
export const linkRequestedResponse = z.strictObject({ accepted: z.literal(true), message: z.string() });
/** The customer page's session: an app key of this customer, as `POST /v1/customers/{id}/app-key` gives staff. */
export const linkExchangedResponse = z.strictObject({
  key: z.string().describe('Shown once: the customer page keeps it on the device.'),
  keyId: z.string(),
  customerId: z.string(),
  expiresAt: z.iso.datetime(),
});

/** A lookup's matches: at most one for an exact identifier (a list, so other searches fit later). */
export const customerLookupResponse = z.strictObject({ customers: z.array(customerResponse) });

const reward = z.strictObject({
  rewardId: z.string(),
  name: z.string(),
  discountBps: nonNeg.optional(),
  amountOff: nonNeg.optional(),
  gift: z.string().optional(),
  unlockedAt: z.iso.datetime().describe('When the first reward of this entry was unlocked.'),
  count: z.int().min(1).describe('Equal rewards this entry holds; `rewards.asGift` names its rewardId once per reward handed over.'),
});

const progress = z.strictObject({
  ruleId: z.string(),
  name: z.string(),
  type: z.enum(['stampCard', 'itemMilestone']),
  stamps: nonNeg.optional(),
  items: z.number().min(0).optional(),
  of: nonNeg,
});

/** The customer page's coupons: a page of those issued to this customer, newest first. */
export const meCouponsResponse = z.strictObject({
  customerId: z.string(),
  coupons: z.array(
    z.strictObject({
      code: z.string(),
      campaignId: z.string(),
      name: z.string().describe('The campaign’s name in the program in force.'),
      reward: z
        .discriminatedUnion('type', [
          z.strictObject({ type: z.literal('percent'), bps: nonNeg }),
          z.strictObject({ type: z.literal('amount'), amount: nonNeg }),
          z.strictObject({ type: z.literal('points'), points: nonNeg }),
        ])
        .optional()
        .describe('What it gives; missing when the campaign is no longer in the program.'),
      status: z.enum(['issued', 'used']),
      usable: z.boolean().describe('Unused and its campaign running now.'),
      issuedAt: z.iso.datetime(),
      validTo: z.string().optional(),
      usedAt: z.iso.datetime().optional(),
    }),
  ),
  nextCursor: z.string().nullable(),
});
/** The customer page's stamp cards: rewards unlocked and progress towards the next. */
export const meStampsResponse = z.strictObject({ customerId: z.string(), rewards: z.array(reward), stampCards: z.array(progress) });

export const identifyResponse = z.strictObject({
  customerId: z.string(),
  card: z.string(),
  name: z.string().optional(),
  referralCode: z.string().optional(),
  tier,
  points,
  discount: z.strictObject({
    bps: nonNeg.describe('Card discount that applies now (tier and referral), in basis points (100 = 1 %).'),
    sources: z.array(z.string()).describe('Where it comes from: `tier`, `referral:newcomer`, `referral:friends`.'),
  }),
  rewards: z.array(reward).describe('One-time rewards unlocked; the next receipt uses them unless told to skip.'),
  stampCards: z.array(progress).describe('Progress on stamp cards and item milestones.'),
  coupons: z.array(z.unknown()),
});

const quoteFields = {
  receiptId: z.string(),
  customerId: z.string(),
  currency: z.string(),
  programVersion: z.int().min(1),
  tier,
  discount: z.strictObject({
    bps: nonNeg.describe('The card discount rate this receipt got (tier and referral).'),
    sources: z.array(z.string()),
  }),
  lines: z.array(
    z.strictObject({
      lineId: z.string(),
      amount: nonNeg,
      tierDiscount: nonNeg,
      rewardDiscount: nonNeg.describe('One-time reward discount on this line.'),
      couponDiscount: nonNeg.describe('Coupon discount on this line.'),
      pointsDiscount: nonNeg.describe('Money paid with points on this line.'),
      paid: nonNeg.describe('Money left to pay on this line.'),
      pointsEarned: nonNeg,
      pointsBurned: nonNeg,
      pointsUsable: nonNeg.describe('Most points this line could take.'),
      earnedBy: z
        .array(z.strictObject({ source: nonNeg.describe('Index in `earn.sources`.'), points: int }))
        .max(MAX_SOURCES_PER_LINE)
        .optional()
        .describe(
          `What each source of points gave this line; adds up to pointsEarned. At most ${MAX_SOURCES_PER_LINE}: past that the smallest are one \`other\` source. ` +
            'Absent only on a replay of a receipt committed before sources were told.',
        ),
    }),
  ),
  totals: z.strictObject({
    amount: nonNeg,
    tierDiscount: nonNeg,
    rewardDiscount: nonNeg,
    couponDiscount: nonNeg,
    pointsDiscount: nonNeg,
    paid: nonNeg,
    pointsEarned: nonNeg,
    pointsBurned: nonNeg,
  }),
  burn: z.strictObject({
    requested: nonNeg,
    maxPoints: nonNeg.describe('Most points this receipt can take now (receipt limit and balance).'),
    pointValue: nonNeg.describe('Money value of one point, minor units.'),
  }),
  earn: z.strictObject({
    points: nonNeg,
    expiresOn: z.iso.date().nullable(),
    rules: z.array(z.string()).describe('Ids of the earning rules that changed this receipt’s points.'),
    sources: z
      .array(z.strictObject({ kind: z.enum(['base', 'tier', 'rule', 'coupon', 'cap', 'other']), id: z.string(), points: int }))
      .optional()
      .describe(
        'Where the points come from: the base rate (`default` or a base rule), the tier, each rule, each points coupon; a cap takes some back (negative). ' +
          'Absent only on a replay of a receipt committed before sources were told.',
      ),
  }),
  balance: z.strictObject({ before: int, after: int }),
  tierAfter: tier,
  tierUpgrade: z
    .strictObject({ to: z.string(), bonusPoints: nonNeg })
    .nullable()
    .describe('Set when this receipt takes the customer to a higher level (applies from the next purchase).'),
  coupons: z.array(z.strictObject({ code: z.string(), campaignId: z.string(), discount: nonNeg, points: nonNeg })),
  budgetSkipped: z
    .array(z.strictObject({ kind: z.enum(['rule', 'coupon']), id: z.string(), code: z.string().optional(), scope: z.enum(['global', 'customer']) }))
    .optional()
    .describe('Earning rules and coupons left out because their campaign budget is spent (`global`) or the customer reached its limit (`customer`); absent when none was. A coupon left out stays unused.'),
  rewards: z.strictObject({
    used: z.array(z.strictObject({ rewardId: z.string(), name: z.string(), discount: nonNeg, asGift: z.boolean() })),
    unlocked: z.array(reward).describe('Rewards this receipt unlocked, for the next one.'),
  }),
};

export const quoteResponse = z.strictObject({
  ...quoteFields,
  explain: z
    .strictObject({
      notApplied: z.array(z.strictObject({ kind: z.enum(['rule', 'base']), id: z.string(), reason: z.enum(ruleMissReasons) })),
    })
    .optional()
    .describe('With `explain: true`: each earning or base rule that did not apply, in priority order, and the first condition that failed.'),
});
export const receiptResponse = z.strictObject({ ...quoteFields, storeId: z.string(), committedAt: z.iso.datetime() });

export const returnResponse = z.strictObject({
  returnId: z.string(),
  receiptId: z.string(),
  receiptStoreId: z.string(),
  storeId: z.string(),
  customerId: z.string(),
  lines: z.array(
    z.strictObject({
      lineId: z.string(),
      quantity: z.number().positive().optional().describe('Units back (a return of units).'),
      amount: z.int().min(1).optional().describe('Money asked back without units (a refund by amount).'),
      refund: nonNeg.describe('Money to give back for these units, or the amount asked back.'),
      pointsReversed: nonNeg,
      pointsRefunded: nonNeg,
    }),
  ),
  totals: z.strictObject({ refund: nonNeg, pointsReversed: nonNeg, pointsRefunded: nonNeg }),
  couponsRestored: z.array(z.string()).describe('Coupon codes usable again because the whole receipt came back.'),
  balance: z.strictObject({ before: int, after: int }),
  at: z.iso.datetime(),
});

export const ledgerResponse = z.strictObject({
  customerId: z.string(),
  balance: int,
  entries: z.array(
    z.strictObject({
      seq: z.int().min(1),
      at: z.iso.datetime(),
      kind: z.enum(ledgerKinds),
      points: int.describe('Change of the available balance.'),
      pendingPoints: int.optional().describe('Change of pending points (earned, not usable yet), when the program has them.'),
      balanceAfter: int,
      source: z.strictObject({
        receiptId: z.string().optional(),
        returnId: z.string().optional(),
        storeId: z.string().optional(),
        adjustmentId: z.string().optional(),
        actor: z.string().optional(),
        reason: z.string().optional(),
        importId: z.string().optional().describe('The migration import that brought the member over (kind `migrated`).'),
        eventId: z.string().optional().describe('The custom event that earned the points (kind `event`).'),
        eventType: z.string().optional(),
      }),
      budgets: z
        .record(z.string(), z.strictObject({ grants: nonNeg, points: nonNeg, amount: nonNeg }))
        .optional()
        .describe('What the entry drew on campaign budgets, by budget key (`rule:{id}`, `event:{id}`, `coupon:{id}`): a budget’s `used` is the sum of these.'),
    }),
  ),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next (older) page; null on the last page.'),
});

export const adjustmentResponse = z.strictObject({
  adjustmentId: z.string(),
  customerId: z.string(),
  points: int,
  reason: z.string(),
  actor: z.string(),
  at: z.iso.datetime(),
  balance: z.strictObject({ before: int, after: int }),
});

export const storedProgramResponse = z.strictObject({
  version: z.int().min(1),
  document: z.record(z.string(), z.unknown()).describe('The document as published; see GET /v1/program/schema.'),
  publishedBy: z.string(),
  publishedAt: z.iso.datetime(),
});

export const validationResponse = z.strictObject({
  valid: z.boolean(),
  issues: z.array(z.strictObject({ path: z.string().describe('Dotted JSON path in the document.'), message: z.string() })),
});

export const versionsResponse = z.strictObject({
  versions: z.array(z.strictObject({ version: z.int().min(1), name: z.string(), publishedBy: z.string(), publishedAt: z.iso.datetime() })),
});

export const jsonSchemaResponse = z.record(z.string(), z.unknown()).describe('A JSON Schema (2020-12).');

export const issuedCouponsResponse = z.strictObject({
  campaignId: z.string(),
  issueId: z.string().describe('Send it again (as `issueId`) to resume or replay this issue.'),
  customerId: z.string().optional(),
  segment: z.string().optional(),
  codes: z.array(z.string()),
  customers: z.array(z.string()).optional().describe('For a segment: the customer each code (same position) belongs to.'),
});

export const couponResponse = z.strictObject({
  code: z.string(),
  campaignId: z.string(),
  customerId: z.string().optional(),
  status: z.enum(['issued', 'used']),
  issuedAt: z.iso.datetime(),
  issuedBy: z.string(),
  usedBy: z.strictObject({ customerId: z.string(), storeId: z.string(), receiptId: z.string(), at: z.iso.datetime() }).optional(),
});

const draw = z.strictObject({ grants: nonNeg, points: nonNeg, amount: nonNeg });
const budgetLimits = z.strictObject({ grants: nonNeg.optional(), points: nonNeg.optional(), amount: nonNeg.optional() });
const budgetKind = z.enum(['rule', 'event', 'coupon']).describe('An earning rule, a custom-event rule, or a coupon campaign.');

export const budgetsResponse = z.strictObject({
  programVersion: z.int().min(1),
  budgets: z.array(
    z.strictObject({
      key: z.string().describe('`rule:{id}`, `event:{id}` or `coupon:{id}`; ledger entries name it under `budgets`.'),
      kind: budgetKind,
      id: z.string(),
      name: z.string(),
      used: draw.describe('Drawn so far, all customers together (returns give nothing back).'),
      total: budgetLimits.optional().describe('The global limits, when the budget has any.'),
      left: budgetLimits.optional(),
      spent: z.boolean().optional().describe('True once any global limit is reached: the campaign no longer applies.'),
      shards: z.int().min(1).optional().describe('Counter items the global budget is spread over (grants-only budgets: up to 8, so concurrent tills do not queue on one).'),
      perCustomer: z
        .strictObject({ per: z.enum(['day', 'week', 'month', 'ever']), grants: nonNeg.optional(), points: nonNeg.optional() })
        .optional(),
    }),
  ),
});

export const customerBudgetsResponse = z.strictObject({
  customerId: z.string(),
  budgets: z.array(
    z.strictObject({
      key: z.string(),
      kind: budgetKind,
      id: z.string(),
      name: z.string(),
      per: z.enum(['day', 'week', 'month', 'ever']),
      period: z.string().describe('The current period, program time: `2026-11-20`, `2026-W47`, `2026-11` or `ever`.'),
      used: z.strictObject({ grants: nonNeg, points: nonNeg }),
      left: z.strictObject({ grants: nonNeg.optional(), points: nonNeg.optional() }),
    }),
  ),
});

export const customEventResponse = z.strictObject({
  eventId: z.string(),
  customerId: z.string(),
  type: z.string(),
  occurredAt: z.iso.datetime(),
  points: nonNeg.describe('Points the event earned (0 when no rule applied).'),
  rules: z.array(z.strictObject({ ruleId: z.string(), points: nonNeg })).describe('The `customEvents` rules that earned.'),
  notApplied: z
    .array(z.strictObject({ ruleId: z.string(), reason: z.enum(['conditions', 'attributes', 'limit', 'budget']) }))
    .describe('Rules for this event type that did not earn, with the first reason: `when` did not hold, the attributes did not match, the customer reached the rule’s `limit`, or its budget is spent.'),
  balance: z.strictObject({ before: int, after: int }),
  at: z.iso.datetime(),
});

export const reviewResponse = z.strictObject({
  customerId: z.string(),
  sku: z.string(),
  kind: z.enum(['review', 'survey']),
  pointsGranted: nonNeg.describe('The program’s review bonus; a repeat for the same product returns the first answer.'),
  at: z.iso.datetime(),
  balance: z.strictObject({ before: int, after: int }),
});

export const auditResponse = z.strictObject({
  month: z.string(),
  records: z.array(
    z.strictObject({
      at: z.iso.datetime(),
      actor: z.string(),
      keyId: z.string().optional().describe('The key (or `jwt:<subject>`) the actor used; missing on records written before it was kept.'),
      role: z.string().optional().describe('The role the actor acted in.'),
      action: z.string().describe('`program.publish`, `points.adjust`, `tier.assign`, `segments.set`, `coupons.issue`, …'),
      target: z.string(),
      before: z.unknown().optional(),
      after: z.unknown().optional(),
    }),
  ),
  nextCursor: z.string().nullable(),
});

const keyInfo = {
  keyId: z.string(),
  role: z.enum(roles),
  storeId: z.string().optional(),
  customerId: z.string().optional(),
  rateLimit: z.int().optional().describe('Requests per second this key may make, when not the role’s default.'),
  actor: z.string(),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
  expiresAt: z.iso.datetime().optional(),
  revokedAt: z.iso.datetime().optional(),
};

export const keyListResponse = z.strictObject({ keys: z.array(z.strictObject(keyInfo)), nextCursor: z.string().nullable().describe('`?cursor=` for the next page; null on the last.') });
export const keyInfoResponse = z.strictObject(keyInfo);
export const newKeyResponse = z.strictObject({
  ...keyInfo,
  key: z.string().describe('The key itself: shown only in this answer, stored only as a hash.'),
  replaces: z.strictObject({ keyId: z.string(), expiresAt: z.iso.datetime() }).optional(),
});

export const journeyResponse = z.strictObject({
  ...journeySchema.shape,
  journeyId: z.string(),
  status: z.enum(['draft', 'active', 'stopped']),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
  startedAt: z.iso.datetime().nullable(),
  stoppedAt: z.iso.datetime().nullable(),
});
export const journeyListResponse = z.strictObject({ journeys: z.array(journeyResponse), nextCursor: z.string().nullable().describe('`?cursor=` for the next page; null on the last.') });

export const segmentResponse = z.strictObject({
  ...segmentSchemas().segmentDefinitionSchema.shape,
  segmentId: z.string(),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
  updatedAt: z.iso.datetime(),
  version: z.int().min(1),
});
export const segmentListResponse = z.strictObject({ segments: z.array(segmentResponse).describe('Every defined segment (a tenant has at most 20).') });
export const segmentDeletedResponse = z.strictObject({ segmentId: z.string(), deletedAt: z.iso.datetime() });
export const segmentMembersResponse = z.strictObject({
  segmentId: z.string(),
  members: z.array(z.strictObject({ customerId: z.string(), since: z.iso.datetime().optional().describe('When the customer entered (absent for memberships older than this field).') })),
  nextCursor: z.string().nullable().describe('`?cursor=` for the next page; null on the last.'),
});
export const segmentCsvResponse = z.string().describe('CSV: a header row `customerId,since`, then one member a row (CRLF line ends). The header `next-cursor` carries the next page’s cursor; it is absent on the last page.');

/** Everything held about a customer; sections are documented, their rows are the stored records. */
export const exportResponse = z.strictObject({
  exportedAt: z.iso.datetime(),
  customerId: z.string(),
  profile: z.record(z.string(), z.unknown()).describe('The profile as stored (push tokens shortened).'),
  points,
  tierId: z.string().nullable(),
  segments: z.array(z.string()),
  ledger: z.array(z.record(z.string(), z.unknown())).describe('Every ledger entry, oldest first.'),
  receipts: z.array(z.record(z.string(), z.unknown())).describe('Each receipt the ledger names, with the answer the till got.'),
  couponsUsed: z.record(z.string(), z.int()),
  rewards: z.array(z.record(z.string(), z.unknown())),
  notifications: z.array(z.record(z.string(), z.unknown())).describe('Messages sent: channel, language, text, status.'),
  journeys: z.array(z.record(z.string(), z.unknown())),
  reminders: z.array(z.record(z.string(), z.unknown())),
  birthdayBonuses: z.array(z.record(z.string(), z.unknown())),
  events: z.array(z.record(z.string(), z.unknown())).optional().describe('Custom events posted for the customer, with their attributes and points.'),
  reviews: z.array(z.record(z.string(), z.unknown())).describe('Reviews and survey answers, with their texts.'),
  next: z.string().nullable().describe('The cursor of the next page (`?cursor=`), or null on the last page. Every page has the profile and points; the ledger, receipts, messages, journeys, reminders and reviews come 200 items a page.'),
});

export const eraseResponse = z.strictObject({
  customerId: z.string(),
  erasedAt: z.iso.datetime(),
  removed: z.strictObject({ notifications: nonNeg, reviews: nonNeg }),
});

export const appKeyResponse = z.strictObject({
  key: z.string().describe('Shown once; only its hash is stored.'),
  keyId: z.string(),
  customerId: z.string(),
  createdAt: z.iso.datetime(),
});

export const webhookResponse = z.strictObject({
  webhookId: z.string(),
  url: z.string(),
  eventTypes: z.array(z.string()).describe('Event types from the catalog (events/schemas/) this endpoint receives.'),
  description: z.string().nullable(),
  active: z.boolean().describe('A paused endpoint takes no new deliveries; its pending ones are parked when they come up.'),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
  updatedAt: z.iso.datetime(),
  secretRotatedAt: z.iso.datetime().nullable(),
  previousSecretExpiresAt: z.iso.datetime().nullable().describe('Until then deliveries carry a second `v1` signature, with the secret before the last rotation.'),
});
export const webhookSecretResponse = webhookResponse.extend({
  secret: z.string().describe('The signing secret: shown only in this answer, never again.'),
});
export const deletedWebhookResponse = webhookResponse.extend({ deletedAt: z.iso.datetime() });
export const webhookListResponse = z.strictObject({ webhooks: z.array(webhookResponse), nextCursor: z.string().nullable() });

export const webhookDeliveryResponse = z.strictObject({
  deliveryId: z.string().describe('Ordered by the event’s time; also sent as the `tally-delivery-id` header.'),
  eventId: z.string().describe('The domain event’s id (header `tally-event-id`): the same on every attempt and replay, for deduplication.'),
  eventType: z.string(),
  customerId: z.string().nullable(),
  occurredAt: z.string(),
  state: z.enum(['pending', 'retrying', 'delivered', 'parked']).describe('`pending`: not tried yet; `retrying`: failed, tried again at `nextAttemptAt`; `parked`: given up, replayable.'),
  attempts: nonNeg.describe('Attempts since the event was taken in, or since the last replay.'),
  replays: nonNeg,
  acceptedAt: z.iso.datetime(),
  retryUntil: z.iso.datetime().describe('Retries stop here (24 hours after acceptance or replay); the delivery is then parked.'),
  nextAttemptAt: z.iso.datetime().nullable(),
  lastAttemptAt: z.iso.datetime().nullable(),
  lastStatus: z.int().nullable().describe('The HTTP status of the last attempt, if the receiver answered.'),
  lastError: z.string().nullable().describe('Why the last attempt failed or the delivery was parked.'),
  deliveredAt: z.iso.datetime().nullable(),
  parkedAt: z.iso.datetime().nullable(),
  replayedAt: z.iso.datetime().nullable(),
});
export const webhookDeliveryListResponse = z.strictObject({
  webhookId: z.string(),
  deliveries: z.array(webhookDeliveryResponse).describe('Newest event first.'),
  nextCursor: z.string().nullable(),
});

export const storeResponse = z.strictObject({
  storeId: z.string(),
  name: z.string(),
  address: z.string().optional(),
  timeZone: z.string().optional().describe('The store’s own IANA zone; the program’s applies when absent.'),
  tags: z.record(z.string(), z.string()).describe('Labels such as `region` or `format`.'),
  active: z.boolean().describe('false: deactivated; its POS keys do not work, its receipts stay and can be returned at another store.'),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  deactivatedAt: z.iso.datetime().optional(),
});
export const storeListResponse = z.strictObject({
  stores: z.array(storeResponse),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last.'),
});

export const tenantResponse = z.strictObject({
  tenantId: z.string(),
  name: z.string(),
  defaultLocale: z.string().describe('Language of messages when the customer’s own has no template and the program names none.'),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export const healthResponse = z.strictObject({
  tenantId: z.string(),
  program: z.strictObject({ version: z.int().min(1), publishedAt: z.iso.datetime() }).nullable().describe('The program version in force (null: none published yet).'),
  channels: z.array(z.enum(['sms', 'email', 'push'])).describe('The channels messages can go out on in this deployment; the others are not offered.'),
  checkedAt: z.iso.datetime(),
});

const importProgress = {
  importId: z.string(),
  kind: z.enum(['members', 'products']),
  format: z.enum(['csv', 'jsonl']),
  status: z
    .enum(['awaitingUpload', 'running', 'writingReport', 'done', 'failed'])
    .describe('`awaitingUpload` until the file lands in the bucket; `running` (also while paused at a checkpoint between worker runs); `done` or `failed`.'),
  rows: z.strictObject({
    done: nonNeg.describe('The checkpoint: every row up to this one is done.'),
    imported: nonNeg,
    alreadyImported: nonNeg.describe('Rows whose member (or product) was already there with the same data (a file run twice changes nothing).'),
    refused: nonNeg,
    total: nonNeg.nullable().describe('Known once the whole file was read.'),
  }),
  bytes: z.strictObject({ done: nonNeg, total: nonNeg.nullable() }),
  rowsPerSecond: nonNeg.nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
  failure: z.strictObject({ code: z.string(), message: z.string() }).nullable().describe('Why the file as a whole was refused (a bad header, a file over the limit).'),
};

export const importResponse = z.strictObject({
  ...importProgress,
  errors: z
    .array(z.strictObject({ row: z.int().min(1).describe('The line in the file (the CSV header is line 1).'), field: z.string(), rule: z.string() }))
    .describe('Refused rows in file order, a page at a time (a row with several problems has a line for each).'),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page of refused rows; null on the last page.'),
  report: z.string().nullable().describe('Where the whole error report (CSV: row, field, rule) was written, once the import is done.'),
  reportUrl: z.string().nullable().describe('A link to download the report, valid for 15 minutes (in AWS).'),
});

export const startImportResponse = z.strictObject({
  ...importProgress,
  upload: z.strictObject({
    method: z.literal('PUT'),
    url: z.string().describe('PUT the file here (valid 15 minutes); the import starts when it lands.'),
    expiresAt: z.iso.datetime(),
  }),
});

export const productResponse = z.strictObject({
  sku: z.string(),
  name: z.string(),
  category: z.string(),
  attributes: z.record(z.string(), z.string()).describe('What rules may select the product by; a receipt line’s own attributes win, one by one.'),
  price: nonNeg.optional().describe('The usual unit price, minor units, when the catalog has one.'),
  updatedAt: z.iso.datetime(),
});

export const productListResponse = z.strictObject({
  products: z.array(productResponse),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page.'),
});

export const productDeletedResponse = z.strictObject({ sku: z.string(), deleted: z.literal(true) });

/** What a report read: its cost in DynamoDB Queries and items (report counters, never a scan). */
const reportReads = z.strictObject({ queries: nonNeg, items: nonNeg }).describe('What this answer read: Queries sent and counter items returned.');

const salesFigures = z.strictObject({
  receipts: nonNeg,
  amount: int.describe('Money of the receipts before loyalty discounts (after the shop’s own).'),
  paid: int,
  averageReceipt: int.describe('paid / receipts, rounded to a minor unit.'),
  discounts: z.strictObject({ tier: int, rewards: int, coupons: int, points: int, total: int }).describe('Discount cost by source.'),
  returns: nonNeg,
  refund: int,
  enrolled: nonNeg.describe('Members enrolled (by store and tier: not known, counted in the total and under no tier).'),
  imported: nonNeg.describe('Members migrated from another system.'),
});

export const salesReportResponse = z.strictObject({
  from: z.iso.date(),
  to: z.iso.date(),
  by: z.enum(['total', 'store', 'tier']),
  currency: z.string(),
  total: salesFigures,
  rows: z.array(salesFigures.extend({ key: z.string().nullable().describe('The store or tier id; null: none; `*` (by store): the tills’ figures of days not yet folded into their stores (the hourly insight job folds each UTC day about 20 minutes after it ends).') })),
  reads: reportReads,
});

const kindPoints = z.strictObject(Object.fromEntries(ledgerKinds.map((k) => [k, int])) as Record<(typeof ledgerKinds)[number], typeof int>);
const pointsFigures = z.strictObject({
  issued: int.describe('earn + bonus + migrated + release (pending points becoming available).'),
  burned: int,
  expired: int,
  adjusted: int.describe('Net staff adjustments.'),
  returned: int.describe('Points reversed and refunded by returns, net.'),
  net: int.describe('The change of the available balance: the sum of byKind.'),
  byKind: kindPoints,
  pendingByKind: kindPoints.describe('The change of pending points, by the entry kind that made it.'),
});

export const pointsReportResponse = z.strictObject({
  from: z.iso.date(),
  to: z.iso.date(),
  by: z.enum(['total', 'store']),
  total: pointsFigures,
  rows: z.array(pointsFigures.extend({ key: z.string().nullable().describe('The store the entries were made at; null: no store (staff, jobs); `*`: entries made at tills on days not yet folded into their stores (the hourly insight job folds each UTC day about 20 minutes after it ends).') })),
  reads: reportReads,
});

const memberFigures = z.strictObject({
  active: nonNeg.describe('Members with at least one receipt in the month.'),
  enrolled: nonNeg,
  imported: nonNeg,
  receipts: nonNeg,
  paid: int,
  averageReceipt: int,
  visitsPerActiveMember: z.number().min(0),
});

export const membersReportResponse = z.strictObject({
  from: z.string(),
  to: z.string(),
  months: z.array(
    memberFigures.extend({
      month: z.string(),
      byTier: z.array(memberFigures.extend({ tier: z.string().nullable() })),
      byStore: z.array(
        z.strictObject({
          store: z.string().nullable().describe('The store whose till enrolled them; null: staff, the app, imports.'),
          enrolled: nonNeg.describe('Enrolled in the month.'),
          imported: nonNeg.describe('Imported in the month.'),
          members: nonNeg.describe('Enrolled and imported up to the month’s end.'),
        }),
      ),
      rfmClasses: z
        .record(z.enum([...rfmClasses, 'unclassified']), nonNeg)
        .describe('Members per RFM class at the month’s end (now, for the current month), as the nightly segments job last classed them; unclassified: not evaluated yet.'),
    }),
  ),
  reads: reportReads,
});

export const liabilityReportResponse = z.strictObject({
  asOf: z.iso.date(),
  by: z.enum(['expiry', 'tier', 'store']),
  currency: z.string(),
  pointValue: nonNeg.describe('Money value of a point in minor units, from the program in force now.'),
  programVersion: nonNeg,
  total: z.strictObject({ points: int, value: int }),
  rows: z.array(
    z.strictObject({
      key: z.string().nullable().describe('By expiry: the lot (YYYY-MM), `debt` or `pending`; by tier: the tier id; by store: the store id, `*` for the tills’ entries not yet folded into their stores (each UTC day, about 20 minutes after it ends); null: none.'),
      expiresOn: z.iso.date().optional().describe('The last day the lot’s points can be used.'),
      points: int,
      value: int,
    }),
  ),
  reads: reportReads,
});

export const breakageReportResponse = z.strictObject({
  from: z.string(),
  to: z.string(),
  expiryAfterMonths: nonNeg.nullable(),
  expectedBreakageBps: nonNeg.nullable().describe('Σ expired / Σ issued over the final lots asked for, in basis points; null without any.'),
  lots: z.array(
    z.strictObject({
      lot: z.string().describe('Month of expiry (YYYY-MM).'),
      expiresOn: z.iso.date(),
      cohortMonth: z.string().nullable().describe('The month its points were earned in (lot less expiry.afterMonths).'),
      issued: int,
      redeemed: int,
      expired: int,
      outstanding: int,
      breakageBps: nonNeg,
      final: z.boolean().describe('The lot’s month has ended, so its figures no longer change.'),
    }),
  ),
  reads: reportReads,
});

export const liabilityExportResponse = z.string().describe('CSV (RFC 4180, CRLF): as_of,section,item,expires_on,points,amount_minor,currency.');

export const couponsReportResponse = z.strictObject({
  from: z.iso.date(),
  to: z.iso.date(),
  currency: z.string(),
  campaigns: z.array(
    z.strictObject({
      campaignId: z.string(),
      issued: nonNeg.describe('Codes issued in the period.'),
      sent: nonNeg.describe('Of those, issued to a customer.'),
      used: nonNeg.describe('Receipts in the period that used a code of the campaign.'),
      useRateBps: nonNeg.nullable().describe('used / issued in basis points; null when none was issued in the period.'),
      discount: int,
      points: int.describe('Points the campaign’s codes gave.'),
      revenue: int.describe('Money paid on the receipts that used a code.'),
    }),
  ),
  reads: reportReads,
});

const productFigures = {
  revenue: int.describe('Members’ revenue: line amounts after the shop’s discounts, before loyalty discounts (minor units).'),
  quantity: z.number(),
  receipts: nonNeg.describe('Receipts with at least one such line.'),
  returned: nonNeg.describe('What returns committed in the period gave back of it (already taken off `revenue` and `quantity`).'),
  shareBps: int.describe('Of the period’s revenue, in basis points (negative where returns exceed sales).'),
};

export const productsReportResponse = z.strictObject({
  from: z.iso.date(),
  to: z.iso.date(),
  currency: z.string(),
  daysSummarized: nonNeg.describe('Days of the period the nightly insight job has summed (it sums yesterday, UTC).'),
  lastSummarized: z.iso.date().nullable(),
  total: z.strictObject({
    receipts: nonNeg,
    revenue: int.describe('Sold less returned: line amounts of the period’s receipts less what the period’s returns gave back of them (a return counts on its own day).'),
    returns: nonNeg,
    returned: nonNeg,
    returnsNotTakenOff: nonNeg.describe('Returns committed before returns kept their SKUs (nothing of them is taken off).'),
  }),
  skusComplete: z.boolean().describe('Every day of the period kept all its SKUs (a day keeps its top 1,000 by revenue): every SKU figure is exact.'),
  skus: z
    .array(
      z.strictObject({
        sku: z.string(),
        ...productFigures,
        unlistedAtMost: nonNeg.describe('Revenue the SKU may have had on days that left it out of their top 1,000 (not in `revenue`): the sum of each such day’s largest left-out figure; 0 means `revenue` is exact.'),
      }),
    )
    .describe('A SKU’s figures add up the days it was among that day’s kept SKUs (its top 1,000 by revenue).'),
  otherSkus: z.strictObject({ revenue: int.describe('Revenue not in the SKUs listed.') }),
  categories: z.array(z.strictObject({ category: z.string(), ...productFigures })),
  otherCategories: z.strictObject({ revenue: int.describe('Revenue of categories beyond the 500 a day keeps.') }),
  reads: reportReads,
});

export const campaignsReportResponse = z.strictObject({
  from: z.iso.date(),
  to: z.iso.date(),
  days: nonNeg,
  currency: z.string(),
  complete: z.boolean().describe('Whether the nightly job has summed every day a receipt within `days` of a send can fall on (and kept every result).'),
  lastSummarized: z.iso.date().nullable(),
  campaigns: z.array(
    z.strictObject({
      kind: z.enum(['coupon', 'journey']),
      campaignId: z.string().optional(),
      journeyId: z.string().optional(),
      step: nonNeg.optional().describe('The journey step whose message was sent (0-based).'),
      sent: nonNeg.describe('Coupon codes issued to a customer, or journey messages sent, on the days asked for.'),
      used: nonNeg.nullable().describe('Coupons: receipts that used the very code sent, within `days`; journeys: null.'),
      receipts: nonNeg.describe('Receipts of the customers sent to, within `days` days after each send (once per send).'),
      revenue: int.describe('Members’ revenue of those receipts (line amounts).'),
      revenuePerSend: int.nullable(),
    }),
  ),
  reads: reportReads,
});

const simulationFigures = z.strictObject({
  receipts: nonNeg,
  returns: nonNeg,
  revenue: nonNeg.describe('Line amounts before any loyalty discount.'),
  refunds: nonNeg,
  paid: nonNeg,
  tierDiscount: nonNeg,
  rewardDiscount: nonNeg,
  couponDiscount: nonNeg,
  pointsDiscount: nonNeg,
  pointsIssued: nonNeg.describe('Earned on receipts plus tier-upgrade bonuses.'),
  pointsBurned: nonNeg,
  pointsReversed: nonNeg,
  pointsRefunded: nonNeg,
  burnsCut: nonNeg.describe('Burns the simulated account could not cover in full, cut to what it could.'),
  refused: nonNeg,
});

const simulationSide = z.strictObject({
  totals: simulationFigures,
  byTier: z.record(z.string(), simulationFigures).describe('By the tier the receipt was priced at (`none` without tiers).'),
  byStore: z.record(z.string(), simulationFigures),
  byRule: z.record(z.string(), z.strictObject({ receipts: nonNeg, points: nonNeg })).describe('Earning rules: the receipts they changed and the points those receipts earned.'),
  refusals: z.record(z.string(), nonNeg).describe('Receipts and returns the engine refused, by code.'),
  finalTiers: z.record(z.string(), nonNeg).describe('Customers by the tier they end the period on.'),
  cost: z.int().describe('Tier, reward and coupon discounts plus points issued net of reversals × point value, minor units.'),
  costBps: z.int().describe('Cost in basis points of revenue.'),
});

const customerDelta = z.strictObject({
  customerId: z.string(),
  gain: z.int().describe('Value under the draft minus value in force (discounts + points issued × point value).'),
  current: z.int(),
  draft: z.int(),
});

export const simulationResponse = z.strictObject({
  simulationId: z.string(),
  status: z.enum(['queued', 'running', 'done', 'failed']),
  draftHash: z.string().describe('SHA-256 of the draft (canonical JSON): publishing checks it where the program requires a simulation.'),
  currentVersion: z.int().min(1).describe('The version in force the draft is compared with.'),
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  topN: z.int(),
  warmup: z
    .strictObject({
      days: nonNeg,
      draft: z.enum(['draft', 'inForce']).describe('Which program built the draft side’s accounts in the warm-up: the draft (as if in force all along) or the one in force (as if published at the period’s start).'),
      from: z.iso.datetime(),
      to: z.iso.datetime(),
      receipts: nonNeg.describe('Receipts of the warm-up replayed so far (they build the accounts; the figures do not count them).'),
      returns: nonNeg,
    })
    .describe('The days before the period replayed first, [from, to), so customers start the period with what they brought into it; `days` 0: empty accounts.'),
  progress: z.strictObject({
    shards: nonNeg,
    shardsDone: nonNeg,
    receipts: nonNeg,
    returns: nonNeg,
    unreplayable: nonNeg.describe('Receipts committed before SKU and category were kept, in the period and its warm-up: found, not replayed.'),
    readUnits: z.number().min(0).describe('Table read units the replay consumed so far (0 since the history is read from S3, see historyRequests).'),
    historyRequests: nonNeg.describe("S3 requests (Lists and Gets of the history's day files) the replay made so far."),
  }),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
  updatedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().optional(),
  error: z.string().optional(),
  report: z
    .strictObject({
      customers: nonNeg,
      current: simulationSide,
      draft: simulationSide,
      tierChanges: z.array(z.strictObject({ from: z.string(), to: z.string(), customers: nonNeg })),
      topGainers: z.array(customerDelta),
      topLosers: z.array(customerDelta),
    })
    .nullable()
    .optional()
    .describe('Side by side, once the simulation is done.'),
});
