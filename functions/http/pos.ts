/** POS terminals: identify, quote, commit, return. Primary adapter: parse → use case → answer. */
import { deps } from '#lib/app/deps.ts';
import { identify } from '#lib/app/customers.ts';
import { commit, quote } from '#lib/app/receipts.ts';
import { processReturn } from '#lib/app/returns.ts';
import { HttpError } from '#lib/http/errors.ts';
import { answered, httpFunction, ok } from '#lib/http/function.ts';
import { jsonBody, validate } from '#lib/http/request.ts';
import { identifyBody, receiptBody, returnBody } from '#lib/http/schemas/pos.ts';
import type { Principal } from '#lib/storage/api-keys.ts';

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
