/**
 * Reports as charts: points flow by month and ledger kind (one points report per month), sales
 * by store, members per month and per RFM class, top SKUs and categories, coupon and journey
 * results, and (admin, auditor) the liability by month of expiry with the accountant's month-end CSV. Every figure is what the report routes answer; nothing is computed
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
type Products = Awaited<ReturnType<typeof productsFor>>;
type Campaigns = Awaited<ReturnType<typeof campaignsFor>>;

const pointsFor = (api: Api, from: string, to: string) => call(api.GET('/v1/reports/points', { params: { query: { from, to, by: 'total' } } }));
const salesBy = (api: Api, from: string, to: string) => call(api.GET('/v1/reports/sales', { params: { query: { from, to, by: 'store' } } }));
const membersFor = (api: Api, from: string, to: string) => call(api.GET('/v1/reports/members', { params: { query: { from, to } } }));
const productsFor = (api: Api, from: string, to: string) => call(api.GET('/v1/reports/products', { params: { query: { from, to, limit: 10 } } }));
const campaignsFor = (api: Api, from: string, to: string, days: number) => call(api.GET('/v1/reports/campaigns', { params: { query: { from, to, days } } }));
/** A sales row's store: `*` holds the tills' figures not yet folded into their stores (nightly), null what no store did. */
const storeLabel = (key: string | null) => (key === '*' ? 'not yet by store' : key ?? 'none');
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
const today = () => new Date().toISOString().slice(0, 10);
const minDay = (a: string, b: string) => (a < b ? a : b);
const maxDay = (a: string, b: string) => (a > b ? a : b);
/** The last `n` days up to `to` (the products report takes at most 366, the campaigns report 92 days of sends). */
const daysBack = (to: string, n: number) => new Date(Date.parse(`${to}T00:00:00Z`) - (n - 1) * 86_400_000).toISOString().slice(0, 10);
const fmt = (n: number) => n.toLocaleString();
const bps = (n: number) => `${(n / 100).toFixed(2)} %`;
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
  const [products, setProducts] = useState<Products | null>(null);
  const [campaigns, setCampaigns] = useState<Campaigns | null>(null);
  const [days, setDays] = useState(30);
  const seesLiability = may(session.role, 'GET /v1/reports/liability');
  const { busy, error, run } = useAction();

  const load = (r: { from: string; to: string }) =>
    run(async () => {
      const months = monthsBetween(r.from, r.to);
      if (months.length === 0) throw new Error('“From” must not be after “to”.');
      const end = minDay(lastDay(r.to), today());
      const [p, s, m, l, pr, c] = await Promise.all([
        Promise.all(months.map(async (month) => ({ month, report: await pointsFor(api, `${month}-01`, lastDay(month)) }))),
        salesBy(api, `${r.from}-01`, lastDay(r.to)),
        membersFor(api, r.from, r.to),
        seesLiability ? liabilityNow(api) : Promise.resolve(null),
        productsFor(api, maxDay(`${r.from}-01`, daysBack(end, 366)), end),
        campaignsFor(api, maxDay(`${r.from}-01`, daysBack(end, 92)), end, days),
      ]);
      setPoints(p);
      setSales(s);
      setMembers(m);
      setLiability(l);
      setProducts(pr);
      setCampaigns(c);
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
    return { categories: rows.map((r) => storeLabel(r.key)), series: [{ label: 'paid', values: rows.map((r) => r.paid / 100) }], rows };
  }, [sales]);
  const memberSeries = useMemo(() => {
    const ms = members?.months ?? [];
    return { categories: ms.map((m) => m.month), series: [{ label: 'active', values: ms.map((m) => m.active) }, { label: 'enrolled', values: ms.map((m) => m.enrolled) }] };
  }, [members]);
  const rfm = useMemo(() => {
    const ms = members?.months ?? [];
    const classes = [...new Set(ms.flatMap((m) => Object.keys(m.rfmClasses)))].sort((a, b) => (a === 'unclassified' ? 1 : b === 'unclassified' ? -1 : a.localeCompare(b)));
    return { categories: ms.map((m) => m.month), series: classes.map((c): Series => ({ label: c, values: ms.map((m) => m.rfmClasses[c] ?? 0) })) };
  }, [members]);
  const categoryBars = useMemo(() => {
    const rows = products?.categories.slice(0, 12) ?? [];
    return { categories: rows.map((r) => r.category), series: [{ label: 'revenue', values: rows.map((r) => r.revenue / 100) }], rows };
  }, [products]);
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
            summary={stores.rows.map((r) => `${storeLabel(r.key)} ${money(r.paid, sales.currency)}`).join(', ')} />
          <table data-testid="sales-table">
            <caption>Sales by store, {sales.from} to {sales.to}</caption>
            <thead><tr><th scope="col">Store</th><th scope="col">Receipts</th><th scope="col">Paid</th><th scope="col">Average receipt</th><th scope="col">Discounts</th><th scope="col">Returns</th></tr></thead>
            <tbody>{stores.rows.map((r) => <tr key={r.key ?? ''}><td>{storeLabel(r.key)}</td><td class="num">{fmt(r.receipts)}</td><td class="num">{money(r.paid, sales.currency)}</td><td class="num">{money(r.averageReceipt, sales.currency)}</td><td class="num">{money(r.discounts.total, sales.currency)}</td><td class="num">{fmt(r.returns)}</td></tr>)}</tbody>
          </table>
        </>
      ))}

      <h2>Members over time</h2>
      {members && (
        <CategoryChart testId="chart-members" kind="lines" label="Members active and enrolled per month" categories={memberSeries.categories} series={memberSeries.series}
          summary={(members.months).map((m) => `${m.month}: ${m.active} active, ${m.enrolled} enrolled`).join('; ')} />
      )}

      <h2>Members by RFM class</h2>
      {members && (rfm.series.length === 0 ? <p>No member classed yet.</p> : (
        <CategoryChart testId="chart-rfm" kind="lines" label="Members per RFM class at each month's end" categories={rfm.categories} series={rfm.series}
          summary={rfm.series.map((s) => `${s.label} ${fmt(s.values[s.values.length - 1] ?? 0)}`).join(', ')} />
      ))}

      <section data-testid="products" aria-labelledby="products-h">
        <h2 id="products-h">Top products by members' revenue</h2>
        {products && (products.daysSummarized === 0 ? (
          <p>No day of {products.from} to {products.to} summed yet: the nightly insight job sums each day after it ends.</p>
        ) : (
          <>
            <p>{products.from} to {products.to}, {products.daysSummarized} day(s) summed, the last {products.lastSummarized ?? 'none'}: {fmt(products.total.receipts)} receipts, {money(products.total.revenue, products.currency)}.</p>
            <CategoryChart testId="chart-categories" kind="bars" label={`Revenue by category (${products.currency})`} categories={categoryBars.categories} series={categoryBars.series}
              summary={categoryBars.rows.map((r) => `${r.category} ${money(r.revenue, products.currency)}`).join(', ')} />
            <table data-testid="skus-table">
              <caption>Top SKUs</caption>
              <thead><tr><th scope="col">SKU</th><th scope="col">Revenue</th><th scope="col">Share</th><th scope="col">Quantity</th><th scope="col">Receipts</th></tr></thead>
              <tbody>{products.skus.map((r) => <tr key={r.sku}><td>{r.sku}</td><td class="num">{money(r.revenue, products.currency)}</td><td class="num">{bps(r.shareBps)}</td><td class="num">{fmt(r.quantity)}</td><td class="num">{fmt(r.receipts)}</td></tr>)}</tbody>
            </table>
          </>
        ))}
      </section>

      <section data-testid="campaigns" aria-labelledby="campaigns-h">
        <h2 id="campaigns-h">Coupon and journey results</h2>
        <Form label="Results window" class="row" onSubmit={() => void load(asked)}>
          <Field label="Revenue within days of a send">{(id) => <input id={id} type="number" min={1} max={90} required value={days} onInput={(e) => setDays(Number(e.currentTarget.value))} />}</Field>
          <button type="submit" disabled={busy}>Recount</button>
        </Form>
        {campaigns && (campaigns.campaigns.length === 0 ? <p>No coupon or journey message sent from {campaigns.from} to {campaigns.to}.</p> : (
          <table data-testid="campaigns-table">
            <caption>Sends from {campaigns.from} to {campaigns.to}, revenue within {campaigns.days} days{campaigns.complete ? '' : ' (results still coming in)'}</caption>
            <thead><tr><th scope="col">Kind</th><th scope="col">Campaign or journey</th><th scope="col">Sent</th><th scope="col">Used</th><th scope="col">Receipts</th><th scope="col">Revenue</th><th scope="col">Per send</th></tr></thead>
            <tbody>{campaigns.campaigns.map((c) => (
              <tr key={`${c.kind}:${c.campaignId ?? c.journeyId}:${c.step ?? ''}`}>
                <td>{c.kind}</td><td>{c.campaignId ?? `${c.journeyId} step ${c.step}`}</td><td class="num">{fmt(c.sent)}</td><td class="num">{c.used === null ? '–' : fmt(c.used)}</td>
                <td class="num">{fmt(c.receipts)}</td><td class="num">{money(c.revenue, campaigns.currency)}</td><td class="num">{c.revenuePerSend === null ? '–' : money(c.revenuePerSend, campaigns.currency)}</td>
              </tr>
            ))}</tbody>
          </table>
        ))}
      </section>

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
