import { httpHandler } from '../../layers/adapters/aws/http';
import { logger } from '../../layers/adapters/aws/powertools';
import { evaluationSpec } from '../../layers/evaluation';
import { createEvaluation } from '../../layers/services/evaluation-requests';

/**
 * POST /evaluations (evaluator): declares a model evaluation on a project's sequestered cases. Refused
 * with 429 past the evaluator's quota; else answers the evaluation and a presigned PUT for the model,
 * signed for its declared size. The run starts with POST /evaluations/{id}/run once the model is uploaded.
 */
export const handler = httpHandler({ body: evaluationSpec }, async function requestEvaluation({ caller, body }) {
  const { evaluation, upload } = await createEvaluation(caller.subject, body);
  logger.info('evaluation created', { evaluationId: evaluation.evaluationId, project: evaluation.project });
  return {
    statusCode: 201,
    body: { evaluationId: evaluation.evaluationId, status: evaluation.status, createdAt: evaluation.createdAt, upload },
  };
});
