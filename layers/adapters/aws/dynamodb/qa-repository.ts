import { DeleteCommand, DynamoDBDocumentClient, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TransientError } from '../../../common/errors';
import type { Instance, Submission } from '../../../catalog/entities';
import * as keys from '../../../catalog/item-keys';
import { OwnershipConflict } from '../../../catalog/ownership';
import { QA_PREFIX, qaKeys, QUARANTINE_PARTITION } from '../../../catalog/qa-keys';
import type { FileQaResult, QuarantineFilter, QuarantineRecord, QuarantineReview, SubmissionQaResult } from '../../../catalog/qa-entities';
import { instanceItem } from './instance-item';
import { sopClaimPut, type SopClaimInput } from './sop-claim-item';
import { ownershipConflictIn, ownershipWrites } from './intake-repository';
import {
  conditionalWrite,
  decodeCursor,
  encodeCursor,
  getItem,
  getItems,
  itemKeyOf,
  queryAllByPrefix,
  readPages,
  stripKeys,
  type TransactItem,
} from './table-io';

export interface QaPage<T> {
  readonly items: T[];
  readonly cursor?: string;
}

export type SopClaim =
  { readonly claimed: true } | { readonly claimed: false; readonly holder: { readonly fileId: string; readonly submissionId: string } };

/** The file's state changed under us (another writer got there first). */
export class FileStateChanged extends Error {
  override readonly name = 'FileStateChanged';
}

export class InvalidQuarantineCursor extends Error {
  override readonly name = 'InvalidQuarantineCursor';
}

/**
 * QA's storage adapter over the catalog table: project configurations, per-file
 * and per-submission results, SOP claims, quarantine records, and the file state
 * changes QA makes (missing; staged -> quarantined; quarantined -> staged), each
 * with the submission's counters in one transaction like staging's. Those
 * transactions span the intake aggregate (file, counters) and the publication one
 * (the instance), and live here because QA owns their decision: the reconciler's
 * missing-file check, a study rule sending a file back, a curator admitting one from quarantine (with the same
 * ownership claims as staging, from the intake repository).
 */
export class QaRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async getProjectConfig(project: string): Promise<unknown> {
    const item = await this.get<{ config: unknown }>(qaKeys.projectConfig(project));
    return item?.config;
  }

  async putProjectConfig(project: string, config: unknown, updatedBy: string, updatedAt: string): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...qaKeys.projectConfig(project), type: 'qa-config', project, config, updatedBy, updatedAt },
      }),
    );
  }

  /**
   * Records a file's instance QA result. A clean pass (no findings) is stored as the absence of a
   * result, which the QA report reads the same way: most files pass clean, and a strongly
   * consistent read that finds none costs a fifth of a write. One is written still when an
   * earlier result (a retry's, a review's) would otherwise stand in its place.
   */
  async putFileResult(result: FileQaResult): Promise<void> {
    if (result.outcome === 'pass' && result.findings.length === 0) {
      const earlier = await this.get<FileQaResult>(qaKeys.fileResult(result.submissionId, result.fileId));
      if (!earlier) return;
    }
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...qaKeys.fileResult(result.submissionId, result.fileId), type: 'qa-file', ...result },
      }),
    );
  }

  async listFileResults(submissionId: string): Promise<FileQaResult[]> {
    return this.queryAll<FileQaResult>(`SUBMISSION#${submissionId}`, QA_PREFIX.fileResult);
  }

  async putSubmissionResult(result: SubmissionQaResult): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...qaKeys.submissionResult(result.submissionId), type: 'qa-submission', ...result },
      }),
    );
  }

  async getSubmissionResult(submissionId: string): Promise<SubmissionQaResult | undefined> {
    return this.get<SubmissionQaResult>(qaKeys.submissionResult(submissionId));
  }

  /** Claims a SOP Instance UID for these bytes; the same bytes (or the same file) again is fine. */
  async claimSop(claim: SopClaimInput): Promise<SopClaim> {
    const key = qaKeys.sopClaim(claim.studyUid, claim.seriesUid, claim.sopUid);
    const result = await conditionalWrite(this.db, new PutCommand(sopClaimPut(this.table, claim)));
    if (result.written) return { claimed: true };
    const holder = await this.get<{ fileId: string; submissionId: string }>(key);
    if (!holder) throw new TransientError('a SOP claim changed while it was read; retry');
    return { claimed: false, holder: { fileId: holder.fileId, submissionId: holder.submissionId } };
  }

  /** Takes a claim over from a holder that never got published (quarantined, rejected). */
  async takeOverSop(
    claim: { studyUid: string; seriesUid: string; sopUid: string; sha256: string; fileId: string; submissionId: string; at: string },
    previousFileId: string,
  ): Promise<boolean> {
    const result = await conditionalWrite(
      this.db,
      new UpdateCommand({
        TableName: this.table,
        Key: qaKeys.sopClaim(claim.studyUid, claim.seriesUid, claim.sopUid),
        UpdateExpression: 'SET sha256 = :sha, fileId = :file, submissionId = :sub, claimedAt = :at',
        ConditionExpression: 'fileId = :previous',
        ExpressionAttributeValues: {
          ':sha': claim.sha256,
          ':file': claim.fileId,
          ':sub': claim.submissionId,
          ':at': claim.at,
          ':previous': previousFileId,
        },
      }),
    );
    return result.written;
  }

  /** The file that claimed a SOP Instance UID (at Qa), if any: the one whose Stage writes its released object. */
  async getSopClaimant(studyUid: string, seriesUid: string, sopUid: string): Promise<{ submissionId: string; fileId: string } | undefined> {
    const claim = await this.get<{ submissionId?: string; fileId?: string }>(qaKeys.sopClaim(studyUid, seriesUid, sopUid));
    return claim?.submissionId && claim.fileId ? { submissionId: claim.submissionId, fileId: claim.fileId } : undefined;
  }

  /** Creates the record, or re-opens one whose earlier review released it; false if it is already open. */
  async putQuarantine(record: QuarantineRecord): Promise<boolean> {
    const result = await conditionalWrite(
      this.db,
      new PutCommand({
        TableName: this.table,
        Item: {
          ...qaKeys.quarantine(record.quarantineId),
          ...qaKeys.quarantineIndex(record.quarantinedAt, record.quarantineId),
          type: 'quarantine',
          ...record,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR #status = :released',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':released': 'released' },
      }),
    );
    return result.written;
  }

  /**
   * Deletes the open record a quarantine attempt created at `quarantinedAt` (its file got another
   * outcome first); a record reviewed since, or written by another attempt, stays. False when none was deleted.
   */
  async withdrawQuarantine(quarantineId: string, quarantinedAt: string): Promise<boolean> {
    const result = await conditionalWrite(
      this.db,
      new DeleteCommand({
        TableName: this.table,
        Key: qaKeys.quarantine(quarantineId),
        ConditionExpression: '#status = :quarantined AND quarantinedAt = :at',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':quarantined': 'quarantined', ':at': quarantinedAt },
      }),
    );
    return result.written;
  }

  async getQuarantine(quarantineId: string): Promise<QuarantineRecord | undefined> {
    return this.get<QuarantineRecord>(qaKeys.quarantine(quarantineId));
  }

  /** The records of many ids (a submission's files, for its report), a hundred a request; an id without one is absent. */
  async getQuarantines(quarantineIds: readonly string[]): Promise<Map<string, QuarantineRecord>> {
    const found = await getItems<QuarantineRecord>(this.db, this.table, quarantineIds.map(qaKeys.quarantine));
    const records = new Map<string, QuarantineRecord>();
    for (const id of quarantineIds) {
      const record = found.get(itemKeyOf(qaKeys.quarantine(id)));
      if (record) records.set(id, record);
    }
    return records;
  }

  /**
   * Quarantine records, newest first, filtered. DynamoDB filters after reading a
   * page, so this reads pages until `limit` records match or the index ends.
   */
  async listQuarantine(filter: QuarantineFilter, limit: number, cursor?: string): Promise<QaPage<QuarantineRecord>> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':pk': QUARANTINE_PARTITION };
    const conditions: string[] = [];
    const equal = (field: string, value: string | undefined) => {
      if (value === undefined) return;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      conditions.push(`#${field} = :${field}`);
    };
    equal('project', filter.project);
    equal('submissionId', filter.submissionId);
    equal('status', filter.status);
    if (filter.ruleId !== undefined) {
      names['#rules'] = 'rules';
      values[':rule'] = filter.ruleId;
      conditions.push('contains(#rules, :rule)');
    }
    const { items, next } = await readPages(
      this.db,
      {
        query: {
          TableName: this.table,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ...(conditions.length ? { FilterExpression: conditions.join(' AND '), ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
        },
      },
      { limit, start: cursor ? decodeCursor(cursor, () => new InvalidQuarantineCursor('the cursor is not valid')) : undefined },
    );
    return { items: items.map((item) => stripKeys<QuarantineRecord>(item)), ...(next ? { cursor: encodeCursor(next) } : {}) };
  }

  /** Records a curator's decision on an open record; false when it was already decided. */
  async reviewQuarantine(quarantineId: string, review: QuarantineReview): Promise<boolean> {
    const result = await conditionalWrite(
      this.db,
      new UpdateCommand({
        TableName: this.table,
        Key: qaKeys.quarantine(quarantineId),
        UpdateExpression: 'SET #status = :status, review = :review',
        ConditionExpression: '#status = :open',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': review.action, ':review': review, ':open': 'quarantined' },
      }),
    );
    return result.written;
  }

  /**
   * Sealed submissions (for the reconciler's missing-file check): a filtered scan, fine at
   * today's sizes; a sparse index written at sealing is the follow-up at scale.
   */
  /** Sealed submissions, and published ones whose workflow did not finish (see Submission.completionPendingSince). */
  async listUnfinishedSubmissions(): Promise<Submission[]> {
    const { items } = await readPages(this.db, {
      scan: {
        TableName: this.table,
        FilterExpression:
          '#type = :submission AND (#status = :sealed OR (#status = :published AND attribute_exists(completionPendingSince)))',
        ExpressionAttributeNames: { '#type': 'type', '#status': 'status' },
        ExpressionAttributeValues: { ':submission': 'submission', ':sealed': 'sealed', ':published': 'published' },
      },
    });
    return items.map((item) => stripKeys<Submission>(item));
  }

  /** An announced file that never arrived: `missing`, counted as handled so the submission can publish. */
  async markFileMissing(submissionId: string, fileId: string, at: string): Promise<boolean> {
    return this.transact([
      {
        Update: {
          TableName: this.table,
          Key: keys.submissionFile(submissionId, fileId),
          UpdateExpression: 'SET #status = :missing, handledAt = :at, reasonCode = :code, reason = :reason',
          ConditionExpression: 'attribute_exists(pk) AND #status = :announced',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':missing': 'missing',
            ':announced': 'announced',
            ':at': at,
            ':code': 'submission.all-received',
            ':reason': 'announced but never received',
          },
        },
      },
      {
        Update: {
          TableName: this.table,
          Key: keys.submission(submissionId),
          UpdateExpression: 'ADD handledCount :one, missingCount :one',
          ExpressionAttributeValues: { ':one': 1 },
        },
      },
    ]);
  }

  /**
   * A staged file a study rule rejected: its outcome becomes quarantined and its
   * instance record is deleted (only if it is still this file's), so indexing and
   * publication never see it. The caller has already copied the released object.
   */
  async moveStagedToQuarantine(
    file: { submissionId: string; fileId: string; quarantineKey: string; reasonCode: string; reason: string; at: string },
    instance: { studyUid: string; seriesUid: string; sopUid: string },
  ): Promise<boolean> {
    return this.transact([
      {
        Update: {
          TableName: this.table,
          Key: keys.submissionFile(file.submissionId, file.fileId),
          UpdateExpression:
            'SET #status = :quarantined, quarantineKey = :qk, reasonCode = :code, reason = :reason, handledAt = :at REMOVE releasedKey',
          ConditionExpression: '#status = :staged',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':quarantined': 'quarantined',
            ':staged': 'staged',
            ':qk': file.quarantineKey,
            ':code': file.reasonCode,
            ':reason': file.reason,
            ':at': file.at,
          },
        },
      },
      {
        Update: {
          TableName: this.table,
          Key: keys.submission(file.submissionId),
          UpdateExpression: 'ADD stagedCount :minus, quarantinedCount :one',
          ExpressionAttributeValues: { ':one': 1, ':minus': -1 },
        },
      },
      {
        Delete: {
          TableName: this.table,
          Key: keys.instance(instance.studyUid, instance.seriesUid, instance.sopUid),
          ConditionExpression: 'attribute_not_exists(pk) OR fileId = :file',
          ExpressionAttributeValues: { ':file': file.fileId },
        },
      },
    ]);
  }

  /**
   * A file a curator admits from quarantine: quarantined -> staged (record status `released`), with its instance record (the file's
   * `studyUid` makes the study one of the submission's: listSubmissionStudyUids), under the same ownership claims as staging
   * (OwnershipConflict when the study, series or SOP belongs to another).
   */
  async restoreToStaged(
    file: { submissionId: string; fileId: string; releasedKey: string; at: string },
    instance: Instance,
  ): Promise<boolean> {
    return this.transact(
      [
        {
          Update: {
            TableName: this.table,
            Key: keys.submissionFile(file.submissionId, file.fileId),
            UpdateExpression:
              // qaFindings (a staged file a study rule sent back): the admission's QA result item is the one read now.
              'SET #status = :staged, releasedKey = :rk, studyUid = :study, handledAt = :at REMOVE quarantineKey, reasonCode, reason, qaFindings',
            ConditionExpression: '#status = :quarantined',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':staged': 'staged',
              ':quarantined': 'quarantined',
              ':rk': file.releasedKey,
              ':study': instance.studyUid,
              ':at': file.at,
            },
          },
        },
        {
          Update: {
            TableName: this.table,
            Key: keys.submission(file.submissionId),
            UpdateExpression: 'ADD stagedCount :one, quarantinedCount :minus',
            ExpressionAttributeValues: { ':one': 1, ':minus': -1 },
          },
        },
        ...ownershipWrites(this.table, instance),
        { Put: { TableName: this.table, Item: instanceItem(instance) } },
      ],
      2,
    );
  }

  /**
   * A file state change with its counters: false when the file was no longer in the
   * state it started from (item 0's condition). `ownershipAt`: where ownershipWrites'
   * items start, when the transaction has them.
   */
  private async transact(items: TransactItem[], ownershipAt?: number): Promise<boolean> {
    const result = await conditionalWrite(this.db, new TransactWriteCommand({ TransactItems: items }));
    if (result.written) return true;
    if (result.failedAt.includes(0)) return false;
    const conflict = ownershipAt === undefined ? undefined : ownershipConflictIn(result, ownershipAt);
    if (conflict) throw new OwnershipConflict(conflict);
    if (result.conflict) throw new TransientError('a concurrent write to the same file; retry');
    if (result.failedAt.length > 0) throw new FileStateChanged('the instance record belongs to another file');
    throw result.cause;
  }

  private get<T>(key: { pk: string; sk: string }): Promise<T | undefined> {
    return getItem<T>(this.db, this.table, key);
  }

  private queryAll<T>(pk: string, prefix: string): Promise<T[]> {
    return queryAllByPrefix<T>(this.db, this.table, pk, prefix);
  }
}
