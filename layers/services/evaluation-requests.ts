/**
 * POST /evaluations (docs/evaluation.md): the evaluator's quota first, then the record (audited
 * with the model's SHA-256) and a presigned PUT of the model into the private `evaluations/`
 * prefix of the released bucket, signed for the declared size.
 */
import { randomUUID } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3Client } from '../adapters/aws/clients';
import { BadRequest, HttpError, NotFound } from '../common/errors';
import {
  evaluationModelKey,
  evaluationQuotaOf,
  quotaPeriodStart,
  quotaReachedReason,
  quotaRefusal,
  type Evaluation,
  type EvaluationSpec,
} from '../evaluation';
import { auditLog, buckets, limits, projectRepository } from './commons-context';
import { evaluationRepository } from './evaluation-records';
import { projectLabelNames } from './project-label';

/** One evaluation too many in the period: 429. */
export class EvaluationQuotaReached extends HttpError {
  override readonly name = 'EvaluationQuotaReached';
  constructor(message: string) {
    super(429, message);
  }
}

const SIGN_CONTENT_LENGTH = { signableHeaders: new Set(['content-length']) };

export interface CreatedEvaluation {
  readonly evaluation: Evaluation;
  readonly upload: { readonly method: 'PUT'; readonly url: string; readonly expiresAt: string };
}

/** POST /evaluations: the quota first, then the record and a presigned PUT signed for the model's declared size. */
export async function createEvaluation(owner: string, spec: EvaluationSpec, now = new Date()): Promise<CreatedEvaluation> {
  const project = await projectRepository().getProject(spec.project);
  if (!project) throw new NotFound('no such project');
  const labels = projectLabelNames(project);
  if (!labels.includes(spec.task.label)) throw new BadRequest(`the project's task labels are: ${labels.join(', ')}`);
  const quota = evaluationQuotaOf(project.settings);
  // The count refuses early (and sees evaluations beyond a quota lowered since); the slot claim
  // in createWithinQuota is what holds under concurrency.
  const counted = await evaluationRepository().countSince(owner, spec.project, quotaPeriodStart(now, quota));
  const evaluation: Evaluation = {
    evaluationId: randomUUID(),
    owner,
    project: spec.project,
    spec,
    status: 'awaiting-model',
    createdAt: now.toISOString(),
  };
  const created = quotaRefusal(counted, quota) === null && (await evaluationRepository().createWithinQuota(evaluation, quota));
  if (!created) {
    await auditLog().append({
      actor: owner,
      action: 'evaluation.refused',
      targetType: 'project',
      targetId: spec.project,
      outcome: 'denied',
      details: { reason: 'quota', modelSha256: spec.model.sha256, counted, quota },
    });
    throw new EvaluationQuotaReached(quotaReachedReason(quota));
  }
  await auditLog().append({
    actor: owner,
    action: 'evaluation.create',
    targetType: 'evaluation',
    targetId: evaluation.evaluationId,
    details: { project: spec.project, modelSha256: spec.model.sha256, modelBytes: spec.model.bytes },
  });
  const { uploadUrlTtlSeconds } = limits();
  const url = await getSignedUrl(
    s3Client(),
    new PutObjectCommand({ Bucket: buckets.released(), Key: evaluationModelKey(evaluation.evaluationId), ContentLength: spec.model.bytes }),
    { expiresIn: uploadUrlTtlSeconds, ...SIGN_CONTENT_LENGTH },
  );
  return { evaluation, upload: { method: 'PUT', url, expiresAt: new Date(now.getTime() + uploadUrlTtlSeconds * 1000).toISOString() } };
}
