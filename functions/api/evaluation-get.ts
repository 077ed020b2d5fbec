import { z } from 'zod';
import { httpHandler } from '../../layers/adapters/aws/http';
import { ownEvaluation } from '../../layers/services/evaluation-records';

/**
 * GET /evaluations/{evaluationId} (evaluator: own; admin: all): the status and, once done, the
 * aggregate report (metrics, ROC curve, reliability diagram, subgroup table). No case, score or
 * case id is in it: per-case outputs never leave the commons.
 */
export const handler = httpHandler(
  { path: z.object({ evaluationId: z.string().uuid() }) },
  async function getEvaluation({ caller, access, path }) {
    const evaluation = await ownEvaluation(caller.subject, path.evaluationId, access.level === 'all');
    return {
      statusCode: 200,
      body: {
        evaluationId: evaluation.evaluationId,
        project: evaluation.project,
        status: evaluation.status,
        createdAt: evaluation.createdAt,
        ...(evaluation.startedAt ? { startedAt: evaluation.startedAt } : {}),
        ...(evaluation.finishedAt ? { finishedAt: evaluation.finishedAt } : {}),
        modelSha256: evaluation.spec.model.sha256,
        spec: evaluation.spec,
        ...(evaluation.report ? { report: evaluation.report } : {}),
        ...(evaluation.failure ? { failure: evaluation.failure } : {}),
      },
    };
  },
);
