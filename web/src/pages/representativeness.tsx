import { api } from '../api/client';
import { formatCount, plural } from '../lib/format';
import { formatFigure, formatPercent } from '../lib/plot';
import {
  balanceRows,
  categoryName,
  dimensionName,
  pairedShares,
  trendOf,
  type ProjectRepresentativeness,
  type RepresentativenessAnswer,
} from '../lib/representativeness-view';
import { navigate } from '../router';
import type { PageProps } from '../routes';
import { PairedBars } from '../ui/charts/paired-bars';
import { TrendChart } from '../ui/charts/trend-chart';
import { ErrorBanner } from '../ui/error-banner';
import { FigureTable } from '../ui/figure-table';
import { SelectField } from '../ui/form';
import { useLoad } from '../ui/use-api';
import type { BalanceEntry } from '../../../layers/catalog/sequestration';

/**
 * Representativeness of a release (docs/sequestration.md), as `GET /releases/{n}/representativeness`
 * answers the signed-in person: per project, each dimension of its reference population (and their
 * intersections) with the cases' shares beside the reference's and the Jensen-Shannon distance, the
 * distances across releases, and, for curators, the sequestration split's balance. Researchers'
 * figures count open cases only: the API never gives them more.
 */

export default function Representativeness({ query }: PageProps) {
  const releases = useLoad((signal) => api.get<{ releases: { releaseNumber: number; name?: string }[] }>('/releases', { signal }), []);
  const numbers = (releases.value?.releases ?? []).map((r) => r.releaseNumber).sort((a, b) => b - a);
  const asked = Number(query.get('release'));
  const release = Number.isInteger(asked) && asked > 0 ? asked : numbers[0];
  const answer = useLoad(
    (signal) =>
      release === undefined
        ? Promise.resolve(undefined)
        : api.get<RepresentativenessAnswer>(`/releases/${release}/representativeness`, { signal }),
    [release],
  );
  const a = answer.value;
  return (
    <section>
      <h1>Representativeness</h1>
      <ErrorBanner error={releases.error ?? answer.error} />
      {releases.value && numbers.length === 0 && <p>No release has been cut yet.</p>}
      {release !== undefined && (
        <SelectField
          label="Release"
          value={String(release)}
          onChange={(e) => navigate(`/representativeness?release=${e.currentTarget.value}`)}
          options={(numbers.includes(release) ? numbers : [release, ...numbers]).map((n) => ({ value: String(n), label: `Release ${n}` }))}
        />
      )}
      {a && (
        <>
          <p>
            Measure: {a.measure}. Counted: {a.cases}.
          </p>
          {a.references.map((r) => (
            <p key={r.id} className="hint">
              Reference <strong>{r.title}</strong> ({r.id}). {r.omitted}
            </p>
          ))}
          {a.projects.length === 0 && <p>No project of this release is counted for you.</p>}
          {a.projects.map((p) => (
            <Project key={p.project} project={p} answer={a} />
          ))}
        </>
      )}
    </section>
  );
}

function Project({ project, answer }: { project: ProjectRepresentativeness; answer: RepresentativenessAnswer }) {
  const reference = answer.references.find((r) => r.id === project.reference);
  return (
    <section aria-labelledby={`project-${project.project}`} data-project={project.project}>
      <h2 id={`project-${project.project}`}>
        {project.project}: {plural(project.cases, 'case')}
      </h2>
      <FigureTable
        caption={`Jensen-Shannon distance from ${reference?.title ?? project.reference}, per dimension`}
        label={`distances-${project.project}`}
        headers={['Dimension', 'Distance', 'Cases compared', 'Left out']}
        rows={project.dimensions.map((d) => ({
          key: d.dimension,
          cells: [
            dimensionName(d.dimension),
            d.jsDistance === undefined ? 'not measured (no case to compare)' : formatFigure(d.jsDistance),
            formatCount(Object.values(d.sample).reduce((x, y) => x + y, 0)),
            formatCount(d.leftOut),
          ],
        }))}
      />
      {project.dimensions.map((d) => {
        const name = dimensionName(d.dimension);
        const rows = pairedShares(d.sample, reference?.distributions[d.dimension] ?? {});
        const trend = trendOf(project.trend, d.dimension);
        return (
          <section key={d.dimension} aria-label={`${project.project}: ${name}`} data-dimension={d.dimension}>
            <h3>
              {name}: distance {d.jsDistance === undefined ? 'not measured' : formatFigure(d.jsDistance)}
            </h3>
            <div className="charts">
              <figure className="chart">
                <figcaption>{name}: cases and reference</figcaption>
                <PairedBars
                  title={`${project.project} ${name}: shares`}
                  first="these cases"
                  second="reference"
                  rows={rows.map((r) => ({ label: categoryName(r.category), a: r.share, b: r.referenceShare }))}
                />
              </figure>
              <figure className="chart">
                <figcaption>{name}: distance across releases</figcaption>
                <TrendChart title={`${project.project} ${name}: distance by release`} points={trend} />
              </figure>
            </div>
            <details>
              <summary>{name}: the figures</summary>
              <FigureTable
                caption={`${name}: cases per category (${formatCount(d.leftOut)} left out: unknown or not reported)`}
                headers={['Category', 'Cases', 'Share', 'Reference share']}
                rows={rows.map((r) => ({
                  key: r.category,
                  cells: [categoryName(r.category), formatCount(r.count), formatPercent(r.share), formatPercent(r.referenceShare)],
                }))}
              />
              <FigureTable
                caption={`${name}: distance by release`}
                headers={['Release', 'Distance']}
                rows={trend.map((t) => ({ key: String(t.release), cells: [`Release ${t.release}`, formatFigure(t.distance)] }))}
              />
            </details>
          </section>
        );
      })}
      {project.balance && (
        <section aria-labelledby={`balance-${project.project}`} data-balance={project.project}>
          <h3 id={`balance-${project.project}`}>
            Sequestration balance: {formatCount(project.balance.cases.open)} open, {formatCount(project.balance.cases.sequestered)}{' '}
            sequestered cases
          </h3>
          <div className="charts">
            {project.balance.attributes.map((entry) => (
              <BalanceChart key={entry.attributes.join('|')} project={project.project} entry={entry} />
            ))}
          </div>
          <FigureTable
            caption="Balance of each attribute and pair of attributes: Jensen-Shannon distance between the open and sequestered sets"
            label={`balance-${project.project}`}
            headers={['Attributes', 'Distance']}
            rows={[...project.balance.attributes, ...project.balance.pairs].map((e) => ({
              key: e.attributes.join('|'),
              cells: [dimensionName(e.attributes.join('|')), formatFigure(e.jsDistance)],
            }))}
          />
        </section>
      )}
    </section>
  );
}

function BalanceChart({ project, entry }: { project: string; entry: BalanceEntry }) {
  const name = dimensionName(entry.attributes.join('|'));
  const rows = balanceRows(entry);
  return (
    <figure className="chart">
      <figcaption>
        {name}: distance {formatFigure(entry.jsDistance)}
      </figcaption>
      <PairedBars
        title={`${project} balance ${name}`}
        first="open"
        second="sequestered"
        rows={rows.map((r) => ({ label: r.value, a: r.openShare, b: r.sequesteredShare }))}
      />
    </figure>
  );
}
