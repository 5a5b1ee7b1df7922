import { describe, expect, it } from 'vitest';
import { clock, progressLine } from '../../local/progress.ts';

describe('progress line of npm run import', () => {
  it('shows the share by bytes, this run’s rate by rows, the ETA from the bytes left, and the refusals', () => {
    const line = progressLine({ rows: 30_000, refused: 12, bytesDone: 5_000_000, bytesTotal: 10_000_000, elapsedMs: 100_000, startRows: 10_000, startBytes: 0 });
    expect(line).toBe('[████████████░░░░░░░░░░░░]  50% · 30,000 rows · 200 rows/s · ETA 1:40 · refused 12');
  });

  it('says it does not know the ETA before anything moved, and formats hours', () => {
    expect(progressLine({ rows: 0, refused: 0, bytesDone: 0, bytesTotal: 100, elapsedMs: 0, startRows: 0, startBytes: 0 })).toContain('ETA --:--');
    expect(clock(3 * 3600 + 61)).toBe('3:01:01');
    expect(clock(59)).toBe('0:59');
  });
});
