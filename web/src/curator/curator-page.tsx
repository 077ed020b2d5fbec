import { useEffect, useState } from 'react';
import { api } from '../api/client';
import { navigate } from '../router';
import type { PageProps } from '../routes';
import { ErrorBanner, Notice } from '../ui/error-banner';
import { SelectField, TextArea, TextField } from '../ui/form';
import { useLoad } from '../ui/use-api';
import { apiQueryOf, filterFromQuery, overridableOf, queryOf, type QuarantineFilter } from './quarantine-filter';
import { ProjectSettings, type ProjectSummary } from './project-settings';
import { dicomweb } from '../study/dicomweb';
import { describeRegion, parseSourceSize, previewBoxes, type Size, type TextRegion } from './text-regions';

/**
 * Curator: the quarantine queue, filtered by project, rule and submission (kept in the URL),
 * each file with its rules and value-free reasons, released (re-checked by the commons, with
 * named overrides) or rejected with a written reason; and the project settings.
 */

interface QuarantineItem {
  readonly quarantineId: string;
  readonly submissionId: string;
  readonly fileId: string;
  readonly project: string;
  readonly site: string;
  readonly objectKind: 'original' | 'deidentified';
  readonly reasonCode: string;
  readonly rules: readonly string[];
  readonly findings: readonly { ruleId: string; severity: string; message: string }[];
  readonly status: string;
  readonly quarantinedAt?: string;
  /** Where OCR found identifying text (frame pixels, token classes; never the text). */
  readonly textRegions?: readonly TextRegion[];
}

export default function CuratorPage({ query }: PageProps) {
  const filter = filterFromQuery(query);
  const projects = useLoad((signal) => api.get<{ projects: ProjectSummary[] }>('/projects', { signal }), []);
  const queue = useLoad(
    (signal) => api.get<{ items: QuarantineItem[]; cursor?: string }>('/quarantine', { signal, query: apiQueryOf(filter) }),
    [filter.project, filter.rule, filter.submission, filter.status],
  );
  const setFilter = (change: Partial<QuarantineFilter>) => navigate(`/curator${queryOf({ ...filter, ...change })}`, { replace: true });
  const projectList = projects.value?.projects ?? [];

  return (
    <section aria-labelledby="curator-title">
      <h1 id="curator-title">Quarantine queue</h1>
      <ErrorBanner error={projects.error ?? queue.error} />
      <form className="form-row" role="search" aria-label="Filter the queue" onSubmit={(e) => e.preventDefault()}>
        <SelectField
          label="Project"
          value={filter.project}
          onChange={(e) => setFilter({ project: e.currentTarget.value })}
          options={[
            { value: '', label: 'All projects' },
            ...projectList.map((p) => ({ value: p.projectId, label: p.name || p.projectId })),
          ]}
        />
        <TextField
          label="Rule"
          value={filter.rule}
          placeholder="e.g. deid.pixel-review"
          onChange={(e) => setFilter({ rule: e.currentTarget.value.trim() })}
        />
        <TextField label="Submission" value={filter.submission} onChange={(e) => setFilter({ submission: e.currentTarget.value.trim() })} />
        <SelectField
          label="Status"
          value={filter.status}
          onChange={(e) => setFilter({ status: e.currentTarget.value as QuarantineFilter['status'] })}
          options={[
            { value: 'quarantined', label: 'Waiting for review' },
            { value: 'released', label: 'Released' },
            { value: 'rejected', label: 'Rejected' },
          ]}
        />
      </form>
      {queue.loading && <p>Loading…</p>}
      {queue.value && queue.value.items.length === 0 && <p>Nothing in the queue for this filter.</p>}
      <ul className="quarantine-list">
        {queue.value?.items.map((item) => (
          <QuarantineCard key={item.quarantineId} item={item} onDone={queue.reload} />
        ))}
      </ul>
      {filter.project && <ProjectSettings project={projectList.find((p) => p.projectId === filter.project)} />}
    </section>
  );
}

function QuarantineCard({ item, onDone }: { item: QuarantineItem; onDone: () => void }) {
  const [reason, setReason] = useState('');
  const [overrides, setOverrides] = useState<ReadonlySet<string>>(new Set());
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);
  const headingId = `q-${item.quarantineId}`;

  const act = async (action: 'release' | 'reject') => {
    setBusy(true);
    setError(undefined);
    try {
      const body = action === 'release' ? { reason, override: overridableOf(item.rules, overrides) } : { reason };
      const answer = await api.post<{ status?: string }>(`/quarantine/${item.quarantineId}/${action}`, body);
      setDone(action === 'release' ? `Released${answer?.status ? ` (${answer.status})` : ''}.` : 'Rejected.');
      setTimeout(onDone, 1500);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <li className="card" aria-labelledby={headingId} data-testid="quarantine-item">
      <h2 id={headingId}>
        File {item.fileId}{' '}
        <small>
          ({item.project}, site {item.site}, submission {item.submissionId})
        </small>
      </h2>
      <p>
        {item.objectKind === 'original' ? 'The uploaded file' : 'A de-identified copy sent back by a study rule'}; status {item.status}.
      </p>
      <PixelPreview quarantineId={item.quarantineId} regions={item.textRegions ?? []} />
      <ul>
        {item.findings.map((f, i) => (
          <li key={i}>
            <strong>{f.ruleId}</strong> ({f.severity}): {f.message}
          </li>
        ))}
      </ul>
      {item.status === 'quarantined' && !done && (
        <fieldset>
          <legend>Review</legend>
          {item.rules.map((rule) => (
            <div className="checkbox" key={rule}>
              <input
                id={`${headingId}-${rule}`}
                type="checkbox"
                checked={overrides.has(rule)}
                onChange={(e) => {
                  const next = new Set(overrides);
                  if (e.currentTarget.checked) next.add(rule);
                  else next.delete(rule);
                  setOverrides(next);
                }}
              />
              <label htmlFor={`${headingId}-${rule}`}>Override {rule} (I reviewed it)</label>
            </div>
          ))}
          <TextArea
            label="Reason (kept in the audit log)"
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            required
            minLength={3}
          />
          <div className="actions">
            <button type="button" disabled={busy || reason.trim().length < 3} onClick={() => void act('release')}>
              Release
            </button>
            <button type="button" disabled={busy || reason.trim().length < 3} onClick={() => void act('reject')}>
              Reject
            </button>
          </div>
        </fieldset>
      )}
      <ErrorBanner error={error} />
      {done && <Notice>{done}</Notice>}
    </li>
  );
}

/**
 * The file's first frame as the commons renders it (GET /quarantine/{id}/preview), for the burned-in
 * text review, with the boxes where OCR found identifying text drawn over it (an SVG in the preview's
 * pixels) and listed in words for screen readers and keyboard users.
 */
function PixelPreview({ quarantineId, regions }: { quarantineId: string; regions: readonly TextRegion[] }) {
  const [src, setSrc] = useState<string>();
  const [source, setSource] = useState<Size>();
  const [shown, setShown] = useState<Size>();
  const [missing, setMissing] = useState(false);
  useEffect(() => {
    const controller = new AbortController();
    let url: string | undefined;
    dicomweb(`/quarantine/${quarantineId}/preview`, 'image/png', controller.signal)
      .then(async (r) => {
        setSource(parseSourceSize(r.headers.get('x-hilum-source-size')));
        return r.blob();
      })
      .then((blob) => {
        url = URL.createObjectURL(blob);
        setSrc(url);
      })
      .catch(() => !controller.signal.aborted && setMissing(true));
    return () => {
      controller.abort();
      if (url) URL.revokeObjectURL(url);
    };
  }, [quarantineId]);
  const listId = `regions-${quarantineId}`;
  const regionList = regions.length > 0 && (
    <div data-testid="text-regions">
      <p id={listId}>OCR found identifying text in {regions.length} region(s), outlined in red on the preview:</p>
      <ol aria-labelledby={listId}>
        {regions.map((r, i) => (
          <li key={i}>{describeRegion(r, source)}</li>
        ))}
      </ol>
    </div>
  );
  if (missing)
    return (
      <>
        <p className="hint">No pixel preview: this file has no image the commons can render.</p>
        {regionList}
      </>
    );
  if (!src) return <p className="hint">Loading the pixel preview…</p>;
  const boxes = source && shown ? previewBoxes(regions, source, shown) : [];
  return (
    <figure className="quarantine-preview-figure">
      <div className="quarantine-preview-frame">
        <img
          className="quarantine-preview"
          src={src}
          alt="First frame of the quarantined file, for burned-in text review"
          style={{ maxWidth: 512 }}
          onLoad={(e) => setShown({ width: e.currentTarget.naturalWidth, height: e.currentTarget.naturalHeight })}
        />
        {shown && boxes.length > 0 && (
          <svg
            className="text-region-overlay"
            data-testid="text-region-overlay"
            viewBox={`0 0 ${shown.width} ${shown.height}`}
            preserveAspectRatio="none"
            aria-hidden="true"
          >
            {boxes.map((b, i) => (
              <rect key={i} data-testid="text-region-box" x={b.x} y={b.y} width={b.width} height={b.height} />
            ))}
          </svg>
        )}
      </div>
      {regionList && <figcaption>{regionList}</figcaption>}
    </figure>
  );
}
