/** Evaluation records (docs/evaluation.md): the repository, and an evaluator's own record. */
import { documentClient } from '../adapters/aws/clients';
import { EvaluationRepository } from '../adapters/aws/dynamodb/evaluation-repository';
import { lazyConfig, requireEnv } from '../common/config';
import { ENV } from '../common/env-names';
import { NotFound } from '../common/errors';
import type { Evaluation } from '../evaluation';

export const evaluationRepository = /* @__PURE__ */ lazyConfig(
  () => new EvaluationRepository(documentClient(), requireEnv(ENV.catalogTable)),
);

/** The caller's own evaluation; another's is answered as absent. */
export async function ownEvaluation(owner: string, evaluationId: string, seesAll = false): Promise<Evaluation> {
  const evaluation = await evaluationRepository().get(evaluationId);
  if (!evaluation || (!seesAll && evaluation.owner !== owner)) throw new NotFound('no such evaluation');
  return evaluation;
}
