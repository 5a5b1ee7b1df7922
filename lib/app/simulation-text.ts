/** A simulation report as plain text, side by side (the local command prints it). */
import type { Figures, SimulationReport } from '#domain/simulation.ts';

const n = (x: number) => x.toLocaleString('en-US');
const pct = (bps: number) => `${(bps / 100).toFixed(2)} %`;
const diff = (a: number, b: number) => (b - a === 0 ? '0' : `${b - a > 0 ? '+' : ''}${n(b - a)}`);

function row(label: string, a: number, b: number): string {
  return `  ${label.padEnd(22)}${n(a).padStart(16)}${n(b).padStart(16)}${diff(a, b).padStart(16)}`;
}

const figureRows: Array<[string, keyof Figures]> = [
  ['receipts', 'receipts'],
  ['returns', 'returns'],
  ['revenue', 'revenue'],
  ['paid', 'paid'],
  ['tier discount', 'tierDiscount'],
  ['reward discount', 'rewardDiscount'],
  ['coupon discount', 'couponDiscount'],
  ['points discount', 'pointsDiscount'],
  ['points issued', 'pointsIssued'],
  ['points burned', 'pointsBurned'],
  ['points reversed', 'pointsReversed'],
  ['burns cut', 'burnsCut'],
  ['refused', 'refused'],
];

export function simulationText(r: SimulationReport): string {
  const out: string[] = [];
  out.push(`${n(r.customers)} customers`, '', `  ${''.padEnd(22)}${'in force'.padStart(16)}${'draft'.padStart(16)}${'change'.padStart(16)}`);
  for (const [label, k] of figureRows) out.push(row(label, r.current.totals[k], r.draft.totals[k]));
  out.push(row('cost', r.current.cost, r.draft.cost));
  out.push(`  ${'cost / revenue'.padEnd(22)}${pct(r.current.costBps).padStart(16)}${pct(r.draft.costBps).padStart(16)}`);
  const section = (title: string, a: Record<string, Figures>, b: Record<string, Figures>) => {
    out.push('', `${title} (points issued · discounts)`);
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const money = (f?: Figures) => (f ? f.tierDiscount + f.rewardDiscount + f.couponDiscount + f.pointsDiscount : 0);
      out.push(row(`${key} points`, a[key]?.pointsIssued ?? 0, b[key]?.pointsIssued ?? 0), row(`${key} discounts`, money(a[key]), money(b[key])));
    }
  };
  section('By tier', r.current.byTier, r.draft.byTier);
  section('By store', r.current.byStore, r.draft.byStore);
  out.push('', 'By rule (receipts it changed · points on them)');
  for (const id of [...new Set([...Object.keys(r.current.byRule), ...Object.keys(r.draft.byRule)])].sort()) {
    out.push(row(`${id} receipts`, r.current.byRule[id]?.receipts ?? 0, r.draft.byRule[id]?.receipts ?? 0));
  }
  out.push('', 'Customers who would change tier');
  if (r.tierChanges.length === 0) out.push('  none');
  for (const c of r.tierChanges) out.push(`  ${c.from} → ${c.to}: ${n(c.customers)}`);
  out.push('', 'Gain most (value under the draft − in force)');
  if (r.topGainers.length === 0) out.push('  none');
  for (const d of r.topGainers) out.push(`  ${d.customerId.padEnd(24)}${diff(0, d.gain).padStart(16)}`);
  out.push('', 'Lose most');
  if (r.topLosers.length === 0) out.push('  none');
  for (const d of r.topLosers) out.push(`  ${d.customerId.padEnd(24)}${diff(0, d.gain).padStart(16)}`);
  return out.join('\n');
}
