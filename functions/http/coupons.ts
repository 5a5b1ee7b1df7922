/** Staff: issue coupon codes from a campaign of the program, and look one up. */
import { getCoupon, issueCoupons, type CouponDeps } from '#lib/app/coupons.ts';
import { db } from '#lib/storage/client.ts';
import { auditRepository } from '#lib/storage/audit.ts';
import { couponRepository } from '#lib/storage/coupons.ts';
import { customerRepository } from '#lib/storage/customers.ts';
import { sharedProgramRepository } from '#lib/storage/programs.ts';
import { httpFunction, ok } from '#lib/http/function.ts';
import { jsonBody, pathParam, validate } from '#lib/http/request.ts';
import { issueCouponsBody } from '#lib/http/schemas/coupons.ts';

// Only the repositories the coupon routes use: deps() would bundle, and build at a cold start, every repository.
let shared: CouponDeps | undefined;
const deps = (): CouponDeps =>
  (shared ??= { coupons: couponRepository(db()), customers: customerRepository(db()), programs: sharedProgramRepository(db()), audit: auditRepository(db()), clock: () => new Date() });

export const handler = httpFunction('coupons', {
  'POST /v1/coupons': async (event, p) => ok(await issueCoupons(deps(), p, validate(issueCouponsBody, jsonBody(event))), 201),
  'GET /v1/coupons/{code}': async (event, p) => ok(await getCoupon(deps(), p, pathParam(event, 'code'))),
});
