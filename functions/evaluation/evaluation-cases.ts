import { logger } from '../../layers/adapters/aws/powertools';
import { taskHandler } from '../../layers/adapters/aws/task';
import { evaluationInput, type EvaluationCasesResult } from '../../layers/pipeline/evaluation-states';
import { listEvaluationCases } from '../../layers/services/evaluation-tasks';

/** First state of the evaluation workflow: the sequestered cases to score (labels kept in the private location), the Map's items. */
export const handler = taskHandler(evaluationInput, async function evaluationCases({ evaluationId }): Promise<EvaluationCasesResult> {
  const { items, unlabelled } = await listEvaluationCases(evaluationId);
  logger.info('evaluation cases listed', { evaluationId, cases: items.length, unlabelled });
  return { evaluationId, items };
});
