/**
 * A cost model per million receipts from measured capacity units and handler time, at AWS list
 * prices (us-east-1, on-demand, as published in November 2026; change them here if yours differ).
 */
export const PRICES = {
  region: 'us-east-1',
  httpApiPerMillion: 1.0,
  lambdaRequestsPerMillion: 0.2,
  /** arm64, per GB-second. */
  lambdaGbSecond: 0.0000133334,
  dynamoWritePerMillionUnits: 0.625,
  dynamoReadPerMillionUnits: 0.125,
  sqsPerMillion: 0.4,
  eventBridgePerMillionEvents: 1.0,
};

/**
 * What a receipt sets off in the background (from the outbox mapping, not measured here): two
 * events (receipt.committed, points.earned) on the bus; the notify rule queues one of them and the
 * journeys rule both, so three SQS messages, each one send plus its share of batched
 * receives and deletes (batches of ten); workers invoked once per batch of ten.
 */
export const BACKGROUND = { eventsPerReceipt: 2, sqsMessagesPerReceipt: 3, sqsRequestsPerMessage: 1.2, workerMs: 20 };

export function costModel(commit: { readUnits: number; writeUnits: number; p50: number }, memoryMb = 512): string {
  const million = 1_000_000;
  // Lambda bills the handler's duration; the local p50 includes DynamoDB Local's own time, so
  // this errs high.
  const lambdaCompute = (commit.p50 / 1000) * (memoryMb / 1024) * PRICES.lambdaGbSecond * million;
  const rows: Array<[string, number, string]> = [
    ['API Gateway (HTTP API)', PRICES.httpApiPerMillion, `$${PRICES.httpApiPerMillion} per million requests`],
    ['Lambda requests', PRICES.lambdaRequestsPerMillion, `$${PRICES.lambdaRequestsPerMillion} per million`],
    ['Lambda compute', lambdaCompute, `${commit.p50.toFixed(1)} ms × ${memoryMb} MB arm64 at $${PRICES.lambdaGbSecond}/GB-s`],
    ['DynamoDB writes', (commit.writeUnits * PRICES.dynamoWritePerMillionUnits), `${commit.writeUnits} write units per receipt at $${PRICES.dynamoWritePerMillionUnits}/million`],
    ['DynamoDB reads', (commit.readUnits * PRICES.dynamoReadPerMillionUnits), `${commit.readUnits} read units per receipt at $${PRICES.dynamoReadPerMillionUnits}/million`],
    ['EventBridge (outbox events)', BACKGROUND.eventsPerReceipt * PRICES.eventBridgePerMillionEvents, `${BACKGROUND.eventsPerReceipt} events per receipt at $${PRICES.eventBridgePerMillionEvents}/million (modelled)`],
    [
      'SQS (notify and journeys queues)',
      BACKGROUND.sqsMessagesPerReceipt * BACKGROUND.sqsRequestsPerMessage * PRICES.sqsPerMillion,
      `${BACKGROUND.sqsMessagesPerReceipt} messages × ${BACKGROUND.sqsRequestsPerMessage} requests at $${PRICES.sqsPerMillion}/million (modelled)`,
    ],
    [
      'Lambda, background (outbox and workers)',
      (BACKGROUND.sqsMessagesPerReceipt / 10) * (PRICES.lambdaRequestsPerMillion + (BACKGROUND.workerMs / 1000) * (memoryMb / 1024) * PRICES.lambdaGbSecond * million) + PRICES.lambdaRequestsPerMillion / 100,
      `a worker invocation per 10 messages (${BACKGROUND.workerMs} ms assumed), the outbox per 100 stream records (modelled)`,
    ],
  ];
  const total = rows.reduce((s, r) => s + r[1], 0);
  return [
    `### Cost per million 5-line receipts (${PRICES.region} list prices, on-demand)`,
    '',
    '| part | $ per million receipts | from |',
    '|---|---:|---|',
    ...rows.map(([part, usd, from]) => `| ${part} | ${usd.toFixed(2)} | ${from} |`),
    `| **total** | **${total.toFixed(2)}** | |`,
    '',
    'Messages actually sent (SMS, e-mail, push) are priced by their channel and country and are not included.',
  ].join('\n');
}
