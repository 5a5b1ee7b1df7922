/**
 * The customer page: the customer's own points, pending points, what expires when, level,
 * referral code and history, in their language. It signs in with the customer's app key
 * (POST /v1/customers/{id}/app-key, handed over as a link whose fragment holds the key, so
 * the key never reaches a server log); the key is kept on the device until "forget me".
 * Kept apart from the console so it stays small: Preact, the API client and the words.
 */
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { apiClient, call } from '../api/client.ts';
import { languages, pickLanguage, rtl, words, type Lang } from './i18n.ts';
import '../ui/style.css';

const KEY = 'tally.appKey';
const LANG = 'tally.lang';

function takeKeyFromLink(): string | null {
  const q = new URLSearchParams(location.hash.slice(1));
  const key = q.get('key');
  if (key) {
    localStorage.setItem(KEY, key);
    q.delete('key');
    history.replaceState(null, '', `${location.pathname}${location.search}${q.size ? `#${q}` : ''}`);
  }
  return localStorage.getItem(KEY);
}

/** A one-time link (`?link=…`, sent by SMS or e-mail): taken out of the address at once, exchanged once for the key. */
function takeOneTimeLink(): string | null {
  const q = new URLSearchParams(location.search);
  const token = q.get('link');
  if (!token) return null;
  q.delete('link');
  history.replaceState(null, '', `${location.pathname}${q.size ? `?${q}` : ''}${location.hash}`);
  return token;
}

function Page() {
  const [key, setKey] = useState(takeKeyFromLink);
  const [link] = useState(takeOneTimeLink);
  const [linkProblem, setLinkProblem] = useState<'linkUsed' | 'linkExpired' | 'linkInvalid' | null>(null);
  const [asked, setAsked] = useState(false);
  const [phone, setPhone] = useState('');
  const tenant = new URLSearchParams(location.search).get('tenant');
  const api = useMemo(() => apiClient(() => key), [key]);
  const [me, setMe] = useState<Awaited<ReturnType<typeof loadMe>> | null>(null);
  const [ledger, setLedger] = useState<Awaited<ReturnType<typeof loadLedger>>['entries']>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [coupons, setCoupons] = useState<Awaited<ReturnType<typeof loadCoupons>> | null>(null);
  const [stamps, setStamps] = useState<Awaited<ReturnType<typeof loadStamps>> | null>(null);
  const loadCoupons = (c?: string) => call(api.GET('/v1/me/coupons', { params: { query: { limit: 20, ...(c ? { cursor: c } : {}) } } }));
  const loadStamps = () => call(api.GET('/v1/me/stamps'));
  const loadMe = () => call(api.GET('/v1/me'));
  const loadLedger = (c?: string) => call(api.GET('/v1/me/ledger', { params: { query: { limit: 20, ...(c ? { cursor: c } : {}) } } }));
  const [lang, setLang] = useState<Lang>(pickLanguage(new URLSearchParams(location.search).get('lang'), localStorage.getItem(LANG), navigator.language));

  useEffect(() => {
    if (!link) return;
    call(api.POST('/v1/links/exchange', { body: { token: link } }))
      .then((s) => {
        localStorage.setItem(KEY, s.key);
        setKey(s.key);
      })
      .catch((e: { code?: string }) => setLinkProblem(e.code === 'link_used' ? 'linkUsed' : e.code === 'link_expired' ? 'linkExpired' : 'linkInvalid'));
  }, [link]);
  const askForLink = (e: Event) => {
    e.preventDefault();
    if (!tenant) return;
    void call(api.POST('/v1/links', { body: { tenantId: tenant, phone } })).then(() => setAsked(true), (err: Error) => setFailed(err.message));
  };
  useEffect(() => {
    if (!key) return;
    Promise.all([loadMe(), loadLedger(), loadCoupons(), loadStamps()])
      .then(([m, l, cp, st]) => {
        setCoupons(cp);
        setStamps(st);
        setMe(m);
        setLedger(l.entries);
        setCursor(l.nextCursor);
        // The customer's own language wins unless they chose one here.
        if (!new URLSearchParams(location.search).get('lang') && !localStorage.getItem(LANG)) setLang(pickLanguage(m.locale, navigator.language));
      })
      .catch((e: Error) => setFailed(e.message));
  }, [key]);
  useEffect(() => {
    document.documentElement.lang = lang;
    document.documentElement.dir = rtl.has(lang) ? 'rtl' : 'ltr';
    document.title = words[lang].title;
  }, [lang]);

  const w = words[lang];
  const fill = (text: string, a: string, b = '') => text.replace('{n}', a).replace('{m}', b);
  const n = (x: number) => new Intl.NumberFormat(lang).format(x);
  const d = (iso: string) => new Intl.DateTimeFormat(lang, { dateStyle: 'medium' }).format(new Date(iso));
  const choose = (l: Lang) => {
    localStorage.setItem(LANG, l);
    setLang(l);
  };
  return (
    <main id="main" class="me">
      <header class="row">
        <h1>{w.title}</h1>
        <label>
          {w.language}{' '}
          <select value={lang} onChange={(e) => choose(e.currentTarget.value as Lang)}>
            {(Object.keys(languages) as Lang[]).map((l) => <option key={l} value={l} lang={l}>{languages[l]}</option>)}
          </select>
        </label>
      </header>
      {linkProblem && <p role="alert" class="notice error" data-testid="link-problem">{w[linkProblem]}</p>}
      {!key ? (
        <>
          {!link && !linkProblem && <p>{w.noKey}</p>}
          {tenant && (asked ? <p role="status">{w.linkSent}</p> : (
            <form class="row" aria-label={w.askLink} onSubmit={askForLink}>
              <label>{w.phone} <input type="tel" dir="ltr" autocomplete="tel" required value={phone} onInput={(e) => setPhone(e.currentTarget.value)} /></label>
              <button type="submit">{w.send}</button>
            </form>
          ))}
          {failed && <p role="alert" class="notice error">{failed}</p>}
        </>
      ) : failed ? <p role="alert" class="notice error">{failed}</p> : !me ? <p role="status">{w.loading}</p> : (
        <>
          {me.name && <p class="hello">{me.name}</p>}
          <dl class="card big">
            <dt>{w.points}</dt>
            <dd data-testid="points">{n(me.points.available)}</dd>
            <dt>{w.pending}</dt>
            <dd>{n(me.points.pending)} <small>({w.pendingHint})</small></dd>
            <dt>{w.tier}</dt>
            <dd>{me.tier?.name ?? w.noTier}</dd>
          </dl>
          <section aria-labelledby="exp">
            <h2 id="exp">{w.expiring}</h2>
            {me.points.expiring.length === 0 ? <p>{w.nothingExpires}</p> : (
              <table>
                <thead><tr><th scope="col">{w.on}</th><th scope="col">{w.change}</th></tr></thead>
                <tbody>{me.points.expiring.map((x) => <tr key={x.on}><td>{d(x.on)}</td><td class="num">{n(x.points)}</td></tr>)}</tbody>
              </table>
            )}
          </section>
          <section aria-labelledby="cpn">
            <h2 id="cpn">{w.coupons}</h2>
            {!coupons || coupons.coupons.length === 0 ? <p>{w.noCoupons}</p> : (
              <table data-testid="coupons">
                <thead><tr><th scope="col">{w.code}</th><th scope="col">{w.gives}</th><th scope="col">{w.state}</th></tr></thead>
                <tbody>
                  {coupons.coupons.map((c) => (
                    <tr key={c.code}>
                      <td><code dir="ltr">{c.code}</code><br /><small>{c.name}</small></td>
                      <td>{!c.reward ? '' : c.reward.type === 'percent' ? fill(w.percentOff, n(c.reward.bps / 100)) : c.reward.type === 'amount' ? fill(w.amountOff, n(c.reward.amount / 100)) : fill(w.pointsGift, n(c.reward.points))}</td>
                      <td>{c.status === 'used' ? w.used : c.usable ? w.usable : w.notNow}{c.usable && c.validTo ? ` (${w.until} ${d(c.validTo)})` : ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {coupons?.nextCursor && <button type="button" class="secondary" onClick={() => void loadCoupons(coupons.nextCursor!).then((p) => setCoupons({ ...p, coupons: [...coupons.coupons, ...p.coupons] }))}>{w.more}</button>}
          </section>
          <section aria-labelledby="stm">
            <h2 id="stm">{w.stampCards}</h2>
            {!stamps || stamps.stampCards.length === 0 ? <p>{w.noStampCards}</p> : (
              <ul class="stamps" data-testid="stamp-cards">
                {stamps.stampCards.map((s) => (
                  <li key={s.ruleId}>
                    <label>{s.name}{' '}
                      <progress max={s.of} value={s.stamps ?? s.items ?? 0}>{fill(w.stampsOf, n(s.stamps ?? s.items ?? 0), n(s.of))}</progress>
                    </label>{' '}
                    <span>{fill(w.stampsOf, n(s.stamps ?? s.items ?? 0), n(s.of))}</span>
                  </li>
                ))}
              </ul>
            )}
            {stamps && stamps.rewards.length > 0 && (
              <>
                <h3>{w.rewardsWaiting}</h3>
                <ul>{stamps.rewards.map((r) => <li key={r.rewardId}>{r.name}{r.gift ? ` — ${r.gift}` : ''}{r.discountBps ? ` (${fill(w.percentOff, n(r.discountBps / 100))})` : ''}{r.count > 1 ? ` ×${n(r.count)}` : ''}</li>)}</ul>
              </>
            )}
          </section>
          {me.referralCode && (
            <section aria-labelledby="ref">
              <h2 id="ref">{w.referral}</h2>
              <p><code dir="ltr">{me.referralCode}</code> — {w.referralHint}</p>
            </section>
          )}
          <section aria-labelledby="hist">
            <h2 id="hist">{w.history}</h2>
            <table>
              <thead><tr><th scope="col">{w.when}</th><th scope="col">{w.what}</th><th scope="col">{w.change}</th><th scope="col">{w.balance}</th></tr></thead>
              <tbody>
                {ledger.map((e) => (
                  <tr key={e.seq}>
                    <td>{d(e.at)}</td>
                    <td>{w.kinds[e.kind]}</td>
                    <td class="num" dir="ltr">{e.points > 0 ? '+' : ''}{n(e.points)}</td>
                    <td class="num">{n(e.balanceAfter)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {cursor && <button type="button" class="secondary" onClick={() => void loadLedger(cursor).then((l) => (setLedger((x) => [...x, ...l.entries]), setCursor(l.nextCursor)))}>{w.more}</button>}
          </section>
          <button type="button" class="link" onClick={() => (localStorage.removeItem(KEY), setKey(null), setMe(null))}>{w.signOut}</button>
        </>
      )}
    </main>
  );
}

render(<Page />, document.getElementById('app')!);
