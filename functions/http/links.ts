/** One-time links to the customer page: staff send one, the customer asks by phone, the page exchanges one for its session. */
import { deps } from '#lib/app/deps.ts';
import { exchangeLink, requestLinkByCustomer, sendLinkByStaff, type LinkSending } from '#lib/app/links.ts';
import { httpFunction, ok, publicRoute } from '#lib/http/function.ts';
import { jsonBody, pathParam, validate } from '#lib/http/request.ts';
import { linkExchangeBody, linkRequestBody, sendLinkBody } from '#lib/http/schemas/links.ts';
import { sesEmail, snsSms } from '#lib/notify/channels.ts';
import { liveChannels } from '#lib/notify/live-channels.ts';
import type { Senders } from '#lib/app/notify.ts';
import { SESClient } from '@aws-sdk/client-ses';
import { SNSClient } from '@aws-sdk/client-sns';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** Where the customer page is: set by the stack (the console's CloudFront address) and by `npm start`. */
export const CUSTOMER_PAGE_URL_ENV = 'CUSTOMER_PAGE_URL';

/** SMS and e-mail only (a link is no push message), on the channels this deployment has live. */
function linkSenders(env: NodeJS.ProcessEnv = process.env): Senders {
  const live = liveChannels(env);
  const offered = (c: 'sms' | 'email') => live === undefined || live.has(c);
  return {
    ...(offered('sms') ? { sms: snsSms(new SNSClient({ maxAttempts: 3 }), { senderId: env.SMS_SENDER_ID }) } : {}),
    ...(offered('email') && env.EMAIL_FROM ? { email: sesEmail(new SESClient({ maxAttempts: 3 }), env.EMAIL_FROM) } : {}),
  };
}

let senders: Senders | undefined;
const sending = (event: APIGatewayProxyEventV2): LinkSending => ({
  senders: (senders ??= linkSenders()),
  pageUrl: process.env[CUSTOMER_PAGE_URL_ENV] ?? `http://${event.headers.host ?? '127.0.0.1'}/me.html`,
});

export const handler = httpFunction('links', {
  'POST /v1/customers/{customerId}/link': async (event, p) =>
    ok(await sendLinkByStaff(deps(), sending(event), p, pathParam(event, 'customerId'), event.body ? validate(sendLinkBody, jsonBody(event)) : {}), 202),
  'POST /v1/links': publicRoute(async (event) => ok(await requestLinkByCustomer(deps(), sending(event), validate(linkRequestBody, jsonBody(event))), 202)),
  'POST /v1/links/exchange': publicRoute(async (event) => ok(await exchangeLink(deps(), validate(linkExchangeBody, jsonBody(event)).token), 201)),
});
