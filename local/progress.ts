/** A one-line progress bar for long local commands (written with \r on stderr): share, rows, rate, ETA. */
export interface ProgressSnapshot {
  readonly rows: number;
  readonly refused: number;
  readonly bytesDone: number;
  readonly bytesTotal: number | null;
  /** Milliseconds since this run started, and the rows and bytes it started from (a resume). */
  readonly elapsedMs: number;
  readonly startRows: number;
  readonly startBytes: number;
}

const WIDTH = 24;
const n = (x: number) => x.toLocaleString('en-US');

export function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const mm = String(m).padStart(h ? 2 : 1, '0');
  return `${h ? `${h}:` : ''}${mm}:${String(s % 60).padStart(2, '0')}`;
}

/** The bar for a snapshot: the share is by bytes (rows are unknown until the end), the rate by rows. */
export function progressLine(p: ProgressSnapshot): string {
  const share = p.bytesTotal ? Math.min(1, p.bytesDone / p.bytesTotal) : 0;
  const filled = Math.round(share * WIDTH);
  const seconds = p.elapsedMs / 1000;
  const rate = seconds > 0 ? (p.rows - p.startRows) / seconds : 0;
  const byteRate = seconds > 0 ? (p.bytesDone - p.startBytes) / seconds : 0;
  const eta = p.bytesTotal && byteRate > 0 ? (p.bytesTotal - p.bytesDone) / byteRate : Number.POSITIVE_INFINITY;
  return `[${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}] ${String(Math.floor(share * 100)).padStart(3)}% · ${n(p.rows)} rows · ${n(Math.round(rate))} rows/s · ETA ${clock(eta)} · refused ${n(p.refused)}`;
}
