/**
 * The evaluation workflow's data contract (docs/evaluation.md): one execution per "Evaluation
 * Requested" event. The state carries the evaluation id, case indexes and released object keys;
 * never a label, a score or a case id.
 */
import { z } from 'zod';

export const EVALUATION_REQUESTED = 'Evaluation Requested';
export const evaluationRequestedDetail = z.object({ evaluationId: z.string().uuid() });

/** The execution input: the EventBridge event. */
export const evaluationExecutionInput = z.object({ detail: evaluationRequestedDetail });

export const evaluationInput = z.object({ evaluationId: z.string().uuid() });
export type EvaluationInput = z.infer<typeof evaluationInput>;

export const scoreCaseInput = z.object({
  evaluationId: z.string().uuid(),
  caseIndex: z.number().int().min(0),
  objectKey: z.string().min(1),
});
export type ScoreCaseInput = z.infer<typeof scoreCaseInput>;

/** EvaluationCases' result: the Map's items. */
export const evaluationCasesResult = z.object({
  evaluationId: z.string().uuid(),
  items: z.array(scoreCaseInput),
});
export type EvaluationCasesResult = z.infer<typeof evaluationCasesResult>;

/** The last task's input: the evaluation and whether the steps before it failed. */
export const aggregateEvaluationInput = z.object({ evaluationId: z.string().uuid(), failed: z.boolean() });
export type AggregateEvaluationInput = z.infer<typeof aggregateEvaluationInput>;

export interface EvaluationExecutionState {
  readonly detail: z.infer<typeof evaluationRequestedDetail>;
  readonly cases?: EvaluationCasesResult;
}
