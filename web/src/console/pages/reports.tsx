/**
 * Reports as charts: points flow by month and ledger kind (one points report per month), sales
 * by store, members per month, and (admin, auditor) the liability by month of expiry with the
 * accountant's month-end CSV. Every figure is what the report routes answer; nothing is computed
 * here beyond picking series out of the answers.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { call } from '../../api/client.ts';
import { CategoryChart, type Series } from '../../ui/chart.tsx';
import { Field, Form, Notice, useAction } from '../../ui/kit.tsx';
import { may, type PageProps } from '../pages.ts';

type Api = PageProps['api'];
type Points = Awaited<ReturnType<typeof pointsFor>>;
type Sales = Awaited<ReturnType<typeof salesBy>>;
type Members = Awaited<ReturnType<typeof membersFor>>;
type Liability = Awaited<ReturnType<typeof liabilityNow>>;

const pointsFor = (api: Api, from: string, to: string) => call(api.GET('/v1/reports/points', { params: { query: { from, to, by: 'total' } } }));
const salesBy = (api: Api, from: string, to: string) => call(api.GET('/v1/reports/sales', { params: { query: { from, to, by: 'store' } } }));
const membersFor = (api: Api, from: string, to: string) => call(api.GET('/v1/reports/members', { params: { query: { from, to } } }));
const liabilityNow = (api: Api) => call(api.GET('/v1/reports/liability', { params: { query: { by: 'expiry' } } }));

const thisMonth = () => new Date().toISOString().slice(0, 7);
const addMonths = (month: string, n: number) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return d.toISOString().slice(0, 7);
};
const monthsBetween = (from: string, to: string) => {
  const out: string[] = [];
  for (let m = from; m <= to && out.length < 36; m = addMonths(m, 1)) out.push(m);
  return out;
};
const lastDay = (month: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
};
const fmt = (n: number) => n.toLocaleString();
const money = (minor: number, currency: string) => {
  try {
    return (minor / 100).toLocaleString(undefined, { style: 'currency', currency });
  } catch {
    return `${fmt(minor)} ${currency}`;
  }
};

export function ReportsPage({ api, session }: PageProps) {
  const [range, setRange] = useState({ from: addMonths(thisMonth(), -5), to: thisMonth() });
  const [asked, setAsked] = useState(range);
  const [points, setPoints] = useState<Array<{ month: string; report: Points }>>([]);
  const [sales, setSales] = useState<Sales | null>(null);
  const [members, setMembers] = useState<Members | null>(null);
  const [liability, setLiability] = useState<Liability | null>(null);
  const seesLiability = may(session.role, 'GET /v1/reports/liability');
  const { busy, error, run } = useAction();

  const load = (r: { from: string; to: string }) =>
    run(async () => {
      const months = monthsBetween(r.from, r.to);
      if (months.length === 0) throw new Error('“From” must not be after “to”.');
      const [p, s, m, l] = await Promise.all([
        Promise.all(months.map(async (month) => ({ month, report: await pointsFor(api, `${month}-01`, lastDay(month)) }))),
        salesBy(api, `${r.from}-01`, lastDay(r.to)),
        membersFor(api, r.from, r.to),
        seesLiability ? liabilityNow(api) : Promise.resolve(null),
      ]);
      setPoints(p);
      setSales(s);
      setMembers(m);
      setLiability(l);
      setAsked(r);
    });
  useEffect(() => void load(range), []);

  const flow = useMemo(() => {
    const kinds = ['earn', 'bonus', 'event', 'migrated', 'adjustment', 'burn', 'burn_refund', 'earn_reversal', 'expiry', 'release'] as const;
    const used = kinds.filter((k) => points.some((p) => p.report.total.byKind[k] !== 0));
    return { categories: points.map((p) => p.month), series: used.map((k): Series => ({ label: k, values: points.map((p) => p.report.total.byKind[k]) })) };
  }, [points]);
  const stores = useMemo(() => {
    const rows = [...(sales?.rows ?? [])].sort((a, b) => b.paid - a.paid);
    return { categories: rows.map((r) => r.key ?? 'none'), series: [{ label: 'paid', values: rows.map((r) => r.paid / 100) }], rows };
  }, [sales]);
  const memberSeries = useMemo(() => {
    const ms = members?.months ?? [];
    return { categories: ms.map((m) => m.month), series: [{ label: 'active', values: ms.map((m) => m.active) }, { label: 'enrolled', values: ms.map((m) => m.enrolled) }] };
  }, [members]);
  const expiry = useMemo(() => {
    const rows = liability?.rows ?? [];
    return { categories: rows.map((r) => r.key ?? 'none'), series: [{ label: 'points', values: rows.map((r) => r.points) }] };
  }, [liability]);

  return (
    <>
      <h1>Reports</h1>
      <Form label="Report period" class="row" onSubmit={() => void load(range)}>
        <Field label="From month">{(id) => <input id={id} type="month" required value={range.from} onInput={(e) => setRange({ ...range, from: e.currentTarget.value })} />}</Field>
        <Field label="To month">{(id) => <input id={id} type="month" required value={range.to} onInput={(e) => setRange({ ...range, to: e.currentTarget.value })} />}</Field>
        <button type="submit" disabled={busy}>Show</button>
      </Form>
      <Notice error={error} />
      {busy && <p role="status">Loading…</p>}

      <h2>Points flow by month</h2>
      {flow.series.length === 0 ? <p>No ledger entries from {asked.from} to {asked.to}.</p> : (
        <CategoryChart testId="chart-points" kind="lines" label="Points by ledger kind and month" categories={flow.categories} series={flow.series}
          summary={flow.series.map((s) => `${s.label} ${fmt(s.values.reduce((a, b) => a + b, 0))}`).join(', ')} />
      )}
      {points.length > 0 && (
        <table data-testid="points-table">
          <caption>Points per month</caption>
          <thead><tr><th scope="col">Month</th><th scope="col">Issued</th><th scope="col">Burned</th><th scope="col">Expired</th><th scope="col">Adjusted</th><th scope="col">Returned</th><th scope="col">Net</th></tr></thead>
          <tbody>{points.map(({ month, report: { total: t } }) => <tr key={month}><td>{month}</td><td class="num">{fmt(t.issued)}</td><td class="num">{fmt(t.burned)}</td><td class="num">{fmt(t.expired)}</td><td class="num">{fmt(t.adjusted)}</td><td class="num">{fmt(t.returned)}</td><td class="num">{fmt(t.net)}</td></tr>)}</tbody>
        </table>
      )}

      <h2>Sales by store</h2>
      {sales && (stores.rows.length === 0 ? <p>No receipts in the period.</p> : (
        <>
          <CategoryChart testId="chart-stores" kind="bars" label={`Paid by store (${sales.currency})`} categories={stores.categories} series={stores.series}
            summary={stores.rows.map((r) => `${r.key ?? 'none'} ${money(r.paid, sales.currency)}`).join(', ')} />
          <table data-testid="sales-table">
            <caption>Sales by store, {sales.from} to {sales.to}</caption>
            <thead><tr><th scope="col">Store</th><th scope="col">Receipts</th><th scope="col">Paid</th><th scope="col">Average receipt</th><th scope="col">Discounts</th><th scope="col">Returns</th></tr></thead>
            <tbody>{stores.rows.map((r) => <tr key={r.key ?? ''}><td>{r.key ?? 'none'}</td><td class="num">{fmt(r.receipts)}</td><td class="num">{money(r.paid, sales.currency)}</td><td class="num">{money(r.averageReceipt, sales.currency)}</td><td class="num">{money(r.discounts.total, sales.currency)}</td><td class="num">{fmt(r.returns)}</td></tr>)}</tbody>
          </table>
        </>
      ))}

      <h2>Members over time</h2>
      {members && (
        <CategoryChart testId="chart-members" kind="lines" label="Members active and enrolled per month" categories={memberSeries.categories} series={memberSeries.series}
          summary={(members.months).map((m) => `${m.month}: ${m.active} active, ${m.enrolled} enrolled`).join('; ')} />
      )}

      {seesLiability && liability && (
        <>
          <h2>Points liability by month of expiry</h2>
          <p data-testid="liability-total">
            As of {liability.asOf}: {fmt(liability.total.points)} points, worth {money(liability.total.value, liability.currency)} (program version {liability.programVersion}).
          </p>
          {expiry.categories.length > 0 && (
            <CategoryChart testId="chart-liability" kind="bars" label="Outstanding points by month of expiry" categories={expiry.categories} series={expiry.series}
              summary={liability.rows.map((r) => `${r.key ?? 'none'} ${fmt(r.points)}`).join(', ')} />
          )}
          <MonthEndExport api={api} />
        </>
      )}
    </>
  );
}

/** The accountant's month-end CSV: fetched with the staff credential (a plain link could not carry it) and saved as a file. */
function MonthEndExport({ api }: { api: Api }) {
  const [month, setMonth] = useState(addMonths(thisMonth(), -1));
  const [saved, setSaved] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const download = () =>
    run(async () => {
      const csv = await call(api.GET('/v1/reports/liability/export', { params: { query: { month } }, parseAs: 'text' }));
      const a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([csv as string], { type: 'text/csv' }));
      a.download = `liability-${month}.csv`;
      a.click();
      URL.revokeObjectURL(a.href);
      setSaved(`liability-${month}.csv saved.`);
    });
  return (
    <Form label="Month-end liability CSV" class="row" onSubmit={() => void download()}>
      <Field label="Month">{(id) => <input id={id} type="month" required value={month} onInput={(e) => setMonth(e.currentTarget.value)} />}</Field>
      <button type="submit" disabled={busy}>Download month-end CSV</button>
      <Notice error={error} ok={saved} />
    </Form>
  );
}
