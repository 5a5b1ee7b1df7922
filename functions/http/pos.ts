/** POS terminals: identify, quote, commit, return. Primary adapter: parse → use case → answer. */
import { identify } from '#lib/app/customers.ts';
import { commit, quote, type ReceiptDeps } from '#lib/app/receipts.ts';
import { processReturn } from '#lib/app/returns.ts';
import { db } from '#lib/storage/client.ts';
import { budgetRepository } from '#lib/storage/budgets.ts';
import { couponRepository } from '#lib/storage/coupons.ts';
import { customerRepository } from '#lib/storage/customers.ts';
import { sharedProgramRepository } from '#lib/storage/programs.ts';
import { receiptRepository } from '#lib/storage/receipts.ts';
import { HttpError } from '#lib/http/errors.ts';
import { answered, httpFunction, ok } from '#lib/http/function.ts';
import { jsonBody, validate } from '#lib/http/request.ts';
import { identifyBody, receiptBody, returnBody } from '#lib/http/schemas/pos.ts';
import type { Principal } from '#lib/storage/api-keys.ts';

// Only the repositories the till's routes use (a return's are a subset of a receipt's): deps() would build every repository at a cold start.
let shared: ReceiptDeps | undefined;
const deps = (): ReceiptDeps =>
  (shared ??= {
    db: db(),
    customers: customerRepository(db()),
    programs: sharedProgramRepository(db()),
    receipts: receiptRepository(db()),
    coupons: couponRepository(db()),
    budgets: budgetRepository(db()),
    clock: () => new Date(),
  });

const storeOf = (p: Principal): string => {
  if (!p.storeId) throw new HttpError(403, 'forbidden', 'this key belongs to no store');
  return p.storeId;
};

export const handler = httpFunction('pos', {
  'POST /v1/identify': async (event, p) => ok(await identify(deps(), p, validate(identifyBody, jsonBody(event)).customer)),
  'POST /v1/receipts/quote': async (event, p) => ok(await quote(deps(), p, validate(receiptBody, jsonBody(event)))),
  'POST /v1/receipts': async (event, p) => answered(await commit(deps(), p, storeOf(p), validate(receiptBody, jsonBody(event)))),
  'POST /v1/returns': async (event, p) => answered(await processReturn(deps(), p, storeOf(p), validate(returnBody, jsonBody(event)))),
});
