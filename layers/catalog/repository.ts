import {
  BatchWriteCommand, BatchWriteCommandInput, DynamoDBDocumentClient, PutCommand, QueryCommand, QueryCommandInput,
  TransactWriteCommand, UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransientError } from '../common/errors';
import { decodeCursor, encodeCursor, getItem, queryAllByPrefix, stripKeys } from './table-io';
import { Instance, Study, StudyAggregate, Submission, SubmissionFile } from './entities';
import { OwnershipConflict, StudyOwnershipInconsistent, type InstanceClaim, type OwnershipConflictKind, type StudyOwner } from './ownership';
import type { Caller } from '../access/caller';
import type { Case, Cohort, Grant, Project, Release, Series, SnapshotPointer } from './commons-entities';
import { keys, PREFIX, PROJECTS_PARTITION, PUBLISHED_PARTITION, RELEASES_PARTITION } from './keys';

/** DynamoDB caps a transaction at 100 items; one goes to the submission counter. */
const FILES_PER_TRANSACTION = 99;

export class SubmissionNotOpen extends Error {
  override readonly name = 'SubmissionNotOpen';
}

export interface Page<T> { readonly items: T[]; readonly cursor?: string }

/**
 * The catalog's storage adapter: the only module that knows the table layout.
 * Writes that must agree (a file's outcome and its submission's counters) are one
 * transaction, so an event delivered twice can never count a file twice.
 */
export class CatalogRepository {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly table: string) {}

  async createSubmission(submission: Submission): Promise<void> {
    await this.db.send(new PutCommand({
      TableName: this.table,
      Item: { ...keys.submission(submission.submissionId), type: 'submission', ...submission },
      ConditionExpression: 'attribute_not_exists(pk)',
    }));
  }

  async getSubmission(submissionId: string): Promise<Submission | undefined> {
    return this.get<Submission>(keys.submission(submissionId));
  }

  /** Records announced files and raises the submission's file count, only while it is open. */
  async announceFiles(submissionId: string, files: readonly SubmissionFile[]): Promise<void> {
    for (let start = 0; start < files.length; start += FILES_PER_TRANSACTION) {
      const batch = files.slice(start, start + FILES_PER_TRANSACTION);
      try {
        await this.db.send(new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.table,
                Key: keys.submission(submissionId),
                UpdateExpression: 'ADD fileCount :n',
                ConditionExpression: '#status = :open',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':n': batch.length, ':open': 'open' },
              },
            },
            ...batch.map((file) => ({
              Put: {
                TableName: this.table,
                Item: { ...keys.submissionFile(submissionId, file.fileId), type: 'file', ...file },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            })),
          ],
        }));
      } catch (error) {
        if (isCancelledByCondition(error, 0)) throw new SubmissionNotOpen('the submission is no longer open');
        throw error;
      }
    }
  }

  async getFile(submissionId: string, fileId: string): Promise<SubmissionFile | undefined> {
    return this.get<SubmissionFile>(keys.submissionFile(submissionId, fileId));
  }

  async listFiles(submissionId: string): Promise<SubmissionFile[]> {
    return this.queryAll<SubmissionFile>({ pk: keys.submission(submissionId).pk, prefix: PREFIX.file });
  }

  /** Seals an open submission; returns it, or undefined if it was not open. */
  async sealSubmission(submissionId: string, sealedAt: string): Promise<Submission | undefined> {
    try {
      const result = await this.db.send(new UpdateCommand({
        TableName: this.table,
        Key: keys.submission(submissionId),
        UpdateExpression: 'SET #status = :sealed, sealedAt = :at',
        ConditionExpression: '#status = :open',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':sealed': 'sealed', ':open': 'open', ':at': sealedAt },
        ReturnValues: 'ALL_NEW',
      }));
      return stripKeys<Submission>(result.Attributes);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /**
   * Records a staged file: its instance, the study it belongs to, its outcome and the
   * submission's counters, in one transaction. Returns false when the file already
   * had an outcome (a repeated event), in which case nothing is written. The same
   * transaction claims (or re-asserts) the study for the instance's project and site,
   * the series for the study and the SOP for the series: when any of them belongs to
   * another, nothing is written and OwnershipConflict is thrown.
   */
  async recordStaged(file: { submissionId: string; fileId: string; releasedKey: string; handledAt: string }, instance: Instance): Promise<boolean> {
    return this.recordOutcome(file.submissionId, file.fileId, 'staged', {
      releasedKey: file.releasedKey, studyUid: instance.studyUid, handledAt: file.handledAt,
    }, [
      ...ownershipWrites(this.table, instance),
      { Put: { TableName: this.table, Item: { ...keys.instance(instance.studyUid, instance.seriesUid, instance.sopUid), type: 'instance', ...instance } } },
      { Put: { TableName: this.table, Item: { ...keys.submissionStudy(file.submissionId, instance.studyUid), type: 'submission-study', studyUid: instance.studyUid } } },
    ]);
  }

  /**
   * Claims an instance's study, series and SOP UIDs for its project and site before
   * any of its bytes are stored (Stage and a curator's release call it ahead of the
   * released bucket), so a conflicting file never overwrites or sits beside another
   * owner's objects. Idempotent for the owner; OwnershipConflict for anyone else.
   */
  async claimOwnership(claim: InstanceClaim): Promise<void> {
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: ownershipWrites(this.table, claim) }));
    } catch (error) {
      const conflict = ownershipConflictAt(error, 0);
      if (conflict) throw new OwnershipConflict(conflict);
      if (isCancelledByConflict(error)) throw new TransientError('a concurrent claim of the same study; retry');
      throw error;
    }
  }

  /** The project and site a study was claimed for; undefined when it has no claim (none staged yet, or staged before claims existed). */
  async getStudyOwner(studyUid: string): Promise<StudyOwner | undefined> {
    const study = await this.get<Partial<StudyOwner>>(keys.study(studyUid));
    return study?.project !== undefined && study.site !== undefined ? { project: study.project, site: study.site } : undefined;
  }

  /** Which claim an instance would run into, read without writing (a curator's release checks it first); undefined when none. */
  async findOwnershipConflict(claim: InstanceClaim): Promise<OwnershipConflictKind | undefined> {
    const [study, series, object] = await Promise.all([
      this.get<StudyOwner>(keys.study(claim.studyUid)),
      this.get<{ studyUid: string }>(keys.seriesOwner(claim.seriesUid)),
      this.get<ObjectRef>(keys.object(claim.sopUid)),
    ]);
    if (study?.project !== undefined && (study.project !== claim.project || study.site !== claim.site)) return 'study';
    if (series && series.studyUid !== claim.studyUid) return 'series';
    if (object && (object.studyUid !== claim.studyUid || object.seriesUid !== claim.seriesUid)) return 'sop';
    return undefined;
  }

  /** Records a quarantined file and counts it; false when it already had an outcome. */
  async recordQuarantined(file: { submissionId: string; fileId: string; quarantineKey: string; reasonCode: string; reason: string; handledAt: string }): Promise<boolean> {
    return this.recordOutcome(file.submissionId, file.fileId, 'quarantined', {
      quarantineKey: file.quarantineKey, reasonCode: file.reasonCode, reason: file.reason, handledAt: file.handledAt,
    }, []);
  }

  async listSubmissionStudyUids(submissionId: string): Promise<string[]> {
    const refs = await this.queryAll<{ studyUid: string }>({ pk: keys.submission(submissionId).pk, prefix: PREFIX.study });
    return refs.map((r) => r.studyUid);
  }

  async listInstances(studyUid: string): Promise<Instance[]> {
    return this.queryAll<Instance>({ pk: keys.study(studyUid).pk, prefix: PREFIX.instance });
  }

  async getInstance(studyUid: string, seriesUid: string, sopUid: string): Promise<Instance | undefined> {
    return this.get<Instance>(keys.instance(studyUid, seriesUid, sopUid));
  }

  /** Where an object id (`hilum:<SOP Instance UID>`) lives: its study and series, or undefined. */
  async getObjectRef(sopUid: string): Promise<ObjectRef | undefined> {
    return this.get<ObjectRef>(keys.object(sopUid));
  }

  async getStudy(studyUid: string): Promise<Study | undefined> {
    return this.get<Study>(keys.study(studyUid));
  }

  /**
   * Writes a study's aggregate without touching its publication state, so a
   * re-index racing a publication can never hide a published study. Project and
   * site are the study's claim: written only where there is none yet (a study
   * staged before claims existed), and a differing aggregate is refused
   * (StudyOwnershipInconsistent), so indexing can never move a study.
   */
  async upsertStudyAggregate(study: StudyAggregate): Promise<void> {
    const { studyUid: _uid, project, site, ...fields } = study;
    const names: Record<string, string> = { '#status': 'status', '#type': 'type', '#project': 'project', '#site': 'site' };
    const values: Record<string, unknown> = { ':staged': 'staged', ':type': 'study', ':project': project, ':site': site };
    const sets = ['#status = if_not_exists(#status, :staged)', '#type = :type', '#project = if_not_exists(#project, :project)', '#site = if_not_exists(#site, :site)'];
    for (const [name, value] of Object.entries(fields)) {
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      sets.push(`#${name} = :${name}`);
    }
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.table,
        Key: keys.study(study.studyUid),
        UpdateExpression: `SET ${sets.join(', ')}, studyUid = :studyUid`,
        ConditionExpression: 'attribute_not_exists(#project) OR (#project = :project AND #site = :site)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ...values, ':studyUid': study.studyUid },
      }));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new StudyOwnershipInconsistent('the study belongs to another project or site; it is not re-indexed');
      throw error;
    }
  }

  /**
   * Publishes a study once, for its owner only, and only once indexed with at least
   * one instance (staging creates the study item when it claims it, and study QA may
   * send every instance back); a second call keeps the first publication time
   * (false). A submission of another project or site naming the study is refused
   * (StudyOwnershipInconsistent), never published.
   */
  async publishStudy(studyUid: string, publishedAt: string, owner: StudyOwner): Promise<boolean> {
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.table,
        Key: keys.study(studyUid),
        UpdateExpression: 'SET #status = :published, publishedAt = :at, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk',
        ConditionExpression: 'attribute_exists(pk) AND #status <> :published AND instanceCount > :none AND #project = :project AND #site = :site',
        ExpressionAttributeNames: { '#status': 'status', '#project': 'project', '#site': 'site' },
        ExpressionAttributeValues: {
          ':published': 'published', ':at': publishedAt, ':none': 0, ':project': owner.project, ':site': owner.site, ...prefixed(keys.publishedStudy(publishedAt, studyUid)),
        },
      }));
      return true;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const study = await this.getStudy(studyUid);
      if (study && (study.project !== owner.project || study.site !== owner.site)) {
        throw new StudyOwnershipInconsistent('the study belongs to another project or site; it is not published');
      }
      return false;
    }
  }

  /**
   * Claims the right to announce a sealed submission as ready: one caller wins, so
   * concurrent last files and the seal call announce once. A claim older than
   * `staleBefore` (its announcement lost, or the workflow failed) may be taken again.
   */
  async claimReadyAnnouncement(submissionId: string, at: string, staleBefore: string): Promise<boolean> {
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.table,
        Key: keys.submission(submissionId),
        UpdateExpression: 'SET readyAnnouncedAt = :at',
        ConditionExpression: '#status = :sealed AND (attribute_not_exists(readyAnnouncedAt) OR readyAnnouncedAt < :stale)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':at': at, ':sealed': 'sealed', ':stale': staleBefore },
      }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Gives a claim back (its announcement could not be sent), so the next caller announces. */
  async releaseReadyAnnouncement(submissionId: string, at: string): Promise<void> {
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.table,
        Key: keys.submission(submissionId),
        UpdateExpression: 'REMOVE readyAnnouncedAt',
        ConditionExpression: 'readyAnnouncedAt = :at',
        ExpressionAttributeValues: { ':at': at },
      }));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async markSubmissionPublished(submissionId: string, publishedAt: string): Promise<boolean> {
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.table,
        Key: keys.submission(submissionId),
        UpdateExpression: 'SET #status = :published, publishedAt = :at',
        ConditionExpression: '#status = :sealed',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':published': 'published', ':sealed': 'sealed', ':at': publishedAt },
      }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Published studies, newest first, one page at a time. */
  async listPublishedStudies(limit: number, cursor?: string): Promise<Page<Study>> {
    const result = await this.db.send(new QueryCommand({
      TableName: this.table,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': PUBLISHED_PARTITION },
      ScanIndexForward: false,
      Limit: limit,
      ...(cursor ? { ExclusiveStartKey: decodeCursor(cursor, () => new InvalidCursor('the cursor is not valid')) } : {}),
    }));
    return {
      items: (result.Items ?? []).map((item) => stripKeys<Study>(item)),
      ...(result.LastEvaluatedKey ? { cursor: encodeCursor(result.LastEvaluatedKey) } : {}),
    };
  }

  // ---- projects, grants, cases ---------------------------------------------------------------------

  /** Creates or updates a project; its creation time and creator survive updates. */
  async putProject(project: Project): Promise<Project> {
    const { projectId, createdAt, createdBy, ...rest } = project;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    const set = (name: string, value: unknown, onlyIfNew = false) => {
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      sets.push(onlyIfNew ? `#${name} = if_not_exists(#${name}, :${name})` : `#${name} = :${name}`);
    };
    for (const [name, value] of Object.entries({ ...rest, type: 'project', projectId, ...keys.projectIndex(projectId) })) if (value !== undefined) set(name, value);
    set('createdAt', createdAt, true);
    set('createdBy', createdBy, true);
    const result = await this.db.send(new UpdateCommand({
      TableName: this.table, Key: keys.project(projectId), UpdateExpression: `SET ${sets.join(', ')}`,
      ExpressionAttributeNames: names, ExpressionAttributeValues: values, ReturnValues: 'ALL_NEW',
    }));
    return stripKeys<Project>(result.Attributes);
  }

  /** Replaces the sites that may contribute to an existing project; undefined when there is no such project. */
  async setProjectSites(projectId: string, sites: readonly string[], updatedAt: string): Promise<Project | undefined> {
    try {
      const result = await this.db.send(new UpdateCommand({
        TableName: this.table, Key: keys.project(projectId),
        UpdateExpression: 'SET #sites = :sites, #updatedAt = :updatedAt',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#sites': 'sites', '#updatedAt': 'updatedAt' },
        ExpressionAttributeValues: { ':sites': sites, ':updatedAt': updatedAt },
        ReturnValues: 'ALL_NEW',
      }));
      return stripKeys<Project>(result.Attributes);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async getProject(projectId: string): Promise<Project | undefined> {
    return this.get<Project>(keys.project(projectId));
  }

  async listProjects(): Promise<Project[]> {
    return this.queryIndexAll<Project>(PROJECTS_PARTITION, true);
  }

  /** Writes a grant into its user's collection (what access checks read); see AccessRepository for grants with records. */
  async putGrant(grant: Grant): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: { ...keys.grant(grant.subject, grantScopeKey(grant)), type: 'grant', ...grant } }));
  }

  /** The grant hook of the visibility rule: a user's grants, read from the table. */
  async grantsFor(caller: Pick<Caller, 'subject'>): Promise<Grant[]> {
    return this.queryAll<Grant>({ pk: keys.grant(caller.subject, '').pk, prefix: PREFIX.grant });
  }

  /** Upserts cases (25 per batch) and records which submission supplied them. */
  async putCases(cases: readonly Case[]): Promise<void> {
    const items = cases.flatMap((c) => [
      { ...keys.case(c.project, c.casePseudonym), type: 'case', ...c },
      { ...keys.submissionCase(c.submissionId, c.casePseudonym), type: 'submission-case', project: c.project, casePseudonym: c.casePseudonym },
    ]);
    for (let start = 0; start < items.length; start += 25) {
      let pending: NonNullable<BatchWriteCommandInput['RequestItems']> = {
        [this.table]: items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } })),
      };
      for (let attempt = 0; Object.keys(pending).length > 0; attempt += 1) {
        if (attempt > 8) throw new TransientError('cases could not all be written; retry');
        if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
        const result = await this.db.send(new BatchWriteCommand({ RequestItems: pending }));
        pending = result.UnprocessedItems ?? {};
      }
    }
  }

  async getCase(project: string, casePseudonym: string): Promise<Case | undefined> {
    return this.get<Case>(keys.case(project, casePseudonym));
  }

  async listCases(project: string): Promise<Case[]> {
    return this.queryAll<Case>({ pk: keys.project(project).pk, prefix: PREFIX.case });
  }

  async listSubmissionCases(submissionId: string): Promise<{ project: string; casePseudonym: string }[]> {
    return this.queryAll<{ project: string; casePseudonym: string }>({ pk: keys.submission(submissionId).pk, prefix: PREFIX.case });
  }

  // ---- series, releases, cohorts, the snapshot pointer ------------------------------------------------

  async putSeries(series: readonly Series[]): Promise<void> {
    for (const s of series) {
      await this.db.send(new PutCommand({ TableName: this.table, Item: { ...keys.series(s.studyUid, s.seriesUid), type: 'series', ...s } }));
    }
  }

  async listSeries(studyUid: string): Promise<Series[]> {
    return this.queryAll<Series>({ pk: keys.study(studyUid).pk, prefix: PREFIX.series });
  }

  /** Every published study (the release cut reads them all). */
  async listAllPublishedStudies(): Promise<Study[]> {
    return this.queryIndexAll<Study>(PUBLISHED_PARTITION, false);
  }

  /** Writes a release once: a second cut with the same number fails (ReleaseExists). */
  async createRelease(release: Release): Promise<void> {
    try {
      await this.db.send(new PutCommand({
        TableName: this.table,
        Item: { ...keys.release(release.releaseNumber), ...keys.releaseIndex(release.releaseNumber), type: 'release', ...release },
        ConditionExpression: 'attribute_not_exists(pk)',
      }));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new ReleaseExists(`release ${release.releaseNumber} already exists`);
      throw error;
    }
  }

  async getRelease(releaseNumber: number): Promise<Release | undefined> {
    return this.get<Release>(keys.release(releaseNumber));
  }

  /** Releases, newest first. */
  async listReleases(): Promise<Release[]> {
    return this.queryIndexAll<Release>(RELEASES_PARTITION, false);
  }

  async latestRelease(): Promise<Release | undefined> {
    const result = await this.db.send(new QueryCommand({
      TableName: this.table, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': RELEASES_PARTITION }, ScanIndexForward: false, Limit: 1,
    }));
    const item = result.Items?.[0];
    return item ? stripKeys<Release>(item) : undefined;
  }

  async putCohort(cohort: Cohort): Promise<void> {
    await this.db.send(new PutCommand({
      TableName: this.table,
      Item: { ...keys.cohort(cohort.cohortId), ...keys.cohortIndex(cohort.owner, cohort.createdAt, cohort.cohortId), type: 'cohort', ...cohort },
      ConditionExpression: 'attribute_not_exists(pk)',
    }));
  }

  async getCohort(cohortId: string): Promise<Cohort | undefined> {
    return this.get<Cohort>(keys.cohort(cohortId));
  }

  async getSnapshotPointer(): Promise<SnapshotPointer | undefined> {
    return this.get<SnapshotPointer>(keys.snapshotPointer());
  }

  /**
   * Moves the live snapshot pointer from `expected` (undefined: none yet) to `next`.
   * Two rebuilds racing: the second sees a changed version and must rebuild on top of
   * the first's (SnapshotMoved, a TransientError, so the workflow retries it).
   */
  async swapSnapshotPointer(expected: number | undefined, next: SnapshotPointer): Promise<void> {
    try {
      await this.db.send(new PutCommand({
        TableName: this.table,
        Item: { ...keys.snapshotPointer(), type: 'snapshot-pointer', ...next },
        ConditionExpression: expected === undefined ? 'attribute_not_exists(pk)' : 'version = :expected',
        ...(expected === undefined ? {} : { ExpressionAttributeValues: { ':expected': expected } }),
      }));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new SnapshotMoved('the search snapshot changed during the rebuild; retry');
      throw error;
    }
  }

  private async queryIndexAll<T>(partition: string, forward: boolean): Promise<T[]> {
    const items: T[] = [];
    let start: QueryCommandInput['ExclusiveStartKey'];
    do {
      const result = await this.db.send(new QueryCommand({
        TableName: this.table, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': partition }, ScanIndexForward: forward, ExclusiveStartKey: start,
      }));
      for (const item of result.Items ?? []) items.push(stripKeys<T>(item));
      start = result.LastEvaluatedKey;
    } while (start);
    return items;
  }

  private async recordOutcome(
    submissionId: string, fileId: string, status: 'staged' | 'quarantined', fields: Record<string, string>,
    extra: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>,
  ): Promise<boolean> {
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = { ':status': status, ':announced': 'announced' };
    const sets = ['#status = :status'];
    for (const [name, value] of Object.entries(fields)) {
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      sets.push(`#${name} = :${name}`);
    }
    const counter = status === 'staged' ? 'stagedCount' : 'quarantinedCount';
    try {
      await this.db.send(new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: this.table,
              Key: keys.submissionFile(submissionId, fileId),
              UpdateExpression: `SET ${sets.join(', ')}`,
              ConditionExpression: 'attribute_exists(pk) AND #status = :announced',
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
            },
          },
          {
            Update: {
              TableName: this.table,
              Key: keys.submission(submissionId),
              UpdateExpression: `ADD handledCount :one, ${counter} :one`,
              ExpressionAttributeValues: { ':one': 1 },
            },
          },
          ...extra,
        ],
      }));
      return true;
    } catch (error) {
      if (isCancelledByCondition(error, 0)) return false;
      // The extra items start at index 2; a staging transaction puts its ownership claims first.
      const conflict = status === 'staged' ? ownershipConflictAt(error, 2) : undefined;
      if (conflict) throw new OwnershipConflict(conflict);
      if (isCancelledByConflict(error)) throw new TransientError('a concurrent write to the same file; retry');
      throw error;
    }
  }

  private get<T>(key: { pk: string; sk: string }): Promise<T | undefined> {
    return getItem<T>(this.db, this.table, key);
  }

  private queryAll<T>({ pk, prefix }: { pk: string; prefix: string }): Promise<T[]> {
    return queryAllByPrefix<T>(this.db, this.table, pk, prefix);
  }
}

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

const CLAIM_ORDER: readonly OwnershipConflictKind[] = ['study', 'series', 'sop'];

/**
 * The three conditional writes that claim an instance's place, in CLAIM_ORDER:
 * the study for its project and site (created `staged` if new; a study item with
 * another owner fails the condition), the series for the study, the SOP (its
 * object-id entry) for the series. A transaction that includes them is written
 * only if every claim holds, which is what makes a study's owner race-safe.
 */
export function ownershipWrites(table: string, claim: InstanceClaim): TransactItem[] {
  return [
    {
      Update: {
        TableName: table,
        Key: keys.study(claim.studyUid),
        UpdateExpression: 'SET #project = if_not_exists(#project, :project), #site = if_not_exists(#site, :site), '
          + 'studyUid = if_not_exists(studyUid, :study), #status = if_not_exists(#status, :staged), #type = if_not_exists(#type, :type)',
        ConditionExpression: 'attribute_not_exists(#project) OR (#project = :project AND #site = :site)',
        ExpressionAttributeNames: { '#project': 'project', '#site': 'site', '#status': 'status', '#type': 'type' },
        ExpressionAttributeValues: { ':project': claim.project, ':site': claim.site, ':study': claim.studyUid, ':staged': 'staged', ':type': 'study' },
      },
    },
    {
      Put: {
        TableName: table,
        Item: { ...keys.seriesOwner(claim.seriesUid), type: 'series-owner', seriesUid: claim.seriesUid, studyUid: claim.studyUid },
        ConditionExpression: 'attribute_not_exists(pk) OR studyUid = :study',
        ExpressionAttributeValues: { ':study': claim.studyUid },
      },
    },
    {
      Put: {
        TableName: table,
        Item: objectRefItem(claim),
        ConditionExpression: 'attribute_not_exists(pk) OR (studyUid = :study AND seriesUid = :series)',
        ExpressionAttributeValues: { ':study': claim.studyUid, ':series': claim.seriesUid },
      },
    },
  ];
}

/** The claim whose condition cancelled a transaction, given where ownershipWrites' items start in it. */
export function ownershipConflictAt(error: unknown, start: number): OwnershipConflictKind | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  const reasons = error.CancellationReasons ?? [];
  return CLAIM_ORDER.find((_, i) => reasons[start + i]?.Code === 'ConditionalCheckFailed');
}

/** The object-id index entry of an instance (written with the instance, in the same transaction). */
export interface ObjectRef { readonly sopUid: string; readonly studyUid: string; readonly seriesUid: string }

export function objectRefItem(instance: Pick<Instance, 'studyUid' | 'seriesUid' | 'sopUid'>): Record<string, unknown> {
  return { ...keys.object(instance.sopUid), type: 'object-ref', sopUid: instance.sopUid, studyUid: instance.studyUid, seriesUid: instance.seriesUid };
}

/** A grant's place in its user's collection: the project, or `cohort#{id}`. */
export function grantScopeKey(grant: Pick<Grant, 'project' | 'cohortId'>): string {
  if (grant.cohortId) return `cohort#${grant.cohortId}`;
  if (grant.project) return grant.project;
  throw new Error('a grant names a project or a cohort');
}

function isCancelledByCondition(error: unknown, index: number): boolean {
  return error instanceof TransactionCanceledException && error.CancellationReasons?.[index]?.Code === 'ConditionalCheckFailed';
}

/** Another transaction touched the same items; DynamoDB asks the caller to retry. */
function isCancelledByConflict(error: unknown): boolean {
  return error instanceof TransactionCanceledException
    && (error.CancellationReasons ?? []).some((r) => r.Code === 'TransactionConflict' || r.Code === 'ThrottlingError');
}


function prefixed(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [`:${k}`, v]));
}

export class ReleaseExists extends Error {
  override readonly name = 'ReleaseExists';
}

/** The live snapshot moved under a rebuild: retried by the workflow (a TransientError). */
export class SnapshotMoved extends TransientError {}

export class InvalidCursor extends Error {
  override readonly name = 'InvalidCursor';
}
