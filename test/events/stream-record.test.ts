import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { changeFromStreamRecord } from '#lib/events/stream-record.ts';
import { packReceipt, receiptAnswerOf } from '#lib/storage/receipt-codec.ts';

describe('stream records as Lambda delivers them', () => {
  it('decodes a packed receipt whose binary attribute came base64-encoded in the JSON event', () => {
    const response = JSON.stringify({ receiptId: 'R-1', totals: { paid: 1234 } });
    const packed = packReceipt({ response, receipt: { lines: [], earnLot: '2026-11' } as never });
    const image = marshall({ pk: 'T#t#S#s#R#R-1', sk: 'RECEIPT', type: 'receipt', packed });
    // Lambda's event is JSON: { B: Uint8Array } arrives as { B: "<base64>" }.
    const asLambda = { ...image, packed: { B: Buffer.from(packed).toString('base64') } } as unknown as typeof image;
    const change = changeFromStreamRecord({ eventName: 'INSERT', dynamodb: { NewImage: asLambda as never } });
    expect(receiptAnswerOf(change.newImage!)).toBe(response);
    // The SDK's own GetRecords (the local runtime) hands bytes: read the same.
    expect(receiptAnswerOf(changeFromStreamRecord({ eventName: 'INSERT', dynamodb: { NewImage: image as never } }).newImage!)).toBe(response);
  });
});
