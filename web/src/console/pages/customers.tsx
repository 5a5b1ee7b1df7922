/**
 * Customers: look one up (customer id, card, phone or the start of the name), then the profile, points, tier, the
 * balance over time, the ledger with each entry's reason, and the actions the role may take —
 * adjust points, set a staff tier, set the segments the customer is in, export, issue the
 * customer-page key, erase.
 */
import { useEffect, useState } from 'preact/hooks';
import { call } from '../../api/client.ts';
import { TimeChart } from '../../ui/chart.tsx';
import { Field, fieldError, Form, formatDate, newId, Notice, useAction } from '../../ui/kit.tsx';
import { may, type PageProps } from '../pages.ts';

type Customer = Awaited<ReturnType<typeof loadCustomer>>;
type Ledger = Awaited<ReturnType<typeof loadLedger>>;
type Entry = Ledger['entries'][number];

const loadCustomer = (api: PageProps['api'], customerId: string) => call(api.GET('/v1/customers/{customerId}', { params: { path: { customerId } } }));
const loadLedger = (api: PageProps['api'], customerId: string, cursor?: string) =>
  call(api.GET('/v1/customers/{customerId}/ledger', { params: { path: { customerId }, query: { limit: 50, ...(cursor ? { cursor } : {}) } } }));

export function CustomersPage({ api, session, params }: PageProps) {
  const customerId = params[0];
  return (
    <>
      <h1>Customers</h1>
      <Lookup api={api} session={session} />
      {customerId && <CustomerView key={customerId} api={api} session={session} customerId={customerId} />}
    </>
  );
}

type Match = Awaited<ReturnType<typeof searchByName>>['customers'][number];
const searchByName = (api: PageProps['api'], name: string, cursor?: string) =>
  call(api.GET('/v1/customers/search', { params: { query: { name, limit: 20, ...(cursor ? { cursor } : {}) } } }));

/** What a typed value most likely is: a phone starts with +, a card is letters and digits with a digit, anything else a name. */
export const guessKind = (v: string): 'card' | 'phone' | 'name' =>
  /^\+[\d\s().-]+$/.test(v) ? 'phone' : /^[A-Za-z0-9\s-]{4,40}$/.test(v) && /\d/.test(v) ? 'card' : 'name';

function Lookup({ api, session }: Pick<PageProps, 'api' | 'session'>) {
  const [by, setBy] = useState<'any' | 'card' | 'phone' | 'name' | 'customerId'>('any');
  const [value, setValue] = useState('');
  const [matches, setMatches] = useState<{ name: string; list: Match[]; next: string | null } | null>(null);
  const { busy, error, run } = useAction();
  const byName = may(session.role, 'GET /v1/customers/search');
  const open = (customerId: string) => (location.hash = `#/customers/${encodeURIComponent(customerId)}`);
  const submit = () =>
    run(async () => {
      const v = value.trim();
      setMatches(null);
      if (by === 'customerId') return open(v);
      const kind = by === 'any' ? guessKind(v) : by;
      if (kind === 'name') {
        if (!byName) throw new Error('Your role may find customers by card or phone only.');
        const page = await searchByName(api, v);
        if (page.customers.length === 0) throw new Error('No customer’s name starts with this.');
        setMatches({ name: v, list: page.customers, next: page.nextCursor });
        return;
      }
      const found = await call(api.GET('/v1/customers', { params: { query: kind === 'card' ? { card: v } : { phone: v } } }));
      const first = found.customers[0];
      if (!first) throw new Error(`No customer with this ${kind}.`);
      open(first.customerId);
    });
  const more = () =>
    run(async () => {
      if (!matches?.next) return;
      const page = await searchByName(api, matches.name, matches.next);
      setMatches({ ...matches, list: [...matches.list, ...page.customers], next: page.nextCursor });
    });
  const fieldOf = by === 'any' ? (value.trim() ? guessKind(value.trim()) : 'name') : by;
  return (
    <>
      <Form label="Find a customer" onSubmit={submit} class="row">
        <Field label="Find by">
          {(id) => (
            <select id={id} value={by} onChange={(e) => setBy(e.currentTarget.value as typeof by)}>
              <option value="any">{byName ? 'Card, phone or name' : 'Card or phone'}</option>
              <option value="card">Card number</option>
              <option value="phone">Phone</option>
              {byName && <option value="name">Name (its start)</option>}
              <option value="customerId">Customer id</option>
            </select>
          )}
        </Field>
        <Field label="Value" error={fieldError(error, fieldOf)}>
          {(id, d) => <input id={id} aria-describedby={d} required value={value} onInput={(e) => setValue(e.currentTarget.value)} />}
        </Field>
        <button type="submit" disabled={busy}>
          Find
        </button>
        <Notice error={error} />
      </Form>
      {matches && (
        <table data-testid="matches">
          <caption>Customers whose name starts with “{matches.name}”</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">Card</th><th scope="col">Phone</th><th scope="col">Member since</th></tr></thead>
          <tbody>
            {matches.list.map((m) => (
              <tr key={m.customerId}>
                <td><a href={`#/customers/${encodeURIComponent(m.customerId)}`}>{m.name}</a></td>
                <td>{m.card}</td>
                <td>{m.phone ?? ''}</td>
                <td>{formatDate(m.createdAt)}</td>
              </tr>
            ))}
          </tbody>
          {matches.next && (
            <tfoot><tr><td colSpan={4}><button type="button" onClick={more} disabled={busy}>More matches</button></td></tr></tfoot>
          )}
        </table>
      )}
    </>
  );
}

function CustomerView({ api, session, customerId }: Pick<PageProps, 'api' | 'session'> & { customerId: string }) {
  const [customer, setCustomer] = useState<Customer | null>(null);
  const [entries, setEntries] = useState<Entry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const { error, run } = useAction();
  const reload = () =>
    run(async () => {
      const [c, l] = await Promise.all([loadCustomer(api, customerId), loadLedger(api, customerId)]);
      setCustomer(c);
      setEntries(l.entries);
      setCursor(l.nextCursor);
    });
  useEffect(() => void reload(), [customerId]);
  const more = () =>
    run(async () => {
      const l = await loadLedger(api, customerId, cursor ?? undefined);
      setEntries((e) => [...e, ...l.entries]);
      setCursor(l.nextCursor);
    });
  if (!customer) return <Notice error={error} />;
  const role = session.role;
  return (
    <section aria-labelledby="customer-name">
      <h2 id="customer-name">{customer.name ?? customer.customerId}</h2>
      <Notice error={error} />
      <div class="cards">
        <dl class="card" aria-label="Profile">
          <dt>Customer id</dt>
          <dd data-testid="customer-id">{customer.customerId}</dd>
          {customer.card && (<><dt>Card</dt><dd>{customer.card}</dd></>)}
          {customer.phone && (<><dt>Phone</dt><dd>{customer.phone}</dd></>)}
          {customer.email && (<><dt>E-mail</dt><dd>{customer.email}</dd></>)}
          <dt>Member since</dt>
          <dd>{formatDate(customer.createdAt)}</dd>
          {customer.referralCode && (<><dt>Referral code</dt><dd>{customer.referralCode}</dd></>)}
          {customer.segments && customer.segments.length > 0 && (<><dt>Segments</dt><dd>{customer.segments.join(', ')}</dd></>)}
        </dl>
        <dl class="card" aria-label="Points">
          <dt>Available points</dt>
          <dd data-testid="balance">{customer.points.available}</dd>
          <dt>Pending points</dt>
          <dd>{customer.points.pending}</dd>
          <dt>Tier</dt>
          <dd data-testid="tier">{customer.tier ? `${customer.tier.name} (${customer.tier.assignedBy === 'staff' ? 'set by staff' : 'by the program'})` : 'none'}</dd>
          <dt>Spent in all</dt>
          <dd>{customer.cumulativePaid}</dd>
        </dl>
      </div>
      {customer.points.expiring.length > 0 && (
        <table>
          <caption>Points that expire</caption>
          <thead><tr><th scope="col">On</th><th scope="col">Points</th></tr></thead>
          <tbody>{customer.points.expiring.map((x) => <tr key={x.on}><td>{x.on}</td><td>{x.points}</td></tr>)}</tbody>
        </table>
      )}
      <TimeChart
        label="Balance over time"
        seriesLabel="points"
        summary={entries.length ? `${entries.length} ledger entries; now ${customer.points.available} points` : 'no entries yet'}
        points={entries.map((e) => ({ at: e.at, value: e.balanceAfter }))}
      />
      <div class="cards">
        {may(role, 'POST /v1/customers/{customerId}/adjustments') && <Adjust api={api} customerId={customerId} onDone={reload} />}
        {may(role, 'PUT /v1/customers/{customerId}/tier') && <Tier api={api} customerId={customerId} onDone={reload} />}
        {may(role, 'PUT /v1/customers/{customerId}/segments') && <Segments api={api} customerId={customerId} current={customer.segments} onDone={reload} />}
        {(may(role, 'GET /v1/customers/{customerId}/export') || may(role, 'POST /v1/customers/{customerId}/app-key') || may(role, 'POST /v1/customers/{customerId}/erase')) && (
          <Privacy api={api} session={session} customerId={customerId} onErased={() => (location.hash = '#/customers')} />
        )}
      </div>
      <table data-testid="ledger">
        <caption>Ledger, newest first</caption>
        <thead>
          <tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Points</th><th scope="col">Balance after</th><th scope="col">Reason or source</th></tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.seq}>
              <td>{formatDate(e.at)}</td>
              <td>{e.kind.replace('_', ' ')}</td>
              <td class="num">{e.points > 0 ? `+${e.points}` : e.points}{e.pendingPoints ? ` (${e.pendingPoints} pending)` : ''}</td>
              <td class="num">{e.balanceAfter}</td>
              <td>{sourceText(e.source)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {cursor && (
        <button type="button" class="secondary" onClick={() => void more()}>
          Older entries
        </button>
      )}
    </section>
  );
}

function sourceText(s: Entry['source']): string {
  const parts = [s.reason, s.receiptId && `receipt ${s.receiptId}`, s.returnId && `return ${s.returnId}`, s.storeId && `store ${s.storeId}`, s.importId && `import ${s.importId}`, s.actor && `by ${s.actor}`];
  return parts.filter(Boolean).join(' · ');
}

function Adjust({ api, customerId, onDone }: { api: PageProps['api']; customerId: string; onDone: () => void }) {
  const [points, setPoints] = useState('');
  const [reason, setReason] = useState('');
  // One id per intended adjustment: a retried submit of the same form is the same adjustment.
  const [adjustmentId, setAdjustmentId] = useState(() => newId('web'));
  const { busy, error, run } = useAction();
  const [done, setDone] = useState<string | null>(null);
  const submit = () =>
    run(async () => {
      const r = await call(api.POST('/v1/customers/{customerId}/adjustments', { params: { path: { customerId } }, body: { adjustmentId, points: Number(points), reason } }));
      setDone(`Adjusted by ${points}; balance now ${r.balance.after}.`);
      setPoints('');
      setReason('');
      setAdjustmentId(newId('web'));
      onDone();
    });
  return (
    <Form label="Adjust points" onSubmit={submit} class="card stack">
      <h3>Adjust points</h3>
      <Field label="Points (negative to take away)" error={fieldError(error, 'points')}>
        {(id, d) => <input id={id} aria-describedby={d} type="number" step={1} required value={points} onInput={(e) => setPoints(e.currentTarget.value)} />}
      </Field>
      <Field label="Reason" error={fieldError(error, 'reason')}>
        {(id, d) => <input id={id} aria-describedby={d} required minLength={3} maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />}
      </Field>
      <button type="submit" disabled={busy}>Adjust</button>
      <Notice error={error && !fieldError(error, 'points') && !fieldError(error, 'reason') ? error : null} ok={done} />
    </Form>
  );
}

function Tier({ api, customerId, onDone }: { api: PageProps['api']; customerId: string; onDone: () => void }) {
  const [tierId, setTierId] = useState('');
  const [reason, setReason] = useState('');
  const { busy, error, run } = useAction();
  const [done, setDone] = useState<string | null>(null);
  const submit = () =>
    run(async () => {
      await call(api.PUT('/v1/customers/{customerId}/tier', { params: { path: { customerId } }, body: { tierId: tierId.trim() || null, reason } }));
      setDone(tierId.trim() ? `Tier set to ${tierId}.` : 'Staff tier cleared.');
      onDone();
    });
  return (
    <Form label="Staff tier" onSubmit={submit} class="card stack">
      <h3>Staff tier</h3>
      <Field label="Tier id (empty clears it)" error={fieldError(error, 'tierId')}>
        {(id, d) => <input id={id} aria-describedby={d} value={tierId} onInput={(e) => setTierId(e.currentTarget.value)} />}
      </Field>
      <Field label="Reason" error={fieldError(error, 'reason')}>
        {(id, d) => <input id={id} aria-describedby={d} required minLength={3} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />}
      </Field>
      <button type="submit" disabled={busy}>Set tier</button>
      <Notice error={error && !fieldError(error, 'tierId') && !fieldError(error, 'reason') ? error : null} ok={done} />
    </Form>
  );
}

function Segments({ api, customerId, current, onDone }: { api: PageProps['api']; customerId: string; current: readonly string[]; onDone: () => void }) {
  const [text, setText] = useState(current.join(', '));
  const { busy, error, run } = useAction();
  const submit = () =>
    run(async () => {
      const segments = text.split(',').map((s) => s.trim()).filter(Boolean);
      await call(api.PUT('/v1/customers/{customerId}/segments', { params: { path: { customerId } }, body: { segments } }));
      onDone();
    });
  return (
    <Form label="Segments" onSubmit={submit} class="card stack">
      <h3>Segments</h3>
      <Field label="Segments (comma-separated)" hint="replaces the list; rules and coupons can target segments" error={error && (error as { field?: string }).field?.startsWith('segments') ? (error as Error).message : undefined}>
        {(id, d) => <input id={id} aria-describedby={d} value={text} onInput={(e) => setText(e.currentTarget.value)} />}
      </Field>
      <button type="submit" disabled={busy}>Save segments</button>
      <Notice error={error} />
    </Form>
  );
}

function Privacy({ api, session, customerId, onErased }: Pick<PageProps, 'api' | 'session'> & { customerId: string; onErased: () => void }) {
  const { busy, error, run } = useAction();
  const [link, setLink] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const exportAll = () =>
    run(async () => {
      const pages: unknown[] = [];
      let cursor: string | undefined;
      do {
        const page = await call(api.GET('/v1/customers/{customerId}/export', { params: { path: { customerId }, query: cursor ? { cursor } : {} } }));
        pages.push(page);
        cursor = page.next ?? undefined;
      } while (cursor);
      const a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([JSON.stringify(pages, null, 2)], { type: 'application/json' }));
      a.download = `customer-${customerId}.json`;
      a.click();
      URL.revokeObjectURL(a.href);
    });
  const appKey = () =>
    run(async () => {
      const r = await call(api.POST('/v1/customers/{customerId}/app-key', { params: { path: { customerId } } }));
      // The key travels in the fragment: never sent to a server or written to its logs.
      setLink(`${location.origin}/me.html#key=${encodeURIComponent(r.key)}`);
    });
  const [sent, setSent] = useState<string | null>(null);
  const sendLink = (channel: 'sms' | 'email') =>
    run(async () => {
      const r = await call(api.POST('/v1/customers/{customerId}/link', { params: { path: { customerId } }, body: { channel } }));
      setSent(`A one-time link went by ${r.channel === 'sms' ? 'SMS' : 'e-mail'} to ${r.to}; it works once, until ${formatDate(r.expiresAt)}.`);
    });
  const erase = () =>
    run(async () => {
      if (!confirm('Erase this customer’s personal data? The books keep the amounts; this cannot be undone.')) return;
      await call(api.POST('/v1/customers/{customerId}/erase', { params: { path: { customerId } }, body: { reason } }));
      onErased();
    });
  const role = session.role;
  return (
    <div class="card stack">
      <h3>Privacy and app</h3>
      {may(role, 'GET /v1/customers/{customerId}/export') && (
        <button type="button" class="secondary" disabled={busy} onClick={() => void exportAll()}>Export everything held (JSON)</button>
      )}
      {may(role, 'POST /v1/customers/{customerId}/app-key') && (
        <button type="button" class="secondary" disabled={busy} onClick={() => void appKey()}>Customer page link</button>
      )}
      {may(role, 'POST /v1/customers/{customerId}/link') && (
        <div class="row">
          <button type="button" class="secondary" disabled={busy} onClick={() => void sendLink('sms')}>Send sign-in link by SMS</button>
          <button type="button" class="secondary" disabled={busy} onClick={() => void sendLink('email')}>Send sign-in link by e-mail</button>
        </div>
      )}
      {sent && <p class="notice ok" role="status" data-testid="link-sent">{sent}</p>}
      {link && (
        <p class="notice ok">
          Shown once — give it to the customer: <a href={link} data-testid="customer-link">{link}</a>
        </p>
      )}
      {may(role, 'POST /v1/customers/{customerId}/erase') && (
        <Form label="Erase customer" onSubmit={() => void erase()}>
          <Field label="Reason for erasure" error={fieldError(error, 'reason')}>
            {(id, d) => <input id={id} aria-describedby={d} required minLength={3} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />}
          </Field>
          <button type="submit" class="danger" disabled={busy}>Erase</button>
        </Form>
      )}
      <Notice error={error} />
    </div>
  );
}
