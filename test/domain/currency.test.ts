import { describe, expect, it } from 'vitest';
import { currencyCode } from '#domain/currency.ts';

describe('currency codes', () => {
  it('should take a code ICU knows and refuse a well-formed one it does not, with the rule as the message', () => {
    expect(currencyCode.safeParse('AMD').success).toBe(true);
    const unknown = currencyCode.safeParse('QQQ');
    expect(unknown.success).toBe(false);
    expect(unknown.error?.issues.map((i) => i.message)).toEqual(['must be a known ISO 4217 currency']);
  });
});
