import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Cohort, Release } from '../../../catalog/commons-entities';
import * as keys from '../../../catalog/item-keys';
import { RELEASES_PARTITION } from '../../../catalog/keys';
import { conditionalWrite, getItem, queryIndexAll, stripKeys } from './table-io';

export class ReleaseExists extends Error {
  override readonly name = 'ReleaseExists';
}

/**
 * Releases (numbered, written once) and the cohorts researchers pin to them. What a
 * release froze (manifest, snapshot, export) is in the released bucket; these are
 * its catalog records.
 */
export class ReleaseRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Writes a release once: a second cut with the same number fails (ReleaseExists). */
  async createRelease(release: Release): Promise<void> {
    const result = await conditionalWrite(
      this.db,
      new PutCommand({
        TableName: this.table,
        Item: { ...keys.release(release.releaseNumber), ...keys.releaseIndex(release.releaseNumber), type: 'release', ...release },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    if (!result.written) throw new ReleaseExists(`release ${release.releaseNumber} already exists`);
  }

  async getRelease(releaseNumber: number): Promise<Release | undefined> {
    return getItem<Release>(this.db, this.table, keys.release(releaseNumber));
  }

  /** Releases, newest first. */
  async listReleases(): Promise<Release[]> {
    return queryIndexAll<Release>(this.db, this.table, RELEASES_PARTITION, false);
  }

  async latestRelease(): Promise<Release | undefined> {
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': RELEASES_PARTITION },
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    const item = result.Items?.[0];
    return item ? stripKeys<Release>(item) : undefined;
  }

  async putCohort(cohort: Cohort): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...keys.cohort(cohort.cohortId),
          ...keys.cohortIndex(cohort.owner, cohort.createdAt, cohort.cohortId),
          type: 'cohort',
          ...cohort,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async getCohort(cohortId: string): Promise<Cohort | undefined> {
    return getItem<Cohort>(this.db, this.table, keys.cohort(cohortId));
  }
}
