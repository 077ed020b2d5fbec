import { useState, type FormEvent } from 'react';
import { api, saveText } from '../api/client';
import { formatTime, toCsv } from '../lib/format';
import { navigate } from '../router';
import type { PageProps } from '../routes';
import { DataTable } from '../ui/data-table';
import { ErrorBanner } from '../ui/error-banner';
import { TextField } from '../ui/form';
import { useLoad } from '../ui/use-api';

/** The audit log for administrators: filter by actor, action, resource and time (in the URL), export CSV. */

interface AuditEvent {
  readonly eventId: string;
  readonly actor: string;
  readonly actorName?: string;
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string;
  readonly at: string;
  readonly reason?: string;
}

const FILTERS = ['actor', 'action', 'resource', 'from', 'to'] as const;

export default function Audit({ query }: PageProps) {
  const filters = Object.fromEntries(FILTERS.map((f) => [f, query.get(f) ?? ''])) as Record<(typeof FILTERS)[number], string>;
  const apiQuery = {
    ...(filters.actor ? { actor: filters.actor } : {}),
    ...(filters.action ? { action: filters.action } : {}),
    ...(filters.resource ? { resource: filters.resource } : {}),
    ...(filters.from ? { from: new Date(filters.from).toISOString() } : {}),
    ...(filters.to ? { to: new Date(filters.to).toISOString() } : {}),
  };
  const [more, setMore] = useState<{ events: AuditEvent[]; cursor?: string }>();
  const log = useLoad(
    (signal) =>
      api
        .get<{ events: AuditEvent[]; cursor?: string }>('/audit', { query: { ...apiQuery, limit: 200 }, signal })
        .then((a) => (setMore(undefined), a)),
    [query.toString()],
  );
  const events = more?.events ?? log.value?.events ?? [];
  const cursor = more ? more.cursor : log.value?.cursor;

  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const q = new URLSearchParams();
    for (const f of FILTERS) {
      const v = String(data.get(f) ?? '').trim();
      if (v) q.set(f, v);
    }
    navigate(`/admin/audit${q.size ? `?${q}` : ''}`);
  };
  const next = () =>
    api
      .get<{ events: AuditEvent[]; cursor?: string }>('/audit', { query: { ...apiQuery, limit: 200, cursor } })
      .then((a) => setMore({ events: [...events, ...a.events], ...(a.cursor ? { cursor: a.cursor } : {}) }));
  const exportCsv = () =>
    saveText(
      'hilum-audit.csv',
      toCsv(
        ['at', 'actor', 'actorName', 'action', 'targetType', 'targetId', 'reason'],
        events.map((e) => [e.at, e.actor, e.actorName, e.action, e.targetType, e.targetId, e.reason]),
      ),
      'text/csv',
    );

  return (
    <section>
      <h1>Audit log</h1>
      <form onSubmit={apply} className="inline" key={query.toString()} aria-label="Audit filters">
        <TextField label="Actor (subject)" name="actor" defaultValue={filters.actor} />
        <TextField label="Action" name="action" defaultValue={filters.action} hint="e.g. access-request.approve" />
        <TextField label="Resource (type or type:id)" name="resource" defaultValue={filters.resource} />
        <TextField label="From" name="from" type="datetime-local" defaultValue={filters.from} />
        <TextField label="To" name="to" type="datetime-local" defaultValue={filters.to} />
        <button type="submit" className="primary">
          Filter
        </button>
      </form>
      <button type="button" onClick={exportCsv} disabled={events.length === 0}>
        Export CSV ({events.length} events shown)
      </button>
      <ErrorBanner error={log.error} />
      <DataTable
        caption="Audit events"
        rows={events}
        rowKey={(e) => e.eventId}
        onNextPage={cursor ? () => void next() : undefined}
        empty="No event matches."
        columns={[
          { key: 'at', header: 'Time', cell: (e) => formatTime(e.at), sortValue: (e) => e.at },
          { key: 'actor', header: 'Actor', cell: (e) => e.actorName ?? e.actor, sortValue: (e) => e.actorName ?? e.actor },
          { key: 'action', header: 'Action', cell: (e) => e.action, sortValue: (e) => e.action },
          {
            key: 'target',
            header: 'Resource',
            cell: (e) => `${e.targetType}:${e.targetId}`,
            sortValue: (e) => `${e.targetType}:${e.targetId}`,
          },
          { key: 'reason', header: 'Reason', cell: (e) => e.reason ?? '—' },
        ]}
      />
    </section>
  );
}
