import { liveSession } from '../auth/session';
import { mayOpen } from '../lib/roles';
import { Link } from '../router';
import { ROUTES } from '../routes';

/** The start page: what this person can do here, one link per page their roles open. */
export default function Home() {
  const groups = liveSession()?.groups ?? [];
  const pages = ROUTES.filter((r) => r.nav && r.roles !== 'public' && mayOpen(r.roles, groups));
  return (
    <section>
      <h1>hilum data commons</h1>
      <p>De-identified medical images, contributed by sites, checked, and published for research.</p>
      <h2>What you can do</h2>
      <ul>
        {pages.map((r) => (
          <li key={r.path}>
            <Link to={r.path}>{r.title}</Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
