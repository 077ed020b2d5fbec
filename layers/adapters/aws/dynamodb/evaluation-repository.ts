import { QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TransientError } from '../../../common/errors';
import {
  freeQuotaSlot,
  quotaPeriodStart,
  type Evaluation,
  type EvaluationQuota,
  type EvaluationReport,
  type QuotaSlotClaim,
} from '../../../evaluation';
import { conditionalWrite, getItem, queryAllByPrefix } from './table-io';

/**
 * Model evaluations (docs/evaluation.md). Items:
 *   pk `EVALUATION#{id}`, sk `EVALUATION` (the record, its report once done)
 *   gsi1pk `EVALUATOR#{owner}#{project}`, gsi1sk `{createdAt}#{id}` (an evaluator's evaluations of a project, by time: the quota)
 *   pk `EVALUATION-QUOTA#{owner}#{project}`, sk `SLOT#{n}` (the quota's slots: `slot`, `claimedAt`, `evaluationId`)
 */
const key = (evaluationId: string) => ({ pk: `EVALUATION#${evaluationId}`, sk: 'EVALUATION' });
const ownerPartition = (owner: string, project: string): string => `EVALUATOR#${owner}#${project}`;
const quotaPartition = (owner: string, project: string): string => `EVALUATION-QUOTA#${owner}#${project}`;
const SLOT_PREFIX = 'SLOT#';

/** Transactions cancelled by a concurrent one on the same slot are retried this many times. */
const CONFLICT_RETRIES = 8;

export class EvaluationRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /**
   * Creates the record only if the owner has a quota slot free on the project at the record's
   * creation time: the slot's claim and the record are one transaction, and the claim's
   * condition (the slot's last claim left the period) makes concurrent requests take distinct
   * slots, so exactly `quota.evaluations` of any number of racing requests succeed. False when
   * every slot is held.
   */
  async createWithinQuota(evaluation: Evaluation, quota: EvaluationQuota): Promise<boolean> {
    const now = new Date(evaluation.createdAt);
    const periodStart = quotaPeriodStart(now, quota);
    let conflicts = 0;
    // Each refused claim means another request claimed that slot within the period, so after
    // at most `quota.evaluations` of them none is free and the loop ends by returning false.
    for (let taken = 0; taken <= quota.evaluations;) {
      const slot = freeQuotaSlot(await this.quotaClaims(evaluation.owner, evaluation.project), quota, now);
      if (slot === undefined) return false;
      const result = await conditionalWrite(
        this.db,
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.table,
                Key: { pk: quotaPartition(evaluation.owner, evaluation.project), sk: `${SLOT_PREFIX}${slot}` },
                UpdateExpression: 'SET slot = :slot, claimedAt = :at, evaluationId = :id',
                ConditionExpression: 'attribute_not_exists(claimedAt) OR claimedAt < :periodStart',
                ExpressionAttributeValues: {
                  ':slot': slot,
                  ':at': evaluation.createdAt,
                  ':id': evaluation.evaluationId,
                  ':periodStart': periodStart,
                },
              },
            },
            { Put: { TableName: this.table, Item: this.recordItem(evaluation), ConditionExpression: 'attribute_not_exists(pk)' } },
          ],
        }),
      );
      if (result.written) return true;
      if (result.failedAt.includes(0)) taken += 1;
      else if (result.conflict && conflicts < CONFLICT_RETRIES) {
        conflicts += 1;
        await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 40 * conflicts));
      } else throw result.cause;
    }
    throw new TransientError('the evaluation quota could not be claimed');
  }

  private async quotaClaims(owner: string, project: string): Promise<QuotaSlotClaim[]> {
    return queryAllByPrefix<QuotaSlotClaim>(this.db, this.table, quotaPartition(owner, project), SLOT_PREFIX);
  }

  private recordItem(evaluation: Evaluation): Record<string, unknown> {
    return {
      ...key(evaluation.evaluationId),
      gsi1pk: ownerPartition(evaluation.owner, evaluation.project),
      gsi1sk: `${evaluation.createdAt}#${evaluation.evaluationId}`,
      type: 'evaluation',
      ...evaluation,
    };
  }

  async get(evaluationId: string): Promise<Evaluation | undefined> {
    return getItem<Evaluation>(this.db, this.table, key(evaluationId));
  }

  /** How many evaluations the owner created on the project at or after `since` (ISO time). */
  async countSince(owner: string, project: string, since: string): Promise<number> {
    let count = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk >= :since',
          ExpressionAttributeValues: { ':pk': ownerPartition(owner, project), ':since': since },
          Select: 'COUNT',
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      count += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    return count;
  }

  /** awaiting-model -> running, once: false when it was not awaiting its model. */
  async markRunning(evaluationId: string, startedAt: string): Promise<boolean> {
    const result = await conditionalWrite(
      this.db,
      new UpdateCommand({
        TableName: this.table,
        Key: key(evaluationId),
        UpdateExpression: 'SET #status = :running, startedAt = :at',
        ConditionExpression: '#status = :awaiting',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':running': 'running', ':awaiting': 'awaiting-model', ':at': startedAt },
      }),
    );
    return result.written;
  }

  async finish(
    evaluationId: string,
    outcome: { readonly finishedAt: string } & ({ readonly report: EvaluationReport } | { readonly failure: string }),
  ): Promise<void> {
    const succeeded = 'report' in outcome;
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: key(evaluationId),
        UpdateExpression: `SET #status = :status, finishedAt = :at, ${succeeded ? 'report' : 'failure'} = :value`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': succeeded ? 'succeeded' : 'failed',
          ':at': outcome.finishedAt,
          ':value': succeeded ? outcome.report : outcome.failure,
        },
      }),
    );
  }
}
