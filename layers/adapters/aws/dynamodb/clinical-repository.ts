import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ClinicalRecord } from '../../../clinical';
import { putItems, queryAllByPrefix } from './table-io';

/**
 * Clinical records (docs/catalog.md, "Clinical data") in the project's item collection:
 * `PROJECT#{id}` / `CLINICAL#{node}#{casePseudonym}#{recordId}`, so one query reads a node's
 * table for the project and another one case's records of a node.
 */
export const clinicalRecordKey = (r: Pick<ClinicalRecord, 'project' | 'node' | 'casePseudonym' | 'recordId'>) => ({
  pk: `PROJECT#${r.project}`,
  sk: `CLINICAL#${r.node}#${r.casePseudonym}#${r.recordId}`,
});

export class ClinicalRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Upserts records, 25 per batch (the caller validated the whole sheet first: a refused sheet writes nothing). */
  async putRecords(records: readonly ClinicalRecord[]): Promise<void> {
    const items = records.map((r) => ({ ...clinicalRecordKey(r), type: 'clinical-record', ...r }));
    await putItems(this.db, this.table, items, 'clinical records');
  }

  /** A node's records of the whole project (its table). */
  async listNode(project: string, node: string): Promise<ClinicalRecord[]> {
    return (await queryAllByPrefix<ClinicalRecord & { type?: string }>(this.db, this.table, `PROJECT#${project}`, `CLINICAL#${node}#`)).map(
      ({ type: _type, ...r }) => r,
    );
  }

  /** One case's records of one node. */
  async listCaseNode(project: string, node: string, casePseudonym: string): Promise<ClinicalRecord[]> {
    return (
      await queryAllByPrefix<ClinicalRecord & { type?: string }>(
        this.db,
        this.table,
        `PROJECT#${project}`,
        `CLINICAL#${node}#${casePseudonym}#`,
      )
    ).map(({ type: _type, ...r }) => r);
  }
}
