import { useState } from 'react';
import { api, saveText } from '../api/client';
import { config } from '../config';
import { downloadCommand, formatCount, formatTime, plural } from '../lib/format';
import { queryFromFilters, type ExploreFilters } from '../lib/query-state';
import { Link } from '../router';
import type { PageProps } from '../routes';
import { DataTable } from '../ui/data-table';
import { ErrorBanner, Notice } from '../ui/error-banner';
import { useLoad } from '../ui/use-api';

/**
 * A cohort: its counts on the release it is pinned to, its manifest (JSON, CSV), the exact
 * `hilum download` command, the DRS ids of its objects, a zip per study, and the way to ask
 * for access when some of it is restricted.
 */

interface CohortAnswer {
  readonly cohortId: string;
  readonly name: string;
  readonly createdAt: string;
  readonly releaseNumber: number;
  readonly filters: ExploreFilters;
  readonly studyCount: number;
  readonly total: number;
  readonly studies: readonly { studyUid: string; project: string; site: string; modalities: readonly string[] }[];
  readonly cursor?: string;
}
interface ManifestRow {
  readonly objectId: string;
  readonly studyUid: string;
  readonly size: number;
}
interface Manifest {
  readonly objects: readonly ManifestRow[];
  readonly withheldStudies?: number;
}

export default function Cohort({ params }: PageProps) {
  const cohortId = params.cohortId!;
  const cohort = useLoad(
    (signal) => api.get<CohortAnswer>(`/cohorts/${encodeURIComponent(cohortId)}`, { query: { limit: 100 }, signal }),
    [cohortId],
  );
  const [manifest, setManifest] = useState<Manifest>();
  const [error, setError] = useState<unknown>();
  const [zip, setZip] = useState<{ studyUid: string; url: string; expiresAt: string }>();

  const download = async (format: 'json' | 'csv') => {
    setError(undefined);
    try {
      const text = await api.get<string>(`/cohorts/${encodeURIComponent(cohortId)}/manifest`, { query: { format }, as: 'text' });
      saveText(`cohort-${cohortId}.${format}`, text, format === 'csv' ? 'text/csv' : 'application/json');
      if (format === 'json') setManifest(JSON.parse(text) as Manifest);
    } catch (e) {
      setError(e);
    }
  };
  const studyZip = async (studyUid: string) => {
    setError(undefined);
    try {
      const answer = await api.get<{ url: string; expiresAt: string }>(`/studies/${encodeURIComponent(studyUid)}/archive`);
      setZip({ studyUid, ...answer });
    } catch (e) {
      setError(e);
    }
  };

  if (cohort.error) return <ErrorBanner error={cohort.error} />;
  const c = cohort.value;
  if (!c) return <p role="status">Loading the cohort…</p>;
  const apiBase = config().apiUrl || location.origin;
  const withheld = c.studyCount > c.total ? c.studyCount - c.total : 0;
  return (
    <section>
      <h1>Cohort: {c.name}</h1>
      <dl className="facts">
        <dt>Studies</dt>
        <dd>
          {formatCount(c.total)} you may count now ({formatCount(c.studyCount)} when saved)
        </dd>
        <dt>Pinned to</dt>
        <dd>release {c.releaseNumber}: its studies and files do not change when more is published</dd>
        <dt>Saved</dt>
        <dd>{formatTime(c.createdAt)}</dd>
        <dt>Filters</dt>
        <dd>
          <Link to={`/explore?${queryFromFilters(c.filters)}`}>open these filters in Explore</Link>
        </dd>
        <dt>Cohort id</dt>
        <dd>
          <code>{c.cohortId}</code>
        </dd>
      </dl>
      <h2>Download</h2>
      <div className="inline">
        <button type="button" onClick={() => void download('json')}>
          Download manifest (JSON)
        </button>
        <button type="button" onClick={() => void download('csv')}>
          Download manifest (CSV)
        </button>
      </div>
      <p>Then download every file, verified against its SHA-256 and resumable, with the command line (your token in HILUM_TOKEN):</p>
      <pre aria-label="hilum download command" tabIndex={0}>
        <code>{downloadCommand(c.cohortId, apiBase)}</code>
      </pre>
      <button type="button" onClick={() => void navigator.clipboard?.writeText(downloadCommand(c.cohortId, apiBase))}>
        Copy the command
      </button>
      <ErrorBanner error={error} />
      {manifest && (
        <Notice>
          Manifest saved: {plural(manifest.objects.length, 'object')}
          {manifest.withheldStudies ? `, ${plural(manifest.withheldStudies, 'study', 'studies')} withheld (no access yet)` : ''}.
        </Notice>
      )}
      {withheld > 0 && (
        <p role="note">
          Some studies of this cohort are in restricted projects you have no grant for.{' '}
          <Link to={`/access?cohort=${c.cohortId}`}>Request access to this cohort</Link>.
        </p>
      )}
      {manifest && (
        <DataTable
          caption="DRS ids of the cohort's objects"
          rows={manifest.objects}
          rowKey={(r) => r.objectId}
          columns={[
            { key: 'id', header: 'DRS id', cell: (r) => <code>{r.objectId}</code>, sortValue: (r) => r.objectId },
            { key: 'study', header: 'Study', cell: (r) => r.studyUid, sortValue: (r) => r.studyUid },
            { key: 'size', header: 'Bytes', cell: (r) => formatCount(r.size), sortValue: (r) => r.size },
          ]}
        />
      )}
      <DataTable
        caption="Studies of the cohort"
        rows={c.studies}
        rowKey={(s) => s.studyUid}
        columns={[
          {
            key: 'study',
            header: 'Study',
            cell: (s) => <Link to={`/studies/${encodeURIComponent(s.studyUid)}`}>{s.studyUid}</Link>,
            sortValue: (s) => s.studyUid,
          },
          { key: 'project', header: 'Project', cell: (s) => s.project, sortValue: (s) => s.project },
          { key: 'modality', header: 'Modality', cell: (s) => s.modalities.join(', ') },
          {
            key: 'zip',
            header: 'Zip',
            cell: (s) =>
              zip?.studyUid === s.studyUid ? (
                <a href={zip.url} download>
                  Download zip (link valid until {formatTime(zip.expiresAt)})
                </a>
              ) : (
                <button type="button" onClick={() => void studyZip(s.studyUid)} aria-label={`Prepare zip of study ${s.studyUid}`}>
                  Prepare zip
                </button>
              ),
          },
        ]}
      />
    </section>
  );
}
