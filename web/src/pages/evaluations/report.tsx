import { useEffect } from 'react';
import { api } from '../../api/client';
import {
  attributeName,
  aucSentence,
  fairnessRows,
  reliabilityRows,
  rocPoints,
  subgroupBars,
  subgroupDescription,
  suppressedNote,
  type EvaluationAnswer,
} from '../../lib/evaluation-view';
import { liveSession } from '../../auth/session';
import { formatTime } from '../../lib/format';
import { mayOpen } from '../../lib/roles';
import { formatFigure, formatSigned } from '../../lib/plot';
import { Link } from '../../router';
import type { PageProps } from '../../routes';
import { IntervalChart } from '../../ui/charts/interval-chart';
import { ReliabilityChart } from '../../ui/charts/reliability-chart';
import { RocChart } from '../../ui/charts/roc-chart';
import { ErrorBanner } from '../../ui/error-banner';
import { FigureTable } from '../../ui/figure-table';
import { useLoad } from '../../ui/use-api';
import type { EvaluationReport } from '../../../../layers/evaluation';

/**
 * One evaluation (docs/evaluation.md): its status while it runs, then the aggregate report as
 * the API gives it: the ROC curve with the AUC and both intervals, the operating points, the
 * reliability diagram with the ECE, each attribute's subgroups (AUC with CI; suppressed ones
 * in words) and the fairness differences. Every chart has its figures in a table as well.
 * The answer holds no case, score or threshold of the curve, so the page has none to show.
 */

const POLL_MS = 3000;

export default function EvaluationReportPage({ params }: PageProps) {
  const evaluationId = params.evaluationId!;
  const evaluation = useLoad(
    (signal) => api.get<EvaluationAnswer>(`/evaluations/${encodeURIComponent(evaluationId)}`, { signal }),
    [evaluationId],
  );
  const status = evaluation.value?.status;
  const { reload } = evaluation;
  useEffect(() => {
    if (status !== 'running' && status !== 'awaiting-model') return;
    const timer = setTimeout(reload, POLL_MS);
    return () => clearTimeout(timer);
  }, [status, reload, evaluation.value]);

  const e = evaluation.value;
  return (
    <section>
      <h1>Evaluation report</h1>
      {mayOpen(['evaluator'], liveSession()?.groups ?? []) && (
        <p>
          <Link to="/evaluations">All evaluations</Link>
        </p>
      )}
      <ErrorBanner error={evaluation.error} />
      {!e && evaluation.loading && <p role="status">Loading…</p>}
      {e && (
        <>
          <dl className="facts">
            <dt>Evaluation</dt>
            <dd>
              <code>{e.evaluationId}</code>
            </dd>
            <dt>Project</dt>
            <dd>{e.project}</dd>
            <dt>Status</dt>
            <dd data-status={e.status}>{e.status}</dd>
            <dt>Task</dt>
            <dd>
              {e.spec.task.label} (positive: {e.spec.task.positive}), {e.spec.series.modality} images, the {e.spec.series.instance} instance
            </dd>
            <dt>Model SHA-256</dt>
            <dd>
              <code>{e.modelSha256}</code>
            </dd>
            <dt>Created</dt>
            <dd>{formatTime(e.createdAt)}</dd>
            {e.finishedAt && (
              <>
                <dt>Finished</dt>
                <dd>{formatTime(e.finishedAt)}</dd>
              </>
            )}
          </dl>
          {e.status === 'failed' && (
            <div role="alert" className="banner banner-error">
              <p>The evaluation failed: {e.failure ?? 'no reason was recorded'}.</p>
            </div>
          )}
          {(e.status === 'running' || e.status === 'awaiting-model') && (
            <p role="status">
              {e.status === 'running'
                ? 'The model is running on the sequestered cases; this page updates when the report is ready.'
                : 'Waiting for the model: upload it and start the run.'}
            </p>
          )}
          {e.report && <Report report={e.report} />}
        </>
      )}
    </section>
  );
}

function Report({ report }: { report: EvaluationReport }) {
  const summary = aucSentence(report);
  const minimum = report.minimumSubgroupSize;
  return (
    <>
      <p>
        Only aggregates leave the commons: this report holds no case, no score and no case identifier, and the ROC curve carries no
        thresholds. Subgroups of fewer than {minimum} cases are not shown.
      </p>
      <h2>Discrimination</h2>
      <p data-figure="auc">{summary}.</p>
      <figure className="chart">
        <figcaption>ROC curve</figcaption>
        <RocChart points={rocPoints(report)} summary={summary} />
      </figure>
      <details>
        <summary>The ROC curve's points ({report.roc.length})</summary>
        <FigureTable
          caption="ROC curve points"
          label="roc"
          headers={['Point', 'False positive rate', 'True positive rate']}
          rows={report.roc.map((p, i) => ({ key: String(i), cells: [String(i + 1), formatFigure(p.fpr), formatFigure(p.tpr)] }))}
        />
      </details>

      <h2>Operating points</h2>
      <FigureTable
        caption="Sensitivity and specificity at each threshold (a score at or above it is positive)"
        label="operating-points"
        headers={['Threshold', 'Sensitivity', 'Specificity']}
        rows={report.operatingPoints.map((p) => ({
          key: String(p.threshold),
          cells: [String(p.threshold), formatFigure(p.sensitivity), formatFigure(p.specificity)],
        }))}
      />

      <h2>Calibration</h2>
      {report.calibration ? (
        <>
          <p data-figure="ece">Expected calibration error (ECE): {formatFigure(report.calibration.expectedCalibrationError)}.</p>
          <figure className="chart">
            <figcaption>Reliability diagram</figcaption>
            <ReliabilityChart rows={reliabilityRows(report.calibration, minimum)} ece={report.calibration.expectedCalibrationError} />
          </figure>
          <FigureTable
            caption="Reliability diagram bins"
            label="reliability"
            headers={['Scores', 'Cases', 'Mean score', 'Observed positive rate']}
            rows={reliabilityRows(report.calibration, minimum).map((r) => ({
              key: r.range,
              cells: [r.range, String(r.count), r.note ?? formatFigure(r.meanScore), r.note ?? formatFigure(r.observedRate)],
            }))}
          />
        </>
      ) : (
        <p>The model's scores are not all between 0 and 1 (not probabilities): no calibration is computed.</p>
      )}

      <h2>Subgroups</h2>
      {report.subgroups.map((table) => {
        const name = attributeName(table.attribute);
        const note = suppressedNote(table, minimum);
        return (
          <section key={table.attribute} aria-label={`Subgroups by ${name.toLowerCase()}`} data-attribute={table.attribute}>
            <h3>By {name.toLowerCase()}</h3>
            <IntervalChart
              title={`AUC by ${name.toLowerCase()}`}
              bars={subgroupBars(table)}
              note={note}
              description={subgroupDescription(table, minimum)}
            />
            <FigureTable
              caption={`Subgroups by ${name.toLowerCase()}`}
              label={`subgroups-${table.attribute}`}
              headers={['Subgroup', 'Cases', 'Positives', 'AUC', '95% CI (DeLong)', 'ECE']}
              rows={[
                ...table.shown.map((s) => ({
                  key: s.value,
                  cells: [
                    s.value,
                    String(s.cases),
                    String(s.positives),
                    s.auc ? formatFigure(s.auc.auc) : 'no AUC (one class)',
                    s.auc ? `${formatFigure(s.auc.lower)} to ${formatFigure(s.auc.upper)}` : '—',
                    formatFigure(s.expectedCalibrationError),
                  ],
                })),
                ...(note ? [{ key: 'suppressed', cells: ['Suppressed', note, '', '', '', ''] }] : []),
              ]}
            />
            {table.fairness.length > 0 && (
              <FigureTable
                caption={`Fairness by ${name.toLowerCase()}, against ${table.reference ?? 'the largest subgroup'} (the largest shown subgroup)`}
                label={`fairness-${table.attribute}`}
                headers={['Subgroup', 'Threshold', 'AUC difference', 'Equal opportunity difference', 'Average absolute odds difference']}
                rows={fairnessRows(table).map((r) => ({
                  key: r.key,
                  cells: [
                    r.subgroup,
                    r.threshold === undefined ? '—' : String(r.threshold),
                    formatSigned(r.aucDifference),
                    formatSigned(r.equalOpportunityDifference),
                    formatFigure(r.averageAbsoluteOddsDifference),
                  ],
                }))}
              />
            )}
          </section>
        );
      })}
    </>
  );
}
