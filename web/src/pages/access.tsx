import { useState, type FormEvent } from 'react';
import { CURRENT_DUA_VERSION } from '../../../layers/access/requests';
import { api } from '../api/client';
import { formatTime, relativeTime } from '../lib/format';
import type { PageProps } from '../routes';
import { DataTable } from '../ui/data-table';
import { ErrorBanner, Notice } from '../ui/error-banner';
import { SelectField, TextArea, TextField } from '../ui/form';
import { useLoad } from '../ui/use-api';

/** A researcher's access: ask for a restricted project or a cohort, follow each request, see own grants and their expiry. */

interface AccessRequest {
  readonly requestId: string;
  readonly project?: string;
  readonly cohortId?: string;
  readonly status: 'pending' | 'approved' | 'denied';
  readonly createdAt: string;
  readonly reason?: string;
  readonly expiresAt?: string;
}
interface Grant {
  readonly grantId?: string;
  readonly project?: string;
  readonly cohortId?: string;
  readonly grantedAt: string;
  readonly expiresAt?: string;
}
interface Project {
  readonly projectId: string;
  readonly name: string;
  readonly availability: string;
}

// The API refuses any other version: the one agreement the deployment asks researchers to accept.
const DUA_VERSION = CURRENT_DUA_VERSION;

export default function Access({ query }: PageProps) {
  const requests = useLoad((signal) => api.get<{ requests: AccessRequest[] }>('/access-requests', { signal }), []);
  const grants = useLoad((signal) => api.get<{ grants: Grant[] }>('/grants', { signal }), []);
  const projects = useLoad((signal) => api.get<{ projects: Project[] }>('/projects', { signal }), []);
  const restricted = (projects.value?.projects ?? []).filter((p) => p.availability === 'restricted');
  const now = Date.now();
  return (
    <section>
      <h1>Access requests and grants</h1>
      <RequestForm
        restricted={restricted}
        cohortId={query.get('cohort') ?? undefined}
        onSent={() => {
          requests.reload();
        }}
      />
      <ErrorBanner error={requests.error ?? grants.error} />
      <DataTable
        caption="My access requests"
        rows={requests.value?.requests ?? []}
        rowKey={(r) => r.requestId}
        empty="You have made no request."
        columns={[
          {
            key: 'what',
            header: 'For',
            cell: (r) => (r.project ? `project ${r.project}` : `cohort ${r.cohortId}`),
            sortValue: (r) => r.project ?? r.cohortId,
          },
          { key: 'status', header: 'State', cell: (r) => r.status, sortValue: (r) => r.status },
          { key: 'created', header: 'Asked', cell: (r) => formatTime(r.createdAt), sortValue: (r) => r.createdAt },
          { key: 'reason', header: 'Decision', cell: (r) => r.reason ?? '—' },
          { key: 'expires', header: 'Grant expires', cell: (r) => (r.expiresAt ? formatTime(r.expiresAt) : '—') },
        ]}
      />
      <DataTable
        caption="My grants"
        rows={grants.value?.grants ?? []}
        rowKey={(g) => g.grantId ?? `${g.project}-${g.cohortId}-${g.grantedAt}`}
        empty="You hold no grant: you see open projects only."
        columns={[
          {
            key: 'what',
            header: 'For',
            cell: (g) => (g.project ? `project ${g.project}` : `cohort ${g.cohortId}`),
            sortValue: (g) => g.project ?? g.cohortId,
          },
          { key: 'granted', header: 'Granted', cell: (g) => formatTime(g.grantedAt), sortValue: (g) => g.grantedAt },
          {
            key: 'expires',
            header: 'Expires',
            cell: (g) => (g.expiresAt ? `${formatTime(g.expiresAt)} (${relativeTime(g.expiresAt, now)})` : 'never'),
            sortValue: (g) => g.expiresAt,
          },
        ]}
      />
    </section>
  );
}

function RequestForm({
  restricted,
  cohortId,
  onSent,
}: {
  restricted: readonly Project[];
  cohortId?: string | undefined;
  onSent: () => void;
}) {
  const [target, setTarget] = useState(cohortId ? `cohort:${cohortId}` : '');
  const [purpose, setPurpose] = useState('');
  const [dua, setDua] = useState(false);
  const [error, setError] = useState<unknown>();
  const [sent, setSent] = useState(false);
  const options = [
    { value: '', label: 'Choose a project or cohort' },
    ...restricted.map((p) => ({ value: `project:${p.projectId}`, label: `Project ${p.name} (${p.projectId})` })),
    ...(cohortId ? [{ value: `cohort:${cohortId}`, label: `Cohort ${cohortId}` }] : []),
  ];
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setSent(false);
    const [kind, id] = target.split(/:(.*)/s) as [string, string];
    try {
      await api.post('/access-requests', {
        ...(kind === 'project' ? { project: id } : { cohortId: id }),
        purpose: purpose.trim(),
        duaVersion: DUA_VERSION,
        duaAccepted: dua,
      });
      setSent(true);
      setPurpose('');
      onSent();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} className="narrow">
      <h2>Request access</h2>
      <SelectField label="Access to" options={options} value={target} onChange={(e) => setTarget(e.currentTarget.value)} required />
      <TextArea
        label="Research purpose"
        hint="At least 20 characters. The data access committee reads it; write no patient information."
        value={purpose}
        onChange={(e) => setPurpose(e.currentTarget.value)}
        minLength={20}
        maxLength={4000}
        rows={4}
        required
      />
      <div className="checkbox">
        <input id="dua" type="checkbox" checked={dua} onChange={(e) => setDua(e.currentTarget.checked)} required />
        <label htmlFor="dua">I accept the data use agreement (version {DUA_VERSION})</label>
      </div>
      <TextField label="Agreement version" value={DUA_VERSION} readOnly />
      <ErrorBanner error={error} />
      {sent && <Notice>Request sent: the data access committee will decide. Its state is below.</Notice>}
      <button type="submit" className="primary" disabled={!target}>
        Send the request
      </button>
    </form>
  );
}
