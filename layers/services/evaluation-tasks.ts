/**
 * The evaluation workflow's tasks (docs/evaluation.md): list the sequestered cases, score one
 * case, aggregate. Per-case data (labels, scores) lives only under the private `evaluations/`
 * prefix of the released bucket, which no route serves.
 */
import { ModelSession } from '../adapters/onnx/model-session';
import { decodeFrame, readDicomHeader, storedFrames } from '../dicom';
import { renderAttributes } from '../dicomweb/render/attributes';
import {
  caseLabel,
  chooseInstance,
  DEFAULT_REPORT_OPTIONS,
  evaluationAuditSummary,
  evaluationCase,
  evaluationCasesKey,
  evaluationModelKey,
  evaluationReport,
  evaluationScoreKey,
  minimumSubgroupSizeOf,
  modelInput,
  type Evaluation,
  type EvaluationCase,
} from '../evaluation';
import type { EvaluationCasesResult, ScoreCaseInput } from '../pipeline/evaluation-states';
import { auditLog, buckets, objects, projectRepository, publicationRepository } from './commons-context';
import { evaluationRepository } from './evaluation-records';
import { sequesteredCases } from './sequestration-store';

/** The set to evaluate on cannot give a report (too few cases, one class only): the run fails with this value-free reason. */
export class EvaluationSetUnfit extends Error {
  override readonly name = 'EvaluationSetUnfit';
}

async function putJson(key: string, value: unknown): Promise<void> {
  await objects().put(buckets.released(), key, Buffer.from(JSON.stringify(value), 'utf8'), { contentType: 'application/json' });
}

async function getJson<T>(key: string): Promise<T | undefined> {
  const bytes = await objects().getBytes(buckets.released(), key);
  return bytes ? (JSON.parse(Buffer.from(bytes).toString('utf8')) as T) : undefined;
}

/** The workflow's first task: each sequestered case with a label and an image of the declared modality. */
export async function listEvaluationCases(evaluationId: string): Promise<EvaluationCasesResult & { readonly unlabelled: number }> {
  const evaluation = await evaluationRepository().get(evaluationId);
  if (!evaluation) throw new EvaluationSetUnfit('no such evaluation');
  const { spec } = evaluation;
  const cases: EvaluationCase[] = [];
  let unlabelled = 0;
  for (const sequestered of await sequesteredCases(evaluation.project)) {
    const label = caseLabel(sequestered, spec.task);
    if (label === undefined) {
      unlabelled += 1;
      continue;
    }
    const instances = (await Promise.all(sequestered.studyUids.map((uid) => publicationRepository().listInstances(uid)))).flat();
    const chosen = chooseInstance(instances, spec.series);
    if (chosen) cases.push(evaluationCase(cases.length, sequestered, chosen, label));
  }
  await putJson(evaluationCasesKey(evaluationId), cases);
  return { evaluationId, items: cases.map((c) => ({ evaluationId, caseIndex: c.caseIndex, objectKey: c.objectKey })), unlabelled };
}

/** A container keeps the last model it loaded: the Map sends it many cases of one evaluation. */
let loaded: { readonly evaluationId: string; readonly session: Promise<ModelSession> } | undefined;

async function modelFor(evaluationId: string): Promise<ModelSession> {
  if (loaded?.evaluationId !== evaluationId) {
    // Another evaluation's model: its worker thread goes.
    void loaded?.session.then((previous) => previous.close()).catch(() => undefined);
    const session = (async () => {
      const model = await objects().getBytes(buckets.released(), evaluationModelKey(evaluationId));
      if (!model) throw new EvaluationSetUnfit('the model is missing');
      return ModelSession.load(model);
    })();
    loaded = { evaluationId, session };
    session.catch(() => (loaded = undefined));
  }
  return loaded.session;
}

/** The Map's task: one case's score, written to the private location only. */
export async function scoreCase(input: ScoreCaseInput): Promise<void> {
  const evaluation = await evaluationRepository().get(input.evaluationId);
  if (!evaluation) throw new EvaluationSetUnfit('no such evaluation');
  const bytes = await objects().getBytes(buckets.released(), input.objectKey);
  if (!bytes) throw new EvaluationSetUnfit('a released object is missing');
  const stored = storedFrames(bytes);
  const decoded = await decodeFrame(stored.frames[0]!, stored.transferSyntaxUid, stored.pixel);
  const rendering = renderAttributes(readDicomHeader(bytes).dict, 0);
  const input32 = modelInput(
    { ...decoded, rescaleSlope: rendering.rescaleSlope, rescaleIntercept: rendering.rescaleIntercept },
    evaluation.spec,
  );
  const score = await (await modelFor(input.evaluationId)).score(input32, evaluation.spec.input.height, evaluation.spec.input.width);
  await putJson(evaluationScoreKey(input.evaluationId, input.caseIndex), { score });
}

/** The last task: the report from the cases and their scores, stored on the record and summarized in the audit log. */
export async function aggregateEvaluation(evaluationId: string, failed: boolean): Promise<Evaluation['status']> {
  const evaluation = await evaluationRepository().get(evaluationId);
  if (!evaluation) throw new EvaluationSetUnfit('no such evaluation');
  const finishedAt = new Date().toISOString();
  const fail = async (failure: string): Promise<'failed'> => {
    await evaluationRepository().finish(evaluationId, { finishedAt, failure });
    await auditLog().append({
      actor: 'system:AggregateEvaluation',
      action: 'evaluation.complete',
      targetType: 'evaluation',
      targetId: evaluationId,
      details: { ...evaluationAuditSummary({ ...evaluation, status: 'failed' }), failure },
    });
    return 'failed';
  };
  if (failed) return fail('the model could not be run on every case');
  const cases = (await getJson<EvaluationCase[]>(evaluationCasesKey(evaluationId))) ?? [];
  const scored = await Promise.all(
    cases.map(async (c) => {
      const score = await getJson<{ score: number }>(evaluationScoreKey(evaluationId, c.caseIndex));
      if (!score) throw new EvaluationSetUnfit('a case has no score');
      return { score: score.score, label: c.label, attributes: c.attributes };
    }),
  );
  const project = await projectRepository().getProject(evaluation.project);
  const outcome = evaluationReport(scored, {
    ...DEFAULT_REPORT_OPTIONS,
    minimumSubgroupSize: minimumSubgroupSizeOf(project?.settings),
    thresholds: evaluation.spec.operatingPoints,
  });
  if (!outcome.ok) return fail(outcome.reason);
  await evaluationRepository().finish(evaluationId, { finishedAt, report: outcome.report });
  await auditLog().append({
    actor: 'system:AggregateEvaluation',
    action: 'evaluation.complete',
    targetType: 'evaluation',
    targetId: evaluationId,
    details: evaluationAuditSummary({ ...evaluation, status: 'succeeded', report: outcome.report }),
  });
  return 'succeeded';
}
