import { parseProgram, type Program, type ProgramInput } from '#domain/program.ts';
import type { ReceiptLine } from '#domain/pricing.ts';

export function program(input: Partial<ProgramInput> = {}): Program {
  const r = parseProgram({
    name: 'Test',
    currency: 'AMD',
    timeZone: 'Asia/Yerevan',
    earning: { base: { points: 1, per: 100 } },
    ...input,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.program;
}

/** Scenario 1: progressive discount card (SCENARIOS.md). */
export const progressiveCard = (): Program =>
  program({
    earning: { base: { points: 0, per: 100 } },
    tiers: {
      levels: [
        { id: 'standard', name: 'Standard', threshold: 0, discountBps: 0 },
        { id: 'silver', name: '1 %', threshold: 50_000, discountBps: 100 },
        { id: 'gold', name: '2 %', threshold: 80_000, discountBps: 200 },
      ],
      staffLevels: [{ id: 'vip', name: 'VIP', discountBps: 500 }],
    },
  });

export const line = (lineId: string, amount: number, extra: Partial<ReceiptLine> = {}): ReceiptLine => ({
  lineId,
  sku: `SKU-${lineId}`,
  category: 'general',
  quantityMilli: 1000,
  unitPrice: amount,
  amount,
  ...extra,
});
