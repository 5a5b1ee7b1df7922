import { describe, expect, it } from 'vitest';
import { csvCell } from '#lib/app/segments.ts';

describe('segment export CSV cells', () => {
  it('should quote what needs quoting and never start a cell a spreadsheet would run as a formula', () => {
    expect(csvCell('c_123')).toBe('c_123');
    expect(csvCell('2027-03-20T00:45:12.000Z')).toBe('2027-03-20T00:45:12.000Z');
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('a,b')).toBe('"a,b"');
  });
});
