import { Suspense, useEffect, useSyncExternalStore } from 'react';
import { config } from './config';
import { currentSession, endSession, liveSession, onSessionChange } from './auth/session';
import { matchPath } from './lib/route-match';
import { mayOpen, rolesOf } from './lib/roles';
import { Link, navigate, useLocation } from './router';
import { ROUTES } from './routes';

/** The frame of every page: skip link, navigation by role, who is signed in, and the page itself. */

function useSession() {
  // The stored token string is the snapshot: equal strings, no re-render.
  const token = useSyncExternalStore(onSessionChange, () => currentSession()?.idToken ?? '');
  return token ? liveSession() : undefined;
}

export function Shell() {
  const { path, query } = useLocation();
  const session = useSession();
  const found = ROUTES.map((route) => ({ route, params: matchPath(route.path, path) })).find((m) => m.params);
  const needsSession = found && found.route.roles !== 'public';

  useEffect(() => {
    document.title = `${found?.route.title ?? 'Not found'} · hilum`;
  }, [found]);
  useEffect(() => {
    if (needsSession && !session)
      navigate(`/sign-in?next=${encodeURIComponent(`${path}${query.size ? `?${query}` : ''}`)}`, { replace: true });
  }, [needsSession, session, path, query]);

  const groups = session?.groups ?? [];
  const nav = ROUTES.filter((r) => r.nav && r.roles !== 'public' && session && mayOpen(r.roles, groups));
  let body;
  if (!found) body = <NotFound />;
  else if (needsSession && !session) body = <p>Going to sign-in…</p>;
  else if (found.route.roles !== 'public' && found.route.roles !== 'signed-in' && !mayOpen(found.route.roles, groups))
    body = <Forbidden roles={found.route.roles} />;
  else {
    const Page = found.route.page;
    body = (
      <Suspense fallback={<p role="status">Loading…</p>}>
        <Page params={found.params!} query={query} />
      </Suspense>
    );
  }

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link to="/" className="brand">
          hilum
        </Link>
        {nav.length > 0 && (
          <nav aria-label="Main">
            <ul>
              {nav.map((r) => (
                <li key={r.path}>
                  <Link to={r.path} aria-current={matchPath(r.path, path) ? 'page' : undefined}>
                    {r.nav}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
        )}
        {session && (
          <div className="who">
            <span>
              {session.username} ({rolesOf(session.groups).join(', ') || 'no role'}){config().mode === 'local' ? ' · local' : ''}
            </span>
            <button
              type="button"
              onClick={() => {
                endSession();
                navigate('/sign-in');
              }}
            >
              Sign out
            </button>
          </div>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        {body}
      </main>
    </>
  );
}

function NotFound() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        There is no page here. <Link to="/">Go to the start page</Link>.
      </p>
    </section>
  );
}

function Forbidden({ roles }: { roles: readonly string[] }) {
  return (
    <section>
      <h1>Not available to your roles</h1>
      <p role="alert">
        This page is for: {roles.join(', ')}. Ask an administrator of the commons for one of these roles; data itself is requested under{' '}
        <Link to="/access">Access requests</Link>.
      </p>
    </section>
  );
}
