import { useEffect, useState } from 'react';
import { completeCognitoSignIn } from '../auth/cognito';
import { navigate } from '../router';
import type { PageProps } from '../routes';

/** Where Cognito's managed login returns with the authorization code. */
export default function AuthCallback({ query }: PageProps) {
  const [error, setError] = useState<string>();
  useEffect(() => {
    completeCognitoSignIn(query).then(
      (next) => navigate(next, { replace: true }),
      (e: unknown) => setError(e instanceof Error ? e.message : 'The sign-in failed.'),
    );
    // The code is single-use: exchange it once.
  }, []);
  return (
    <section>
      <h1>Signing in</h1>
      {error ? <p role="alert">{error}</p> : <p role="status">Completing the sign-in…</p>}
    </section>
  );
}
