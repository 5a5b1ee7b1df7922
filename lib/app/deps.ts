/** The adapters a use case needs, made once per process; tests build their own. */
import { db as sharedDb, type Db } from '../storage/client.ts';
import { sharedApiKeyRepository, type ApiKeyRepository } from '../storage/api-keys.ts';
import { auditRepository, type AuditRepository } from '../storage/audit.ts';
import { jobRepository, type JobRepository } from '../storage/jobs.ts';
import { notificationRepository, type NotificationRepository } from '../storage/notifications.ts';
import { sharedJourneyRepository, type JourneyRepository } from '../storage/journeys.ts';
import { couponRepository, type CouponRepository } from '../storage/coupons.ts';
import { budgetRepository, type BudgetRepository } from '../storage/budgets.ts';
import { customEventRepository, type CustomEventRepository } from '../storage/custom-events.ts';
import { customerRepository, type CustomerRepository } from '../storage/customers.ts';
import { importRepository, type ImportRepository } from '../storage/imports.ts';
import { catalogRepository, type CatalogRepository } from '../storage/catalog.ts';
import { sharedProgramRepository, type ProgramRepository } from '../storage/programs.ts';
import { receiptRepository, type ReceiptRepository } from '../storage/receipts.ts';
import { storeRepository, type StoreRepository } from '../storage/stores.ts';
import { sharedWebhookRepository, type WebhookRepository } from '../storage/webhooks.ts';
import { sharedSegmentRepository, type SegmentRepository } from '../storage/segments.ts';
import { tenantRepository, type TenantRepository } from '../storage/tenants.ts';
import { insightRepository, type InsightRepository } from '../storage/insight.ts';
import { dayInsightRepository, type DayInsightRepository } from '../storage/day-insight.ts';

export interface Deps {
  readonly db: Db;
  readonly customers: CustomerRepository;
  readonly programs: ProgramRepository;
  readonly receipts: ReceiptRepository;
  readonly coupons: CouponRepository;
  readonly stores: StoreRepository;
  readonly tenants: TenantRepository;
  readonly audit: AuditRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly jobs: JobRepository;
  readonly notifications: NotificationRepository;
  readonly journeys: JourneyRepository;
  readonly webhooks: WebhookRepository;
  readonly imports: ImportRepository;
  readonly catalog: CatalogRepository;
  readonly budgets: BudgetRepository;
  readonly customEvents: CustomEventRepository;
  readonly segments: SegmentRepository;
  /** Report counters (kept by the reports stream consumer). */
  readonly insight: InsightRepository;
  /** What the nightly insight job keeps (top SKUs, results of sends) and the coupon sends it joins to. */
  readonly dayInsight: DayInsightRepository;
  readonly clock: () => Date;
}

export function makeDeps(db: Db, clock: () => Date = () => new Date()): Deps {
  return {
    db,
    customers: customerRepository(db),
    programs: sharedProgramRepository(db),
    receipts: receiptRepository(db),
    coupons: couponRepository(db),
    stores: storeRepository(db),
    tenants: tenantRepository(db),
    audit: auditRepository(db),
    apiKeys: sharedApiKeyRepository(db),
    jobs: jobRepository(db),
    notifications: notificationRepository(db),
    journeys: sharedJourneyRepository(db),
    webhooks: sharedWebhookRepository(db),
    imports: importRepository(db),
    catalog: catalogRepository(db),
    budgets: budgetRepository(db),
    customEvents: customEventRepository(db),
    segments: sharedSegmentRepository(db),
    insight: insightRepository(db),
    dayInsight: dayInsightRepository(db),
    clock,
  };
}

let shared: Deps | undefined;
export const deps = (): Deps => (shared ??= makeDeps(sharedDb()));
