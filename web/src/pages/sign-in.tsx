import { lazy, Suspense } from 'react';
import { startCognitoSignIn } from '../auth/cognito';
import { config } from '../config';
import { safeNext } from '../lib/oauth';
import type { PageProps } from '../routes';

// Compiled out of the AWS build (HILUM_LOCAL_SIGN_IN is false there, vite.config.ts).
const LocalSignIn = HILUM_LOCAL_SIGN_IN ? lazy(() => import('../auth/local-sign-in')) : undefined;

export default function SignIn({ query }: PageProps) {
  const next = safeNext(query.get('next'));
  const local = config().mode === 'local';
  return (
    <section className="narrow">
      <h1>Sign in</h1>
      {query.get('next') && <p role="status">Sign in to continue to the page you were on.</p>}
      {local && LocalSignIn ? (
        <Suspense fallback={<p role="status">Loading…</p>}>
          <LocalSignIn next={next} />
        </Suspense>
      ) : config().cognito ? (
        <button type="button" className="primary" onClick={() => void startCognitoSignIn(next)}>
          Sign in with your institution account
        </button>
      ) : (
        <p role="alert">This deployment has no sign-in configured.</p>
      )}
    </section>
  );
}
