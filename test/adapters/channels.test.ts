/**
 * The notification channels. SMS (SNS) and e-mail (SES) against moto_server; push (Pinpoint
 * SendMessages) against aws-sdk-client-mock, because moto answers SendMessages with 404 — the
 * request it checks is the documented shape.
 */
import { PinpointClient, SendMessagesCommand } from '@aws-sdk/client-pinpoint';
import { GetSendStatisticsCommand, SESClient, VerifyEmailIdentityCommand } from '@aws-sdk/client-ses';
import { SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderMessage } from '#domain/notifications.ts';
import { notificationsSchema } from '#domain/schemas/notifications.ts';
import { PermanentSendError, pinpointPush, sesEmail, snsSms, type OutgoingMessage } from '#lib/notify/channels.ts';
import { startMoto, type Moto } from '../support/moto.ts';

let moto: Moto;
beforeAll(async () => {
  moto = await startMoto();
});
afterAll(() => moto.stop());

const message = (channel: OutgoingMessage['channel'], to: string, locale = 'hy'): OutgoingMessage => ({
  channel,
  to,
  ...renderMessage(notificationsSchema.parse({}), 'receipt.committed', locale, { name: 'Անի', points: 120, balance: 1520, store: 'Երևան 1' }),
});

describe('SMS through SNS (moto)', () => {
  it('publishes to the phone number as a transactional SMS and returns the message id', async () => {
    const sns = new SNSClient(moto.config);
    const r = await snsSms(sns, { senderId: 'Tally' }).send(message('sms', '+37491234567'));
    expect(r.providerMessageId).toMatch(/\S+/);
    // moto keeps what it "sent"; its model API shows the number and the Armenian text arrived intact.
    const sent = await (await fetch(`${moto.endpoint}/moto-api/data.json`)).json();
    expect(JSON.stringify(sent)).toContain('+37491234567');
    sns.destroy();
  });

  it('refuses a number that is not E.164, as SNS does', async () => {
    const sns = new SNSClient(moto.config);
    await expect(snsSms(sns).send(message('sms', '091234567'))).rejects.toThrow();
    sns.destroy();
  });
});

describe('e-mail through SES (moto)', () => {
  it('sends from a verified sender, with text and HTML parts', async () => {
    const ses = new SESClient(moto.config);
    await ses.send(new VerifyEmailIdentityCommand({ EmailAddress: 'club@pharmacy.example' }));
    const r = await sesEmail(ses, 'club@pharmacy.example').send(message('email', 'ani@example.am', 'fa'));
    expect(r.providerMessageId).toMatch(/\S+/);
    const stats = await ses.send(new GetSendStatisticsCommand({}));
    expect(stats.SendDataPoints?.reduce((s, p) => s + (p.DeliveryAttempts ?? 0), 0)).toBeGreaterThanOrEqual(1);
    ses.destroy();
  });

  it('fails loudly when the sender is not verified', async () => {
    const ses = new SESClient(moto.config);
    await expect(sesEmail(ses, 'nobody@unverified.example').send(message('email', 'ani@example.am'))).rejects.toThrow(/not verified|MessageRejected/i);
    ses.destroy();
  });
});

describe('push through Pinpoint SendMessages (aws-sdk-client-mock: moto answers 404)', () => {
  const pinpoint = mockClient(PinpointClient);
  afterAll(() => pinpoint.restore());

  it('addresses the device token with its platform and a default push message', async () => {
    pinpoint.reset();
    pinpoint.on(SendMessagesCommand).resolves({ MessageResponse: { ApplicationId: 'app1', Result: { tok123: { DeliveryStatus: 'SUCCESSFUL', StatusCode: 200, MessageId: 'm-1' } } } });
    const r = await pinpointPush(new PinpointClient({ region: 'us-east-1' }), 'app1').send({ ...message('push', 'tok123'), platform: 'APNS' });
    expect(r).toEqual({ providerMessageId: 'm-1' });
    const input = pinpoint.commandCalls(SendMessagesCommand)[0]!.args[0].input;
    expect(input).toEqual({
      ApplicationId: 'app1',
      MessageRequest: {
        Addresses: { tok123: { ChannelType: 'APNS' } },
        MessageConfiguration: { DefaultPushNotificationMessage: { Title: 'Ձեր միավորները', Body: expect.stringContaining('120'), Action: 'OPEN_APP' } },
      },
    });
  });

  it('treats a dead token as permanent and throttling as worth a retry', async () => {
    pinpoint.reset();
    pinpoint.on(SendMessagesCommand).resolvesOnce({ MessageResponse: { ApplicationId: 'app1', Result: { t: { DeliveryStatus: 'PERMANENT_FAILURE', StatusCode: 410, StatusMessage: 'Unregistered' } } } }).resolvesOnce({ MessageResponse: { ApplicationId: 'app1', Result: { t: { DeliveryStatus: 'THROTTLED', StatusCode: 429 } } } });
    const push = pinpointPush(new PinpointClient({ region: 'us-east-1' }), 'app1');
    await expect(push.send(message('push', 't'))).rejects.toBeInstanceOf(PermanentSendError);
    const second = push.send(message('push', 't'));
    await expect(second).rejects.toThrow(/THROTTLED/);
    await expect(second).rejects.not.toBeInstanceOf(PermanentSendError);
  });
});
