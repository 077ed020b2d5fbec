import { taskHandler } from '../../layers/adapters/aws/task';
import { scoreCaseInput } from '../../layers/pipeline/evaluation-states';
import { scoreCase } from '../../layers/services/evaluation-tasks';

/** The evaluation Map's task: runs the model on one case's image and writes its score to the private location (returns nothing). */
export const handler = taskHandler(scoreCaseInput, async function scoreOneCase(input): Promise<{ caseIndex: number }> {
  await scoreCase(input);
  return { caseIndex: input.caseIndex };
});
