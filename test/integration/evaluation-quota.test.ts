/**
 * The evaluation quota under concurrency (docs/evaluation.md): the slot claim and the record are
 * one conditional transaction on DynamoDB Local, so of many simultaneous requests exactly the
 * quota's number are created, and a slot is free again once its claim has left the period.
 */
import { EvaluationRepository } from '../../layers/adapters/aws/dynamodb/evaluation-repository';
import type { Evaluation } from '../../layers/evaluation';
import { startCatalogTable, type CatalogTable } from '../support/catalog-table';

jest.setTimeout(60_000);

const TABLE = 'evaluation-quota-test';

const evaluation = (id: string, owner: string, project: string, createdAt: string): Evaluation => ({
  evaluationId: id,
  owner,
  project,
  spec: {
    project,
    model: { bytes: 10, sha256: 'a'.repeat(64) },
    input: { width: 8, height: 8 },
    preprocessing: { kind: 'window', center: 40, width: 400 },
    series: { modality: 'CT', instance: 'middle' },
    task: { label: 'covid19', positive: 'Yes' },
    operatingPoints: [0.5],
  },
  status: 'awaiting-model',
  createdAt,
});

describe('the evaluation quota on DynamoDB Local', () => {
  let table: CatalogTable;
  let repository: EvaluationRepository;

  beforeAll(async () => {
    table = await startCatalogTable(TABLE);
    repository = new EvaluationRepository(table.documents, TABLE);
  });

  afterAll(async () => {
    await table?.stop();
  });

  it('creates exactly the quota of twelve simultaneous requests and no record for the others', async () => {
    const quota = { evaluations: 3, days: 30 };
    const at = '2026-12-01T10:00:00.000Z';
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, (_, i) => repository.createWithinQuota(evaluation(`race-${i}`, 'evaluator-a', 'p', at), quota)),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(3);
    const created = await Promise.all(outcomes.map((_, i) => repository.get(`race-${i}`)));
    expect(created.map((record) => record !== undefined)).toEqual(outcomes);
    expect(await repository.countSince('evaluator-a', 'p', '2026-11-01T00:00:00.000Z')).toBe(3);
  });

  it("frees a slot when its claim leaves the period, and keeps evaluators' and projects' quotas apart", async () => {
    const quota = { evaluations: 1, days: 7 };
    expect(await repository.createWithinQuota(evaluation('roll-1', 'evaluator-b', 'p', '2026-12-01T10:00:00.000Z'), quota)).toBe(true);
    expect(await repository.createWithinQuota(evaluation('roll-2', 'evaluator-b', 'p', '2026-12-08T09:59:59.999Z'), quota)).toBe(false);
    expect(await repository.createWithinQuota(evaluation('roll-3', 'evaluator-c', 'p', '2026-12-08T09:59:59.999Z'), quota)).toBe(true);
    expect(await repository.createWithinQuota(evaluation('roll-4', 'evaluator-b', 'q', '2026-12-08T09:59:59.999Z'), quota)).toBe(true);
    expect(await repository.createWithinQuota(evaluation('roll-5', 'evaluator-b', 'p', '2026-12-08T10:00:00.001Z'), quota)).toBe(true);
    expect(await repository.get('roll-2')).toBeUndefined();
  });
});
