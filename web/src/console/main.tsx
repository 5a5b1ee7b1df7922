/** The staff console: sign-in, the pages the signed-in role may use, and a hash router. */
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { apiClient } from '../api/client.ts';
import { Notice } from '../ui/kit.tsx';
import { currentSession, finishSignIn, loadConfig, signOut, startSignIn, type Session, type SignInConfig } from './auth.ts';
import { pagesFor } from './pages.ts';
import '../ui/style.css';

const routeOf = () => location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);

function App() {
  const [cfg, setCfg] = useState<SignInConfig | null>(null);
  const [session, setSession] = useState<Session | null>(currentSession());
  const [error, setError] = useState<unknown>(null);
  const [route, setRoute] = useState(routeOf());

  useEffect(() => {
    loadConfig()
      .then(async (c) => {
        setCfg(c);
        const s = await finishSignIn(c);
        if (s) {
          setSession(s);
          setRoute(routeOf());
        }
      })
      .catch(setError);
    const onHash = () => setRoute(routeOf());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  const api = useMemo(() => apiClient(() => session?.token ?? null, () => setSession(currentSession())), [session]);

  const pages = session ? pagesFor(session.role) : [];
  const page = pages.find((p) => p.id === route[0]) ?? pages[0];
  useEffect(() => {
    document.title = page ? `${page.title} · Tally` : 'Tally console';
  }, [page]);

  if (!session) {
    return (
      <main id="main" class="signin">
        <h1>Tally console</h1>
        <p>Staff sign in to look customers up, run the program and its campaigns.</p>
        <Notice error={error} />
        <button type="button" disabled={!cfg} onClick={() => cfg && void startSignIn(cfg).catch(setError)}>
          Sign in
        </button>
      </main>
    );
  }

  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header class="bar">
        <strong>Tally</strong>
        <nav aria-label="Pages">
          <ul>
            {pages.map((p) => (
              <li key={p.id}>
                <a href={`#/${p.id}`} aria-current={p === page ? 'page' : undefined}>
                  {p.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="who" data-testid="who">
          {session.user} · {session.role} · {session.tenant}
        </span>
        <button type="button" class="secondary" onClick={() => signOut(cfg)}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {page ? <page.component key={page.id} api={api} session={session} params={route.slice(1)} /> : <p>This role has no pages.</p>}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
