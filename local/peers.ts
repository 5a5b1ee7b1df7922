/**
 * In-process stand-ins for the AWS services the background code calls, so that code runs
 * unchanged on one machine (the SDK clients honour `AWS_ENDPOINT_URL_<SERVICE>`):
 * - EventBridge `PutEvents`: events matched against rules and handed to their targets;
 * - SNS `Publish` (SMS), SES `SendEmail` and Pinpoint `SendMessages` (push): the message lands in
 *   the local outbox, which `GET /_local/outbox` and the console show.
 * Only the operations Tally uses are served; anything else answers 400 and names itself.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OutboxMessage {
  readonly at: string;
  readonly channel: 'sms' | 'email' | 'push';
  readonly to: string;
  readonly subject?: string | undefined;
  readonly text: string;
  readonly messageId: string;
}

export interface BusRule {
  readonly name: string;
  readonly detailTypes?: readonly string[];
  /** As a rule's `resources` pattern: the event must name this resource. */
  readonly resource?: string;
  readonly target: (eventJson: string) => void;
}

export interface LocalPeers {
  readonly endpoint: string;
  readonly outbox: OutboxMessage[];
  /** Events put on the bus: how many, their bytes as the bus holds them (envelope), by type. */
  readonly published: { events: number; bytes: number; types: Record<string, number> };
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const xml = (res: ServerResponse, action: string, result: string) => {
  res.writeHead(200, { 'content-type': 'text/xml' });
  res.end(`<${action}Response><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`);
};

export async function startLocalPeers(opts: { rules: BusRule[]; onMessage?: (m: OutboxMessage) => void; account?: string }): Promise<LocalPeers> {
  const outbox: OutboxMessage[] = [];
  const published = { events: 0, bytes: 0, types: {} as Record<string, number> };
  const record = (m: Omit<OutboxMessage, 'at' | 'messageId'>) => {
    const full = { ...m, at: new Date().toISOString(), messageId: randomUUID() };
    outbox.push(full);
    opts.onMessage?.(full);
    return full.messageId;
  };

  const server = createServer((req, res) => {
    void (async () => {
      const text = await body(req);
      const target = String(req.headers['x-amz-target'] ?? '');
      if (target === 'AWSEvents.PutEvents') {
        const input = JSON.parse(text) as { Entries: Array<{ Source: string; DetailType: string; Detail: string; Time?: number; Resources?: string[] }> };
        const entries = input.Entries.map((e) => {
          const id = randomUUID();
          const envelope = JSON.stringify({
            version: '0',
            id,
            'detail-type': e.DetailType,
            source: e.Source,
            account: opts.account ?? '000000000000',
            time: new Date((e.Time ?? Date.now() / 1000) * 1000).toISOString(),
            region: 'us-east-1',
            resources: e.Resources ?? [],
            detail: JSON.parse(e.Detail),
          });
          for (const rule of opts.rules) {
            if ((!rule.detailTypes || rule.detailTypes.includes(e.DetailType)) && (!rule.resource || (e.Resources ?? []).includes(rule.resource))) rule.target(envelope);
          }
          published.events += 1;
          published.bytes += Buffer.byteLength(envelope);
          published.types[e.DetailType] = (published.types[e.DetailType] ?? 0) + 1;
          return { EventId: id };
        });
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        return res.end(JSON.stringify({ FailedEntryCount: 0, Entries: entries }));
      }
      const pinpoint = /^\/v1\/apps\/([^/]+)\/messages$/.exec(req.url ?? '');
      if (pinpoint && req.method === 'POST') {
        const input = JSON.parse(text) as {
          MessageRequest: { Addresses: Record<string, unknown>; MessageConfiguration: { DefaultPushNotificationMessage?: { Title?: string; Body?: string } } };
        };
        const m = input.MessageRequest.MessageConfiguration.DefaultPushNotificationMessage ?? {};
        const result: Record<string, unknown> = {};
        for (const token of Object.keys(input.MessageRequest.Addresses)) {
          result[token] = { DeliveryStatus: 'SUCCESSFUL', StatusCode: 200, MessageId: record({ channel: 'push', to: token, subject: m.Title, text: m.Body ?? '' }) };
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ ApplicationId: pinpoint[1], RequestId: randomUUID(), Result: result }));
      }
      const form = new URLSearchParams(text);
      const action = form.get('Action');
      if (action === 'Publish' && form.get('PhoneNumber')) {
        const id = record({ channel: 'sms', to: form.get('PhoneNumber')!, text: form.get('Message') ?? '' });
        return xml(res, 'Publish', `<MessageId>${id}</MessageId>`);
      }
      if (action === 'SendEmail') {
        const id = record({ channel: 'email', to: form.get('Destination.ToAddresses.member.1') ?? '', subject: form.get('Message.Subject.Data') ?? '', text: form.get('Message.Body.Text.Data') ?? '' });
        return xml(res, 'SendEmail', `<MessageId>${id}</MessageId>`);
      }
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `${target || action || req.url} is not served by the local runtime` }));
    })().catch((e: unknown) => {
      res.writeHead(500);
      res.end(String(e));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    outbox,
    published,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
