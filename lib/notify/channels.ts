/**
 * The channels behind one interface: SMS through SNS, e-mail through SES, push through Pinpoint's
 * SendMessages to device tokens (AWS End User Messaging push). Each send either resolves with the
 * provider's message id or throws; `PermanentSendError` means retrying cannot help.
 */
import { PinpointClient, SendMessagesCommand } from '@aws-sdk/client-pinpoint';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Channel } from '#domain/notifications.ts';
import { liveChannels } from './live-channels.ts';

export interface OutgoingMessage {
  readonly channel: Channel;
  /** Phone number (E.164), e-mail address, or device token. */
  readonly to: string;
  /** For push: the token's platform. */
  readonly platform?: 'GCM' | 'APNS' | undefined;
  readonly locale: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface ChannelSender {
  send(message: OutgoingMessage): Promise<{ providerMessageId: string }>;
}

export class PermanentSendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentSendError';
  }
}

export function snsSms(client: SNSClient, opts: { senderId?: string | undefined } = {}): ChannelSender {
  return {
    async send(m) {
      const r = await client.send(
        new PublishCommand({
          PhoneNumber: m.to,
          Message: m.text,
          MessageAttributes: {
            // Loyalty messages are about the customer's own account: transactional, not promotional.
            'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
            ...(opts.senderId ? { 'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: opts.senderId } } : {}),
          },
        }),
      );
      return { providerMessageId: r.MessageId ?? '' };
    },
  };
}

export function sesEmail(client: SESClient, from: string): ChannelSender {
  return {
    async send(m) {
      const r = await client.send(
        new SendEmailCommand({
          Source: from,
          Destination: { ToAddresses: [m.to] },
          Message: {
            Subject: { Data: m.subject, Charset: 'UTF-8' },
            Body: { Text: { Data: m.text, Charset: 'UTF-8' }, Html: { Data: m.html, Charset: 'UTF-8' } },
          },
        }),
      );
      return { providerMessageId: r.MessageId ?? '' };
    },
  };
}

export function pinpointPush(client: PinpointClient, applicationId: string): ChannelSender {
  return {
    async send(m) {
      const r = await client.send(
        new SendMessagesCommand({
          ApplicationId: applicationId,
          MessageRequest: {
            Addresses: { [m.to]: { ChannelType: m.platform ?? 'GCM' } },
            MessageConfiguration: {
              DefaultPushNotificationMessage: { Title: m.subject, Body: m.text, Action: 'OPEN_APP' },
            },
          },
        }),
      );
      const result = r.MessageResponse?.Result?.[m.to];
      if (result?.DeliveryStatus === 'SUCCESSFUL') return { providerMessageId: result.MessageId ?? '' };
      const why = `push ${result?.DeliveryStatus ?? 'UNKNOWN'} (${result?.StatusCode ?? '?'}): ${result?.StatusMessage ?? ''}`;
      // A dead token or a refused message will not get better; throttling and temporary failures may.
      if (result?.DeliveryStatus === 'PERMANENT_FAILURE' || result?.DeliveryStatus === 'OPT_OUT' || result?.DeliveryStatus === 'DUPLICATE') throw new PermanentSendError(why);
      throw new Error(why);
    },
  };
}

/**
 * The channels this deployment has, from the environment the stack sets: only the live ones
 * (lib/notify/live-channels.ts), and each only with what it sends from.
 */
export function channelsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<Record<Channel, ChannelSender>> {
  const live = liveChannels(env);
  const offered = (c: Channel) => live === undefined || live.has(c);
  const out: Partial<Record<Channel, ChannelSender>> = {};
  if (offered('sms')) out.sms = snsSms(new SNSClient({ maxAttempts: 3 }), { senderId: env.SMS_SENDER_ID });
  if (offered('email') && env.EMAIL_FROM) out.email = sesEmail(new SESClient({ maxAttempts: 3 }), env.EMAIL_FROM);
  if (offered('push') && env.PINPOINT_APP_ID) out.push = pinpointPush(new PinpointClient({ maxAttempts: 3 }), env.PINPOINT_APP_ID);
  return out;
}
