/**
 * An SQS consumer: each record validated and handled on its own, failures reported per record
 * (Powertools' partial batch response), so one poison message is retried and then parked in
 * the queue's DLQ without taking its batch-mates with it.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { safeParse, type $ZodType, type output } from 'zod/v4/core';
import { logger } from '../observability/logger.ts';
import { flushMetrics } from '../observability/metrics.ts';

/** Seconds before a failed message is received again: 15 s, doubling per receive, at most 15 minutes. */
export const retryDelaySeconds = (receiveCount: number): number => Math.min(900, 15 * 2 ** Math.max(0, receiveCount - 1));

/** The queue URL from the event source ARN (the SDK's endpoint override applies locally and in tests). */
export function queueUrlOf(arn: string): string {
  const [, , , region, account, name] = arn.split(':');
  return `${process.env.AWS_ENDPOINT_URL_SQS ?? `https://sqs.${region}.amazonaws.com`}/${account}/${name}`;
}

let sqs: SQSClient | undefined;

/**
 * SQS would show a failed message again after the queue's fixed visibility timeout; backing off
 * per receive gives a throttled or briefly broken dependency room to recover. Best effort: if it
 * fails, the queue's own timeout applies.
 */
async function backOff(records: readonly SQSRecord[], name: string): Promise<void> {
  for (const r of records) {
    const delay = retryDelaySeconds(Number(r.attributes.ApproximateReceiveCount ?? '1'));
    try {
      await (sqs ??= new SQSClient({ maxAttempts: 2 })).send(
        new ChangeMessageVisibilityCommand({ QueueUrl: queueUrlOf(r.eventSourceARN), ReceiptHandle: r.receiptHandle, VisibilityTimeout: delay }),
      );
    } catch (e) {
      logger.warn('could not delay the retry of a failed message', { worker: name, messageId: r.messageId, error: (e as Error).name });
    }
  }
}

export function sqsWorker<S extends $ZodType>(name: string, schema: S, handle: (message: output<S>, record: SQSRecord, context?: Context) => Promise<unknown>) {
  const processor = new BatchProcessor(EventType.SQS);
  const one = async (record: SQSRecord, context?: Context) => {
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      throw new Error(`${name}: message ${record.messageId} is not JSON`);
    }
    const parsed = safeParse(schema, body);
    if (!parsed.success) throw new Error(`${name}: message ${record.messageId} is not a valid job: ${parsed.error.issues[0]?.message}`);
    const result = await handle(parsed.data, record, context);
    // One line per message is debug: at a receipt a second it would be most of a worker's logs.
    logger.debug('message handled', { worker: name, messageId: record.messageId, receiveCount: record.attributes.ApproximateReceiveCount, result });
  };
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    let response: SQSBatchResponse;
    try {
      response = await processPartialResponse(event, one, processor, { context });
    } catch (e) {
      // Every record failed (Powertools throws then): all of them back off.
      await backOff(event.Records, name);
      throw e;
    } finally {
      flushMetrics();
    }
    if (response.batchItemFailures.length) {
      logger.warn('messages failed', { worker: name, failed: response.batchItemFailures.length, of: event.Records.length });
      const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
      await backOff(event.Records.filter((r) => failed.has(r.messageId)), name);
    }
    return response;
  };
}
