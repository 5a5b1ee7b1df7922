/** Staff: issue coupon codes from a campaign of the program, and look one up. */
import { deps } from '#lib/app/deps.ts';
import { getCoupon, issueCoupons } from '#lib/app/coupons.ts';
import { httpFunction, ok } from '#lib/http/function.ts';
import { jsonBody, pathParam, validate } from '#lib/http/request.ts';
import { issueCouponsBody } from '#lib/http/schemas/coupons.ts';

export const handler = httpFunction('coupons', {
  'POST /v1/coupons': async (event, p) => ok(await issueCoupons(deps(), p, validate(issueCouponsBody, jsonBody(event))), 201),
  'GET /v1/coupons/{code}': async (event, p) => ok(await getCoupon(deps(), p, pathParam(event, 'code'))),
});
