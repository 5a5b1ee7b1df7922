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
};

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
    ['SQS', 0, 'none on the POS path yet (background jobs will add to it)'],
  ];
  const total = rows.reduce((s, r) => s + r[1], 0);
  return [
    `### Cost per million 5-line receipts (${PRICES.region} list prices, on-demand)`,
    '',
    '| part | $ per million receipts | from |',
    '|---|---:|---|',
    ...rows.map(([part, usd, from]) => `| ${part} | ${usd.toFixed(2)} | ${from} |`),
    `| **total** | **${total.toFixed(2)}** | |`,
  ].join('\n');
}
