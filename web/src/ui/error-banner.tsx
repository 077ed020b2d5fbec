import { ApiError } from '../api/client';
import { Link } from '../router';

/** A failure said in words, with what to do next (role="alert": screen readers announce it). */
export function ErrorBanner({ error }: { error: unknown }) {
  if (error === undefined || error === null) return null;
  const human = error instanceof ApiError ? error.human : undefined;
  const message = human?.message ?? (error instanceof Error ? error.message : 'Something went wrong.');
  return (
    <div role="alert" className="banner banner-error">
      <p>{message}</p>
      {human?.action && <p>{human.action}</p>}
      {human?.canRequestAccess && (
        <p>
          <Link to="/access">Request access</Link>
        </p>
      )}
    </div>
  );
}

export function Notice({ children }: { children: React.ReactNode }) {
  return (
    <div role="status" className="banner banner-ok">
      {children}
    </div>
  );
}
