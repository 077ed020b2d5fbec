import { useState, type FormEvent } from 'react';
import { config } from '../config';
import { navigate } from '../router';
import { ErrorBanner } from '../ui/error-banner';
import { TextField } from '../ui/form';
import { startSession } from './session';

/**
 * Local mode only (never in the AWS build): pick a role, and the local commons signs a
 * token for it (`POST /local/token`, a route of the local server alone). The commons
 * answers only with the sign-in key it printed in the portal's URL (`#local-key=`), which
 * main.tsx keeps in this browser's localStorage: another user of the machine cannot mint
 * tokens without reading this user's terminal.
 */

export const LOCAL_KEY_STORAGE = 'hilum.localSignInKey';

const ROLES = [
  { value: 'researcher', label: 'Researcher: explore, cohorts, downloads, access requests' },
  { value: 'site-uploader', label: 'Site uploader: submissions of one site' },
  { value: 'curator', label: 'Curator: quarantine, projects, releases' },
  { value: 'dac', label: 'Data access committee: access requests' },
  { value: 'admin', label: 'Administrator: audit log, grants' },
  { value: 'evaluator', label: 'Evaluator: model evaluations on sequestered cases (aggregate reports only)' },
  { value: 'linker', label: 'Linker (honest broker): record linkage through the API' },
] as const;

export default function LocalSignIn({ next }: { next: string }) {
  const [role, setRole] = useState<string>('researcher');
  const [site, setSite] = useState('demo-site');
  const [username, setUsername] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const group = role === 'site-uploader' ? `site-uploader:${site.trim()}` : role;
      const response = await fetch(`${config().apiUrl}/local/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hilum-local-key': localStorage.getItem(LOCAL_KEY_STORAGE) ?? '' },
        body: JSON.stringify({ groups: [group], ...(username.trim() ? { username: username.trim() } : {}) }),
      });
      const body = (await response.json().catch(() => ({}))) as { token?: string; message?: string };
      if (!response.ok || !body.token) throw new Error(body.message ?? `The commons refused the sign-in (${response.status}).`);
      startSession(body.token);
      navigate(next, { replace: true });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} aria-describedby="local-sign-in-note">
      <p id="local-sign-in-note">Local commons: choose who you are. The commons signs a token for that role.</p>
      <fieldset>
        <legend>Role</legend>
        {ROLES.map((r) => (
          <div key={r.value} className="checkbox">
            <input
              id={`role-${r.value}`}
              type="radio"
              name="role"
              value={r.value}
              checked={role === r.value}
              onChange={() => setRole(r.value)}
            />
            <label htmlFor={`role-${r.value}`}>{r.label}</label>
          </div>
        ))}
      </fieldset>
      {role === 'site-uploader' && (
        <TextField label="Site" value={site} onChange={(e) => setSite(e.currentTarget.value)} required pattern="[A-Za-z0-9._-]+" />
      )}
      <TextField
        label="User name (optional)"
        hint="Defaults to local-<role>. Each name is its own researcher: cohorts and requests are per user."
        value={username}
        onChange={(e) => setUsername(e.currentTarget.value)}
        pattern="[A-Za-z0-9._@-]+"
      />
      <ErrorBanner error={error} />
      <button type="submit" className="primary" disabled={busy}>
        Sign in
      </button>
    </form>
  );
}
