/**
 * An SQS consumer: each record validated and handled on its own, failures reported per record
 * (Powertools' partial batch response), so one poison message is retried and then parked in
 * the queue's DLQ without taking its batch-mates with it.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type * as z from 'zod';
import { logger } from '../http/function.ts';

export function sqsWorker<S extends z.ZodType>(name: string, schema: S, handle: (message: z.output<S>, record: SQSRecord) => Promise<unknown>) {
  const processor = new BatchProcessor(EventType.SQS);
  const one = async (record: SQSRecord) => {
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      throw new Error(`${name}: message ${record.messageId} is not JSON`);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new Error(`${name}: message ${record.messageId} is not a valid job: ${parsed.error.issues[0]?.message}`);
    const result = await handle(parsed.data, record);
    logger.info('message handled', { worker: name, messageId: record.messageId, receiveCount: record.attributes.ApproximateReceiveCount, result });
  };
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const response = await processPartialResponse(event, one, processor, { context });
    if (response.batchItemFailures.length) logger.warn('messages failed', { worker: name, failed: response.batchItemFailures.length, of: event.Records.length });
    return response;
  };
}
