import { useEffect, useState, type FormEvent } from 'react';
import { AGE_BANDS } from '../../../../layers/search/model';
import { api } from '../../api/client';
import { formatCount, plural } from '../../lib/format';
import {
  activeFilterCount,
  FACETS,
  filtersFromQuery,
  queryFromFilters,
  searchFilters,
  toggleFacet,
  withRange,
  type ExploreFilters,
  type FacetName,
} from '../../lib/query-state';
import { barsInOrder } from '../../lib/scales';
import { Link, navigate } from '../../router';
import type { PageProps } from '../../routes';
import { BarChart } from '../../ui/bar-chart';
import { DataTable, type Column } from '../../ui/data-table';
import { ErrorBanner } from '../../ui/error-banner';
import { CheckboxGroup, TextField } from '../../ui/form';
import { facetLabel } from './facet-labels';

/**
 * Explore: every facet of the search with live counts (each facet counted without its own
 * filter, as the API does: OR within a facet, AND across), age and year ranges, description
 * text, charts of the selection, the matching studies, and "save as cohort". The filters live
 * in the URL: a selection is a link, and the back button undoes a click.
 */

interface FacetCount {
  readonly value: string;
  readonly count: number;
}
interface StudyView {
  readonly studyUid: string;
  readonly project: string;
  readonly site: string;
  readonly release?: number;
  readonly modalities: readonly string[];
  readonly bodyParts: readonly string[];
  readonly sex: string;
  readonly ageBand: string;
  readonly studyYear?: number;
  readonly description?: string;
  readonly publishedAt: string;
}
interface SearchAnswer {
  readonly total: number;
  readonly facets: Readonly<Partial<Record<FacetName, readonly FacetCount[]>>>;
  readonly studies: readonly StudyView[];
  readonly cursor?: string;
}

const PAGE = 50;

/** Set for the browser test: how long the last search took from click to drawn (ms). */
declare global {
  interface Window {
    hilumExploreTimings?: number[];
  }
}

export default function Explore({ query }: PageProps) {
  const filters = filtersFromQuery(query);
  const key = queryFromFilters(filters).toString();
  const [answer, setAnswer] = useState<SearchAnswer>();
  const [studies, setStudies] = useState<StudyView[]>([]);
  const [cursor, setCursor] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    const started = performance.now();
    setBusy(true);
    api
      .post<SearchAnswer>('/search', { ...searchFilters(filters), limit: PAGE }, { signal: controller.signal })
      .then((a) => {
        setAnswer(a);
        setStudies([...a.studies]);
        setCursor(a.cursor);
        setError(undefined);
        requestAnimationFrame(() => (window.hilumExploreTimings ??= []).push(performance.now() - started));
      })
      .catch((e: unknown) => !controller.signal.aborted && setError(e))
      .finally(() => !controller.signal.aborted && setBusy(false));
    return () => controller.abort();
    // `key` is the canonical form of the filters.
  }, [key]);

  const go = (next: ExploreFilters) => {
    const q = queryFromFilters(next).toString();
    navigate(`/explore${q ? `?${q}` : ''}`);
  };
  const more = () => {
    if (!cursor) return;
    api
      .post<SearchAnswer>('/search', { ...searchFilters(filters), limit: PAGE, cursor })
      .then((a) => {
        setStudies((s) => [...s, ...a.studies]);
        setCursor(a.cursor);
      })
      .catch(setError);
  };

  const counts = (f: FacetName) => answer?.facets[f] ?? [];
  return (
    <section>
      <h1>Explore</h1>
      <p role="status" aria-live="polite" className="summary">
        {answer ? `${plural(answer.total, 'study', 'studies')} match${answer.total === 1 ? 'es' : ''}` : 'Counting…'}
        {activeFilterCount(filters) > 0 && (
          <>
            {' '}
            · {plural(activeFilterCount(filters), 'filter')} ·{' '}
            <Link to="/explore" className="clear">
              clear all
            </Link>
          </>
        )}
        {busy && ' · updating'}
      </p>
      <ErrorBanner error={error} />
      <div className="explore">
        <aside className="facets" aria-label="Filters">
          <RangeForm label="Age (years)" which="age" filters={filters} onApply={go} />
          <RangeForm label="Study year" which="year" filters={filters} onApply={go} />
          <DescriptionForm filters={filters} onApply={go} />
          {FACETS.map((f) => {
            const selected = new Set(filters.facets[f] ?? []);
            const listed = counts(f);
            const options = [
              ...listed,
              ...[...selected].filter((v) => !listed.some((c) => c.value === v)).map((value) => ({ value, count: 0 })),
            ];
            if (options.length === 0) return null;
            return (
              <CheckboxGroup
                key={f}
                legend={facetLabel(f)}
                checked={selected}
                options={options.map((o) => ({
                  value: o.value,
                  label: (
                    <>
                      {o.value} <span className="count">({formatCount(o.count)})</span>
                    </>
                  ),
                }))}
                onToggle={(value, on) => go(toggleFacet(filters, f, value, on))}
              />
            );
          })}
        </aside>
        <div>
          <h2>Charts of the selection</h2>
          <div className="charts">
            <BarChart
              title="Age histogram (age band)"
              bars={barsInOrder(
                counts('ageBand'),
                AGE_BANDS.map((b) => b.label),
              )}
            />
            <BarChart title="Studies by site" bars={counts('site')} />
            <BarChart
              title="Studies by release"
              bars={counts('release').map((c) => ({ ...c, value: c.value === 'unknown' ? 'not released' : `release ${c.value}` }))}
            />
            {FACETS.filter((f) => f !== 'site' && f !== 'release' && f !== 'ageBand' && counts(f).length > 0).map((f) => (
              <BarChart key={f} title={facetLabel(f)} bars={counts(f)} />
            ))}
          </div>
          <SaveCohort filters={filters} total={answer?.total} />
          <DataTable
            caption="Matching studies"
            columns={STUDY_COLUMNS}
            rows={studies}
            rowKey={(s) => s.studyUid}
            onNextPage={cursor ? more : undefined}
            empty="No study matches these filters."
          />
        </div>
      </div>
    </section>
  );
}

const STUDY_COLUMNS: readonly Column<StudyView>[] = [
  {
    key: 'study',
    header: 'Study',
    cell: (s) => <Link to={`/studies/${encodeURIComponent(s.studyUid)}`}>{s.studyUid.slice(-16)}</Link>,
    sortValue: (s) => s.studyUid,
  },
  { key: 'project', header: 'Project', cell: (s) => s.project, sortValue: (s) => s.project },
  { key: 'site', header: 'Site', cell: (s) => s.site, sortValue: (s) => s.site },
  { key: 'modality', header: 'Modality', cell: (s) => s.modalities.join(', '), sortValue: (s) => s.modalities.join(',') },
  { key: 'body', header: 'Body part', cell: (s) => s.bodyParts.join(', ') || '—', sortValue: (s) => s.bodyParts.join(',') },
  { key: 'sex', header: 'Sex', cell: (s) => s.sex, sortValue: (s) => s.sex },
  { key: 'age', header: 'Age band', cell: (s) => s.ageBand, sortValue: (s) => s.ageBand },
  { key: 'year', header: 'Year', cell: (s) => s.studyYear ?? '—', sortValue: (s) => s.studyYear },
  { key: 'release', header: 'Release', cell: (s) => s.release ?? '—', sortValue: (s) => s.release },
  { key: 'description', header: 'Description', cell: (s) => s.description ?? '—', sortValue: (s) => s.description },
];

function RangeForm({
  label,
  which,
  filters,
  onApply,
}: {
  label: string;
  which: 'age' | 'year';
  filters: ExploreFilters;
  onApply: (f: ExploreFilters) => void;
}) {
  const current = filters[which];
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const num = (name: string) => {
      const v = String(data.get(name) ?? '').trim();
      return v === '' ? undefined : Number(v);
    };
    onApply(withRange(filters, which, { min: num('min'), max: num('max') }));
  };
  return (
    <form className="range" onSubmit={submit} key={`${which}-${current?.min}-${current?.max}`} aria-label={label}>
      <fieldset>
        <legend>{label}</legend>
        <div className="inline">
          <TextField label="from" name="min" type="number" min={0} max={9999} defaultValue={current?.min ?? ''} size={5} />
          <TextField label="to" name="max" type="number" min={0} max={9999} defaultValue={current?.max ?? ''} size={5} />
          <button type="submit">Apply</button>
        </div>
      </fieldset>
    </form>
  );
}

function DescriptionForm({ filters, onApply }: { filters: ExploreFilters; onApply: (f: ExploreFilters) => void }) {
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const text = String(new FormData(event.currentTarget).get('description') ?? '').trim();
    const { descriptionPrefix: _old, ...rest } = filters;
    onApply(text ? { ...rest, descriptionPrefix: text } : rest);
  };
  return (
    <form onSubmit={submit} key={filters.descriptionPrefix ?? ''} className="inline">
      <TextField label="Study description starts with" name="description" defaultValue={filters.descriptionPrefix ?? ''} maxLength={128} />
      <button type="submit">Search</button>
    </form>
  );
}

function SaveCohort({ filters, total }: { filters: ExploreFilters; total: number | undefined }) {
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>();
  const save = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const cohort = await api.post<{ cohortId: string }>('/cohorts', { name: name.trim(), filters: searchFilters(filters) });
      navigate(`/cohorts/${cohort.cohortId}`);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <form className="inline save-cohort" onSubmit={(e) => void save(e)}>
      <TextField label="Cohort name" value={name} onChange={(e) => setName(e.currentTarget.value)} required maxLength={200} />
      <button type="submit" className="primary" disabled={!name.trim() || total === 0}>
        Save as cohort
      </button>
      <ErrorBanner error={error} />
    </form>
  );
}
