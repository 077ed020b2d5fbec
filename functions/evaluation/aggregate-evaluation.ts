import { logger } from '../../layers/adapters/aws/powertools';
import { taskHandler } from '../../layers/adapters/aws/task';
import { aggregateEvaluationInput } from '../../layers/pipeline/evaluation-states';
import { aggregateEvaluation } from '../../layers/services/evaluation-tasks';

/** Last state of the evaluation workflow: the aggregate report on the record, a summary in the audit log (also after a failure). */
export const handler = taskHandler(aggregateEvaluationInput, async function aggregate({ evaluationId, failed }) {
  const status = await aggregateEvaluation(evaluationId, failed);
  logger.info('evaluation finished', { evaluationId, status });
  return { evaluationId, status };
});
