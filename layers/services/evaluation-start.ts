/**
 * POST /evaluations/{id}/run (docs/evaluation.md): the uploaded model must be the declared one
 * (size and SHA-256), then "Evaluation Requested" on the hilum bus starts the workflow.
 */
import { createHash } from 'node:crypto';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { eventBridgeClient } from '../adapters/aws/clients';
import { requireEnv } from '../common/config';
import { ENV } from '../common/env-names';
import { Conflict } from '../common/errors';
import { evaluationModelKey, type Evaluation } from '../evaluation';
import { EVALUATION_REQUESTED } from '../pipeline/evaluation-states';
import { PIPELINE_EVENT_SOURCE } from '../pipeline/events';
import { buckets, objects } from './commons-context';
import { evaluationRepository, ownEvaluation } from './evaluation-records';

/** POST /evaluations/{id}/run: the uploaded model must be the declared one (size, SHA-256); then the workflow starts. */
export async function startEvaluation(owner: string, evaluationId: string): Promise<Evaluation> {
  const evaluation = await ownEvaluation(owner, evaluationId);
  if (evaluation.status !== 'awaiting-model') throw new Conflict(`the evaluation is ${evaluation.status}`);
  const model = await objects().getBytes(buckets.released(), evaluationModelKey(evaluationId), { atMost: evaluation.spec.model.bytes });
  if (!model) throw new Conflict('the model has not been uploaded');
  const sha256 = createHash('sha256').update(model).digest('hex');
  if (model.byteLength !== evaluation.spec.model.bytes || sha256 !== evaluation.spec.model.sha256) {
    throw new Conflict('the uploaded model does not match the declared size and SHA-256');
  }
  const startedAt = new Date().toISOString();
  if (!(await evaluationRepository().markRunning(evaluationId, startedAt))) throw new Conflict('the evaluation has already started');
  const result = await eventBridgeClient().send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: requireEnv(ENV.eventBusName),
          Source: PIPELINE_EVENT_SOURCE,
          DetailType: EVALUATION_REQUESTED,
          Detail: JSON.stringify({ evaluationId }),
        },
      ],
    }),
  );
  if (result.FailedEntryCount) throw new Error('the evaluation event was not accepted');
  return { ...evaluation, status: 'running', startedAt };
}
