import {
  DynamoDBDocumentClient, PutCommand, QueryCommand, ScanCommand, TransactWriteCommand, UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor, getItem, queryAllByPrefix, stripKeys } from './table-io';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransientError } from '../common/errors';
import type { Instance, Submission } from './entities';
import { keys } from './keys';
import { ownershipConflictAt, ownershipWrites } from './repository';
import { OwnershipConflict } from './ownership';
import { QA_PREFIX, qaKeys, QUARANTINE_PARTITION } from './qa-keys';

/** A finding as stored: rule id, severity, value-free message, and what it is about. */
export interface StoredFinding {
  readonly ruleId: string;
  readonly severity: 'warn' | 'quarantine';
  readonly message: string;
  readonly fileId?: string;
  readonly studyUid?: string;
  readonly seriesUid?: string;
}

export interface FileQaResult {
  readonly submissionId: string;
  readonly fileId: string;
  readonly outcome: 'pass' | 'warn' | 'quarantine';
  readonly findings: readonly StoredFinding[];
  readonly evaluatedAt: string;
}

export interface SubmissionQaResult {
  readonly submissionId: string;
  readonly findings: readonly StoredFinding[];
  /** Files the series/study rules sent back to quarantine. */
  readonly quarantinedFileIds: readonly string[];
  readonly evaluatedAt: string;
}

export type QuarantineStatus = 'quarantined' | 'released' | 'rejected';

export interface QuarantineReview {
  readonly action: 'released' | 'rejected';
  /** The curator's subject. */
  readonly by: string;
  readonly at: string;
  readonly reason: string;
  readonly overrides: readonly string[];
}

export interface QuarantineRecord {
  /** The file id: one record per quarantined file. */
  readonly quarantineId: string;
  readonly submissionId: string;
  readonly fileId: string;
  readonly project: string;
  readonly site: string;
  /** `original`: the uploaded (PHI) file, quarantined during ingest; `deidentified`: a staged copy a study rule sent back. */
  readonly objectKind: 'original' | 'deidentified';
  readonly objectKey: string;
  readonly sidecarKey: string;
  readonly reasonCode: string;
  /** Rule ids of the blocking findings (or the error's rule id). */
  readonly rules: readonly string[];
  readonly findings: readonly StoredFinding[];
  readonly status: QuarantineStatus;
  readonly quarantinedAt: string;
  readonly failedAfter?: string;
  readonly studyUid?: string;
  readonly seriesUid?: string;
  readonly sopUid?: string;
  readonly review?: QuarantineReview;
}

export interface QuarantineFilter {
  readonly project?: string;
  readonly ruleId?: string;
  readonly submissionId?: string;
  readonly status?: QuarantineStatus;
}

export interface QaPage<T> { readonly items: T[]; readonly cursor?: string }

export type SopClaim = { readonly claimed: true } | { readonly claimed: false; readonly holder: { readonly fileId: string; readonly submissionId: string } };

/** The file's state changed under us (another writer got there first). */
export class FileStateChanged extends Error {
  override readonly name = 'FileStateChanged';
}

/**
 * QA's storage adapter over the catalog table: project configurations, per-file
 * and per-submission results, SOP claims, quarantine records, and the file state
 * changes QA makes (missing; staged -> quarantined; quarantined -> staged), each
 * with the submission's counters in one transaction like the core repository does.
 */
export class QaRepository {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly table: string) {}

  async getProjectConfig(project: string): Promise<unknown> {
    const item = await this.get<{ config: unknown }>(qaKeys.projectConfig(project));
    return item?.config;
  }

  async putProjectConfig(project: string, config: unknown, updatedBy: string, updatedAt: string): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: { ...qaKeys.projectConfig(project), type: 'qa-config', project, config, updatedBy, updatedAt } }));
  }

  async putFileResult(result: FileQaResult): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: { ...qaKeys.fileResult(result.submissionId, result.fileId), type: 'qa-file', ...result } }));
  }

  async listFileResults(submissionId: string): Promise<FileQaResult[]> {
    return this.queryAll<FileQaResult>(`SUBMISSION#${submissionId}`, QA_PREFIX.fileResult);
  }

  async putSubmissionResult(result: SubmissionQaResult): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: { ...qaKeys.submissionResult(result.submissionId), type: 'qa-submission', ...result } }));
  }

  async getSubmissionResult(submissionId: string): Promise<SubmissionQaResult | undefined> {
    return this.get<SubmissionQaResult>(qaKeys.submissionResult(submissionId));
  }

  /** Claims a SOP Instance UID for these bytes; the same bytes (or the same file) again is fine. */
  async claimSop(claim: { studyUid: string; seriesUid: string; sopUid: string; sha256: string; fileId: string; submissionId: string; at: string }): Promise<SopClaim> {
    const key = qaKeys.sopClaim(claim.studyUid, claim.seriesUid, claim.sopUid);
    try {
      await this.db.send(new PutCommand({
        TableName: this.table,
        Item: { ...key, type: 'qa-sop-claim', sha256: claim.sha256, fileId: claim.fileId, submissionId: claim.submissionId, claimedAt: claim.at },
        ConditionExpression: 'attribute_not_exists(pk) OR sha256 = :sha OR fileId = :file',
        ExpressionAttributeValues: { ':sha': claim.sha256, ':file': claim.fileId },
      }));
      return { claimed: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const holder = await this.get<{ fileId: string; submissionId: string }>(key);
      if (!holder) throw new TransientError('a SOP claim changed while it was read; retry');
      return { claimed: false, holder: { fileId: holder.fileId, submissionId: holder.submissionId } };
    }
  }

  /** Takes a claim over from a holder that never got published (quarantined, rejected). */
  async takeOverSop(claim: { studyUid: string; seriesUid: string; sopUid: string; sha256: string; fileId: string; submissionId: string; at: string }, previousFileId: string): Promise<boolean> {
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.table,
        Key: qaKeys.sopClaim(claim.studyUid, claim.seriesUid, claim.sopUid),
        UpdateExpression: 'SET sha256 = :sha, fileId = :file, submissionId = :sub, claimedAt = :at',
        ConditionExpression: 'fileId = :previous',
        ExpressionAttributeValues: { ':sha': claim.sha256, ':file': claim.fileId, ':sub': claim.submissionId, ':at': claim.at, ':previous': previousFileId },
      }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Creates the record, or re-opens one whose earlier review released it; false if it is already open. */
  async putQuarantine(record: QuarantineRecord): Promise<boolean> {
    try {
      await this.db.send(new PutCommand({
        TableName: this.table,
        Item: { ...qaKeys.quarantine(record.quarantineId), ...qaKeys.quarantineIndex(record.quarantinedAt, record.quarantineId), type: 'quarantine', ...record },
        ConditionExpression: 'attribute_not_exists(pk) OR #status = :released',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':released': 'released' },
      }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async getQuarantine(quarantineId: string): Promise<QuarantineRecord | undefined> {
    return this.get<QuarantineRecord>(qaKeys.quarantine(quarantineId));
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
    const items: QuarantineRecord[] = [];
    let start: Record<string, unknown> | undefined = cursor ? decodeCursor(cursor, () => new InvalidQuarantineCursor('the cursor is not valid')) : undefined;
    do {
      const result = await this.db.send(new QueryCommand({
        TableName: this.table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ...(conditions.length ? { FilterExpression: conditions.join(' AND '), ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        Limit: limit - items.length,
        ExclusiveStartKey: start,
      }));
      for (const item of result.Items ?? []) items.push(stripKeys<QuarantineRecord>(item));
      start = result.LastEvaluatedKey;
    } while (start && items.length < limit);
    return { items, ...(start ? { cursor: encodeCursor(start) } : {}) };
  }

  /** Records a curator's decision on an open record; false when it was already decided. */
  async reviewQuarantine(quarantineId: string, review: QuarantineReview): Promise<boolean> {
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.table,
        Key: qaKeys.quarantine(quarantineId),
        UpdateExpression: 'SET #status = :status, review = :review',
        ConditionExpression: '#status = :open',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': review.action, ':review': review, ':open': 'quarantined' },
      }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Sealed submissions (for the missing-file sweep): a filtered scan, fine at
   * today's sizes; a sparse index written at sealing is the follow-up at scale.
   */
  async listSealedSubmissions(): Promise<Submission[]> {
    const found: Submission[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const result = await this.db.send(new ScanCommand({
        TableName: this.table,
        FilterExpression: '#type = :submission AND #status = :sealed',
        ExpressionAttributeNames: { '#type': 'type', '#status': 'status' },
        ExpressionAttributeValues: { ':submission': 'submission', ':sealed': 'sealed' },
        ExclusiveStartKey: start,
      }));
      for (const item of result.Items ?? []) found.push(stripKeys<Submission>(item));
      start = result.LastEvaluatedKey;
    } while (start);
    return found;
  }

  /** An announced file that never arrived: `missing`, counted as handled so the submission can publish. */
  async markFileMissing(submissionId: string, fileId: string, at: string): Promise<boolean> {
    return this.transact([
      {
        Update: {
          TableName: this.table, Key: keys.submissionFile(submissionId, fileId),
          UpdateExpression: 'SET #status = :missing, handledAt = :at, reasonCode = :code, reason = :reason',
          ConditionExpression: 'attribute_exists(pk) AND #status = :announced',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':missing': 'missing', ':announced': 'announced', ':at': at, ':code': 'submission.all-received', ':reason': 'announced but never received' },
        },
      },
      { Update: { TableName: this.table, Key: keys.submission(submissionId), UpdateExpression: 'ADD handledCount :one, missingCount :one', ExpressionAttributeValues: { ':one': 1 } } },
    ]);
  }

  /**
   * A staged file a study rule rejected: its outcome becomes quarantined and its
   * instance record is deleted (only if it is still this file's), so indexing and
   * publication never see it. The caller has already copied the released object.
   */
  async moveStagedToQuarantine(file: { submissionId: string; fileId: string; quarantineKey: string; reasonCode: string; reason: string; at: string },
    instance: { studyUid: string; seriesUid: string; sopUid: string }): Promise<boolean> {
    return this.transact([
      {
        Update: {
          TableName: this.table, Key: keys.submissionFile(file.submissionId, file.fileId),
          UpdateExpression: 'SET #status = :quarantined, quarantineKey = :qk, reasonCode = :code, reason = :reason, handledAt = :at REMOVE releasedKey',
          ConditionExpression: '#status = :staged',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':quarantined': 'quarantined', ':staged': 'staged', ':qk': file.quarantineKey, ':code': file.reasonCode, ':reason': file.reason, ':at': file.at },
        },
      },
      { Update: { TableName: this.table, Key: keys.submission(file.submissionId), UpdateExpression: 'ADD stagedCount :minus, quarantinedCount :one', ExpressionAttributeValues: { ':one': 1, ':minus': -1 } } },
      {
        Delete: {
          TableName: this.table, Key: keys.instance(instance.studyUid, instance.seriesUid, instance.sopUid),
          ConditionExpression: 'attribute_not_exists(pk) OR fileId = :file', ExpressionAttributeValues: { ':file': file.fileId },
        },
      },
    ]);
  }

  /**
   * A curator-released file: quarantined -> staged, with its instance record and the
   * submission's study reference, under the same ownership claims as staging
   * (OwnershipConflict when the study, series or SOP belongs to another).
   */
  async restoreToStaged(file: { submissionId: string; fileId: string; releasedKey: string; at: string }, instance: Instance): Promise<boolean> {
    return this.transact([
      {
        Update: {
          TableName: this.table, Key: keys.submissionFile(file.submissionId, file.fileId),
          UpdateExpression: 'SET #status = :staged, releasedKey = :rk, studyUid = :study, handledAt = :at REMOVE quarantineKey, reasonCode, reason',
          ConditionExpression: '#status = :quarantined',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':staged': 'staged', ':quarantined': 'quarantined', ':rk': file.releasedKey, ':study': instance.studyUid, ':at': file.at },
        },
      },
      { Update: { TableName: this.table, Key: keys.submission(file.submissionId), UpdateExpression: 'ADD stagedCount :one, quarantinedCount :minus', ExpressionAttributeValues: { ':one': 1, ':minus': -1 } } },
      ...ownershipWrites(this.table, instance),
      { Put: { TableName: this.table, Item: { ...keys.instance(instance.studyUid, instance.seriesUid, instance.sopUid), type: 'instance', ...instance } } },
      { Put: { TableName: this.table, Item: { ...keys.submissionStudy(file.submissionId, instance.studyUid), type: 'submission-study', studyUid: instance.studyUid } } },
    ], 2);
  }

  /** `ownershipAt`: where ownershipWrites' items start, when the transaction has them. */
  private async transact(items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>, ownershipAt?: number): Promise<boolean> {
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException) {
        const reasons = error.CancellationReasons ?? [];
        if (reasons[0]?.Code === 'ConditionalCheckFailed') return false;
        const conflict = ownershipAt === undefined ? undefined : ownershipConflictAt(error, ownershipAt);
        if (conflict) throw new OwnershipConflict(conflict);
        if (reasons.some((r) => r.Code === 'TransactionConflict' || r.Code === 'ThrottlingError')) throw new TransientError('a concurrent write to the same file; retry');
        if (reasons.some((r) => r.Code === 'ConditionalCheckFailed')) throw new FileStateChanged('the instance record belongs to another file');
      }
      throw error;
    }
  }

  private get<T>(key: { pk: string; sk: string }): Promise<T | undefined> {
    return getItem<T>(this.db, this.table, key);
  }

  private queryAll<T>(pk: string, prefix: string): Promise<T[]> {
    return queryAllByPrefix<T>(this.db, this.table, pk, prefix);
  }
}


export class InvalidQuarantineCursor extends Error {
  override readonly name = 'InvalidQuarantineCursor';
}

