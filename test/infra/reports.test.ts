/**
 * The report counters in the synthesized stack: the table's second stream reader (DynamoDB serves
 * at most two per shard, so no third may appear), woken only for the items it counts, its
 * failures parked.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtApp } from '../support/cdk.ts';
import { isCounted, reportedItemTypes } from '#domain/insight.ts';

let bg: Template;
let monitoring: Template;

beforeAll(() => {
  const stacks = builtApp({ stage: 'dev', 'aws:cdk:bundling-stacks': [] });
  bg = Template.fromStack(stacks.background);
  monitoring = Template.fromStack(stacks.monitoring);
}, 120_000);

describe('Report counters in the stack', () => {
  it('reads the table stream as its second and last reader', () => {
    const mappings = Object.values(bg.findResources('AWS::Lambda::EventSourceMapping')).filter((m) => JSON.stringify(m.Properties.EventSourceArn).includes('StreamArn'));
    expect(mappings).toHaveLength(2);
  });

  it('is woken only for inserted receipts, returns, ledger entries, customers and coupons, and changed customers', () => {
    bg.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: Match.anyValue(),
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      FilterCriteria: {
        Filters: [
          { Pattern: JSON.stringify({ eventName: ['INSERT'], dynamodb: { NewImage: { type: { S: [...reportedItemTypes.inserted] } } } }) },
          { Pattern: JSON.stringify({ eventName: ['MODIFY'], dynamodb: { NewImage: { type: { S: [...reportedItemTypes.modified] } } } }) },
        ],
      },
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
    // The local runtime filters with the same predicate.
    expect(isCounted('INSERT', 'ledger')).toBe(true);
    expect(isCounted('MODIFY', 'ledger')).toBe(false);
    expect(isCounted('MODIFY', 'customer')).toBe(true);
    expect(isCounted('REMOVE', 'customer')).toBe(false);
    expect(isCounted('INSERT', 'receiptAllocation')).toBe(false);
  });

  it('alarms when it falls more than 10 minutes behind the stream', () => {
    monitoring.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'tally-dev-report-counters-iterator-age', MetricName: 'IteratorAge', Threshold: 600_000 });
  });

  it('parks what it gives up on in its own queue', () => {
    bg.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'tally-dev-report-failures' });
    bg.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'tally-dev-report-counters' });
  });
});
