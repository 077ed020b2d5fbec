import { z } from 'zod';
import { httpHandler } from '../../layers/adapters/aws/http';
import { logger } from '../../layers/adapters/aws/powertools';
import { startEvaluation } from '../../layers/services/evaluation-start';

/** POST /evaluations/{evaluationId}/run (evaluator, own): checks the uploaded model against its declared size and SHA-256, then starts the run. */
export const handler = httpHandler({ path: z.object({ evaluationId: z.string().uuid() }) }, async function runEvaluation({ caller, path }) {
  const evaluation = await startEvaluation(caller.subject, path.evaluationId);
  logger.info('evaluation started', { evaluationId: evaluation.evaluationId });
  return { statusCode: 202, body: { evaluationId: evaluation.evaluationId, status: evaluation.status } };
});
