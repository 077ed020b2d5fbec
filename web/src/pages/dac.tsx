import { useState } from 'react';
import { api } from '../api/client';
import { formatTime } from '../lib/format';
import { DataTable } from '../ui/data-table';
import { ErrorBanner, Notice } from '../ui/error-banner';
import { TextField } from '../ui/form';
import { useLoad } from '../ui/use-api';

/** The data access committee's queue: each request with its justification; approve with an expiry or deny with a reason. */

interface AccessRequest {
  readonly requestId: string;
  readonly requesterName: string;
  readonly project?: string;
  readonly cohortId?: string;
  readonly cohortProjects?: readonly string[];
  readonly purpose: string;
  readonly duaVersion: string;
  readonly status: string;
  readonly createdAt: string;
}

export default function Dac() {
  const [status, setStatus] = useState<'pending' | 'approved' | 'denied'>('pending');
  const queue = useLoad((signal) => api.get<{ requests: AccessRequest[] }>('/access-requests', { query: { status }, signal }), [status]);
  const [done, setDone] = useState<string>();
  return (
    <section>
      <h1>Access requests</h1>
      <div className="inline" role="group" aria-label="Which requests">
        {(['pending', 'approved', 'denied'] as const).map((s) => (
          <button key={s} type="button" aria-pressed={status === s} onClick={() => setStatus(s)}>
            Show {s}
          </button>
        ))}
      </div>
      {done && <Notice>{done}</Notice>}
      <ErrorBanner error={queue.error} />
      <DataTable
        caption={`${status[0]!.toUpperCase()}${status.slice(1)} requests`}
        rows={queue.value?.requests ?? []}
        rowKey={(r) => r.requestId}
        empty="No request here."
        columns={[
          { key: 'who', header: 'Requester', cell: (r) => r.requesterName, sortValue: (r) => r.requesterName },
          {
            key: 'what',
            header: 'For',
            cell: (r) =>
              r.project
                ? `project ${r.project}`
                : `cohort ${r.cohortId} (${(r.cohortProjects ?? []).join(', ') || 'no restricted project'})`,
            sortValue: (r) => r.project ?? r.cohortId,
          },
          { key: 'purpose', header: 'Justification', cell: (r) => <p className="purpose">{r.purpose}</p> },
          { key: 'asked', header: 'Asked', cell: (r) => formatTime(r.createdAt), sortValue: (r) => r.createdAt },
          {
            key: 'decide',
            header: 'Decision',
            cell: (r) =>
              r.status === 'pending' ? (
                <Decide
                  request={r}
                  onDone={(message) => {
                    setDone(message);
                    queue.reload();
                  }}
                />
              ) : (
                r.status
              ),
          },
        ]}
      />
    </section>
  );
}

function Decide({ request, onDone }: { request: AccessRequest; onDone: (message: string) => void }) {
  const [reason, setReason] = useState('');
  const [days, setDays] = useState('90');
  const [error, setError] = useState<unknown>();
  const decide = async (verb: 'approve' | 'deny') => {
    setError(undefined);
    try {
      await api.post(`/access-requests/${request.requestId}/${verb}`, {
        reason: reason.trim(),
        ...(verb === 'approve' ? { expiresInDays: Number(days) } : {}),
      });
      onDone(`${verb === 'approve' ? 'Approved' : 'Denied'}: the request of ${request.requesterName}.`);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <div className="decide">
      <TextField
        label={`Reason (request of ${request.requesterName})`}
        value={reason}
        onChange={(e) => setReason(e.currentTarget.value)}
        minLength={3}
      />
      <TextField label="Grant for (days)" type="number" min={1} value={days} onChange={(e) => setDays(e.currentTarget.value)} />
      <div className="inline">
        <button type="button" className="primary" onClick={() => void decide('approve')} disabled={reason.trim().length < 3}>
          Approve
        </button>
        <button type="button" onClick={() => void decide('deny')} disabled={reason.trim().length < 3}>
          Deny
        </button>
      </div>
      <ErrorBanner error={error} />
    </div>
  );
}
