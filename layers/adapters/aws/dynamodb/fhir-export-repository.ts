import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { FhirExportJob } from '../../../catalog/fhir/bulk-data';
import { conditionalWrite, getItem } from './table-io';

/** A FHIR Bulk Data export job's item: `FHIREXPORT#{jobId}` / `FHIREXPORT` (docs/fhir.md). */
export const fhirExportJobKey = (jobId: string) => ({ pk: `FHIREXPORT#${jobId}`, sk: 'FHIREXPORT' });

/**
 * FHIR export jobs: created by the kick-off, finished by the export task, deleted by the
 * status URL's DELETE. A job's files are in the released bucket (fhirExportPrefix).
 */
export class FhirExportRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async createJob(job: FhirExportJob): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...fhirExportJobKey(job.jobId), type: 'fhir-export', ...job },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async getJob(jobId: string): Promise<FhirExportJob | undefined> {
    return getItem<FhirExportJob>(this.db, this.table, fhirExportJobKey(jobId));
  }

  /**
   * Writes the job's new state only while it is still in progress and still there: a job deleted
   * (cancelled) meanwhile stays deleted, and a finished one is never rewritten. False when refused.
   */
  async updateInProgress(job: FhirExportJob): Promise<boolean> {
    const result = await conditionalWrite(
      this.db,
      new PutCommand({
        TableName: this.table,
        Item: { ...fhirExportJobKey(job.jobId), type: 'fhir-export', ...job },
        ConditionExpression: 'attribute_exists(pk) AND #status = :running',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':running': 'in-progress' },
      }),
    );
    return result.written;
  }

  async deleteJob(jobId: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.table, Key: fhirExportJobKey(jobId) }));
  }
}
