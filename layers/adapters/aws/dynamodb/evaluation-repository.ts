import { PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Evaluation, EvaluationReport } from '../../../evaluation';
import { conditionalWrite, getItem } from './table-io';

/**
 * Model evaluations (docs/evaluation.md). Items:
 *   pk `EVALUATION#{id}`, sk `EVALUATION` (the record, its report once done)
 *   gsi1pk `EVALUATOR#{owner}#{project}`, gsi1sk `{createdAt}#{id}` (an evaluator's evaluations of a project, by time: the quota)
 */
const key = (evaluationId: string) => ({ pk: `EVALUATION#${evaluationId}`, sk: 'EVALUATION' });
const ownerPartition = (owner: string, project: string): string => `EVALUATOR#${owner}#${project}`;

export class EvaluationRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async create(evaluation: Evaluation): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...key(evaluation.evaluationId),
          gsi1pk: ownerPartition(evaluation.owner, evaluation.project),
          gsi1sk: `${evaluation.createdAt}#${evaluation.evaluationId}`,
          type: 'evaluation',
          ...evaluation,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
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
