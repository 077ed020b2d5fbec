import { TransactionConflictException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, PutCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TransientError } from '../../../common/errors';
import { submissionStudyUids, type Instance, type ObjectRef, type Submission, type SubmissionFile } from '../../../catalog/entities';
import type { StoredFinding } from '../../../catalog/qa-entities';
import * as keys from '../../../catalog/item-keys';
import { PREFIX } from '../../../catalog/keys';
import {
  firstConflict,
  ownClaims,
  OwnershipConflict,
  type InstanceClaim,
  type OwnershipConflictKind,
  type StudyOwner,
} from '../../../catalog/ownership';
import { instanceItem } from './instance-item';
import { sopClaimPut, type SopClaimInput } from './sop-claim-item';
import { qaKeys } from '../../../catalog/qa-keys';
import {
  conditionalWrite,
  getItem,
  getItems,
  itemKeyOf,
  queryAllByPrefix,
  readPages,
  stripKeys,
  type Refused,
  type TransactItem,
  type Written,
} from './table-io';

/** DynamoDB's most items in one transaction. */
const TRANSACTION_ITEMS = 100;

/** DynamoDB caps a transaction at 100 items; one goes to the submission counter. */
const FILES_PER_TRANSACTION = 99;

/** Staged files recorded together: two items each (outcome, instance) and the counter within DynamoDB's 100. */
export const STAGED_PER_TRANSACTION = 49;

/** What a staged file's outcome records on it. */
function stagedFields(
  file: { readonly releasedKey: string; readonly handledAt: string; readonly qaFindings?: readonly StoredFinding[] },
  instance: Pick<Instance, 'studyUid'>,
): Record<string, unknown> {
  return {
    releasedKey: file.releasedKey,
    studyUid: instance.studyUid,
    handledAt: file.handledAt,
    ...(file.qaFindings ? { qaFindings: file.qaFindings } : {}),
  };
}

export class SubmissionNotOpen extends Error {
  override readonly name = 'SubmissionNotOpen';
}

/**
 * What claimOwnership answers: the instance's study, series and SOP claims are its own (seen held, or written
 * just now; a claim never moves or goes), made for a file of the given submission. recordStaged takes it, so a
 * staging write cannot happen without the claims, and needs no read or write of them.
 */
export interface OwnedClaims {
  readonly claim: InstanceClaim;
  /** The submission whose file the claims were made for. */
  readonly submissionId?: string;
}

/**
 * The intake aggregate's storage: a submission, its announced files and their
 * outcomes, the studies it touched, and the ownership claims (study for a project
 * and site, series for a study, SOP for a series) that staging makes.
 *
 * Transactions that span aggregates live here because intake owns their decision:
 * Stage's (the instance of the publication aggregate, the file's outcome, the
 * submission's counters) is decided by the file still being `announced`, so an
 * event delivered twice can never count a file twice, and it takes the claims
 * claimOwnership made first (`OwnedClaims`), so a file never joins what another
 * project, study or series owns.
 */
export class IntakeRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async createSubmission(submission: Submission): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...keys.submission(submission.submissionId), type: 'submission', ...submission },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async getSubmission(submissionId: string): Promise<Submission | undefined> {
    return this.get<Submission>(keys.submission(submissionId));
  }

  /** Records announced files and raises the submission's file count, only while it is open. */
  async announceFiles(submissionId: string, files: readonly SubmissionFile[]): Promise<void> {
    for (let start = 0; start < files.length; start += FILES_PER_TRANSACTION) {
      const batch = files.slice(start, start + FILES_PER_TRANSACTION);
      const result = await conditionalWrite(
        this.db,
        new TransactWriteCommand({
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
        }),
      );
      if (result.written) continue;
      if (result.failedAt.includes(0)) throw new SubmissionNotOpen('the submission is no longer open');
      throw result.cause;
    }
  }

  async getFile(submissionId: string, fileId: string): Promise<SubmissionFile | undefined> {
    return this.get<SubmissionFile>(keys.submissionFile(submissionId, fileId));
  }

  /**
   * A file and its project's stored QA configuration (undefined: none stored) in one strongly consistent
   * BatchGetItem: the two reads an ingest task starts with once it knows the file's project (the same read
   * units as two GetItems, one request).
   */
  async getFileAndQaConfig(
    submissionId: string,
    fileId: string,
    project: string,
  ): Promise<{ file: SubmissionFile | undefined; qaConfig: unknown }> {
    const fileKey = keys.submissionFile(submissionId, fileId);
    const configKey = qaKeys.projectConfig(project);
    const found = await getItems<Record<string, unknown>>(this.db, this.table, [fileKey, configKey]);
    return {
      file: found.get(itemKeyOf(fileKey)) as SubmissionFile | undefined,
      qaConfig: (found.get(itemKeyOf(configKey)) as { config?: unknown } | undefined)?.config,
    };
  }

  /**
   * Several files and their projects' stored QA configurations in one strongly consistent BatchGetItem (one
   * per 100 keys): what an ingest batch starts with once it knows its submissions' projects. Files by
   * `submissionId/fileId`, configurations by project (absent: none stored).
   */
  async getFilesAndQaConfigs(
    files: readonly { readonly submissionId: string; readonly fileId: string }[],
    projects: readonly string[],
  ): Promise<{ files: Map<string, SubmissionFile>; qaConfigs: Map<string, unknown> }> {
    const fileKeys = files.map((f) => keys.submissionFile(f.submissionId, f.fileId));
    const configKeys = projects.map((project) => qaKeys.projectConfig(project));
    const found = await getItems<Record<string, unknown>>(this.db, this.table, [...fileKeys, ...configKeys]);
    const answer = { files: new Map<string, SubmissionFile>(), qaConfigs: new Map<string, unknown>() };
    files.forEach((f, i) => {
      const file = found.get(itemKeyOf(fileKeys[i]!)) as SubmissionFile | undefined;
      if (file) answer.files.set(`${f.submissionId}/${f.fileId}`, file);
    });
    projects.forEach((project, i) => {
      const stored = found.get(itemKeyOf(configKeys[i]!)) as { config?: unknown } | undefined;
      if (stored) answer.qaConfigs.set(project, stored.config);
    });
    return answer;
  }

  async listFiles(submissionId: string): Promise<SubmissionFile[]> {
    return this.queryAll<SubmissionFile>({ pk: keys.submission(submissionId).pk, prefix: PREFIX.file });
  }

  /** Seals an open submission; returns it, or undefined if it was not open. */
  async sealSubmission(submissionId: string, sealedAt: string): Promise<Submission | undefined> {
    const result = await conditionalWrite(
      this.db,
      new UpdateCommand({
        TableName: this.table,
        Key: keys.submission(submissionId),
        UpdateExpression: 'SET #status = :sealed, sealedAt = :at',
        ConditionExpression: '#status = :open',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':sealed': 'sealed', ':open': 'open', ':at': sealedAt },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return result.written ? stripKeys<Submission>(result.attributes) : undefined;
  }

  /**
   * Records a staged file: its instance, its outcome and the submission's counters, in one transaction.
   * Returns false when the file already had an outcome (a repeated event), in which case nothing is written.
   * The outcome names the instance's study (`studyUid`): the submission's studies are read from its files
   * (listSubmissionStudyUids), so the study is the submission's from the same write that stages the file.
   * The instance's claims were written by claimOwnership before any byte was stored (`owned`: a claim never
   * moves or goes, so it needs no re-assertion here).
   */
  async recordStaged(
    file: {
      submissionId: string;
      fileId: string;
      releasedKey: string;
      handledAt: string;
      /** The instance QA findings (none for a clean pass): kept on the file, in the same write (`SubmissionFile.qaFindings`). */
      qaFindings?: readonly StoredFinding[];
    },
    instance: Instance,
    owned: OwnedClaims,
  ): Promise<boolean> {
    if (!sameClaim(owned.claim, instance)) throw new Error('recordStaged was given the claims of another instance');
    if (owned.submissionId !== file.submissionId) throw new Error('recordStaged was given claims made without its submission');
    return this.recordOutcome(file.submissionId, file.fileId, 'staged', stagedFields(file, instance), [
      { Put: { TableName: this.table, Item: instanceItem(instance) } },
    ]);
  }

  /** Records a quarantined file and counts it; false when it already had an outcome. */
  async recordQuarantined(file: {
    submissionId: string;
    fileId: string;
    quarantineKey: string;
    reasonCode: string;
    reason: string;
    /** Identifies the decision's content (reason, rules, findings): a retry of the recording attempt recognises it. */
    quarantineDigest: string;
    /** The whole decision (value-free), so that a sidecar or curator record a killed task left unwritten can be written later. */
    quarantineDecision: string;
    handledAt: string;
  }): Promise<boolean> {
    return this.recordOutcome(
      file.submissionId,
      file.fileId,
      'quarantined',
      {
        quarantineKey: file.quarantineKey,
        reasonCode: file.reasonCode,
        reason: file.reason,
        quarantineDigest: file.quarantineDigest,
        quarantineDecision: file.quarantineDecision,
        handledAt: file.handledAt,
      },
      [],
    );
  }

  /**
   * Claims an instance's study, series and SOP UIDs for its project and site before
   * any of its bytes are stored (Stage and an admission from quarantine call it ahead of the
   * released bucket), so a conflicting file never overwrites or sits beside another
   * owner's objects. Idempotent for the owner; OwnershipConflict for anyone else.
   *
   * An eventually consistent read (half a unit an item) first finds what is already held:
   * a claim never moves (`ownClaims`), so what the read sees held stays held and is not
   * written again, and a claim it sees held by another refuses the file before anything is
   * written. Most files join a study and series an earlier file claimed and write
   * the SOP's entry alone. What is not seen held is claimed one conditional write at a time,
   * in claim order (study, series, SOP), each only once the ones before it hold: a write
   * alone costs one unit where an item of a transaction costs two, and because claims never
   * move, a claim written after the ones above it held stays consistent with them. Only a
   * race the read could not see (another file claiming the same series or SOP for another
   * study at that moment) can refuse a file after its study (or series) is claimed: that
   * claim stays, for the file's own project and site, with no instance; claims are never
   * given back in any case (docs/catalog.md).
   *
   * Given a submission id, the answer names it: recordStaged refuses claims made for another
   * submission's file. Nothing more is written for the submission: its studies are read from its
   * files' outcomes (listSubmissionStudyUids), where a study reference item (`SUBMISSION#{id}` /
   * `STUDY#{uid}`, a unit per new study) was put here before.
   *
   * Given `seen` (readClaims of a batch's instances), that read stands for this one, and each claim written
   * here is added to it, so the batch's later instances of the same study and series write only their SOP's.
   */
  async claimOwnership(claim: InstanceClaim, submissionId?: string, seen?: ClaimsSeen): Promise<OwnedClaims> {
    const wanted = claimKeys(claim);
    const own = ownClaimsIn(claim, wanted, seen ?? (await this.readClaimItems(Object.values(wanted))));
    if (own.conflict) throw new OwnershipConflict(own.conflict);
    for (const kind of CLAIM_ORDER) {
      if (own[kind]) continue;
      const write = claimWrite(this.table, claim, kind);
      const result = await claimOnce(this.db, write);
      if (result.written) {
        // A claim never moves: the next instance of the batch sees it held and writes it no more.
        seen?.set(itemKeyOf(wanted[kind === 'sop' ? 'object' : kind]), claimHeldAs(claim, kind));
        continue;
      }
      if (result.failedAt.includes(0)) throw new OwnershipConflict(kind);
      throw result.cause;
    }
    return submissionId === undefined ? { claim } : { claim, submissionId };
  }

  /**
   * An ingest batch's SOP claims written together: for each entry its SOP claim (`uids.duplicate-sop`, the same
   * conditional put as QaRepository.claimSop) and, where `seen` shows its study and series already its own and its
   * SOP's ownership entry not yet, that entry too (its condition as claimOwnership's), in one TransactWriteItems for
   * up to 50 entries instead of a conditional PutItem each (two write units an item instead of one: fewer requests
   * are less CPU on every side of the call). Answers per entry whether its claims were written here: an entry
   * answered false is claimed as before, on its own and after this call (claimSopUid, then claimOwnership).
   *
   * Nothing here decides a conflict, so a refusal means what it means alone: a cancelled transaction writes
   * nothing, its cancellation reasons name the items whose condition failed, and those entries are answered false
   * while the others are tried again together. A conflict with another transaction, or a cancellation naming no
   * item, leaves every entry not yet written to the single path. An entry that names a claim an earlier entry of
   * the call names too (the same SOP twice in one batch: a transaction may not hold two writes of one item) is
   * answered false, so it is claimed after the earlier one holds, as two single writes in batch order would be.
   * Each ownership entry written is added to `seen`, as claimOwnership adds its own, so the staging writes it no more.
   */
  async claimSopsTogether(
    entries: readonly { readonly sop: SopClaimInput; readonly claim: InstanceClaim }[],
    seen: ClaimsSeen,
  ): Promise<boolean[]> {
    const written = entries.map(() => false);
    const named = new Set<string>();
    let pending = entries.flatMap(({ sop, claim }, index) => {
      const itemKeys = [itemKeyOf(qaKeys.sopClaim(sop.studyUid, sop.seriesUid, sop.sopUid)), itemKeyOf(keys.object(claim.sopUid))];
      const repeated = itemKeys.some((key) => named.has(key));
      for (const key of itemKeys) named.add(key);
      if (repeated) return [];
      const wanted = claimKeys(claim);
      const own = ownClaimsIn(claim, wanted, seen);
      return [{ index, sop, claim, withOwnership: !own.conflict && own.study && own.series && !own.sop }];
    });
    while (pending.length > 0) {
      const chunk: typeof pending = [];
      let count = 0;
      for (const entry of pending) {
        const size = entry.withOwnership ? 2 : 1;
        if (count + size > TRANSACTION_ITEMS) break;
        chunk.push(entry);
        count += size;
      }
      const items: TransactItem[] = [];
      const entryAt: number[] = [];
      for (const [at, entry] of chunk.entries()) {
        items.push({ Put: sopClaimPut(this.table, entry.sop) });
        entryAt.push(at);
        if (entry.withOwnership) {
          items.push({ Put: sopOwnershipPut(this.table, entry.claim) });
          entryAt.push(at);
        }
      }
      const result = await conditionalWrite(this.db, new TransactWriteCommand({ TransactItems: items }));
      if (result.written) {
        for (const entry of chunk) {
          written[entry.index] = true;
          if (entry.withOwnership) seen.set(itemKeyOf(keys.object(entry.claim.sopUid)), claimHeldAs(entry.claim, 'sop'));
        }
        pending = pending.slice(chunk.length);
        continue;
      }
      const refused = new Set(result.failedAt.map((item) => entryAt[item]));
      // Another transaction on the same items, or no item named: every entry not yet written takes the single path.
      if (result.conflict || refused.size === 0) break;
      pending = [...chunk.filter((_, at) => !refused.has(at)), ...pending.slice(chunk.length)];
    }
    return written;
  }

  /**
   * The claims of several instances, one eventually consistent BatchGetItem per 100 distinct keys: what
   * claimOwnership, given the answer, reads no more (an ingest batch's instances mostly share their study and
   * series). As for one instance, a key left unprocessed reads as not held.
   */
  async readClaims(instances: readonly { readonly claim: InstanceClaim }[]): Promise<ClaimsSeen> {
    return this.readClaimItems(instances.flatMap(({ claim }) => Object.values(claimKeys(claim))));
  }

  /** The project and site a study was claimed for; undefined when it has no claim (none staged yet, or staged before claims existed). */
  async getStudyOwner(studyUid: string): Promise<StudyOwner | undefined> {
    const study = await this.get<Partial<StudyOwner>>(keys.study(studyUid));
    return study?.project !== undefined && study.site !== undefined ? { project: study.project, site: study.site } : undefined;
  }

  /** Which claim an instance would run into, read without writing (an admission from quarantine checks it first); undefined when none. */
  async findOwnershipConflict(claim: InstanceClaim): Promise<OwnershipConflictKind | undefined> {
    const [study, series, object] = await Promise.all([
      this.get<Partial<StudyOwner>>(keys.study(claim.studyUid)),
      this.get<{ studyUid: string }>(keys.seriesOwner(claim.seriesUid)),
      this.get<ObjectRef>(keys.object(claim.sopUid)),
    ]);
    return firstConflict(claim, { study, series, object });
  }

  /** Claim items by key, eventually consistent (a claim seen held stays held); unprocessed keys are left out. */
  private async readClaimItems(wanted: readonly { pk: string; sk: string }[]): Promise<ClaimsSeen> {
    const found: ClaimsSeen = new Map();
    const unique = [...new Map(wanted.map((key) => [itemKeyOf(key), key])).values()];
    for (let start = 0; start < unique.length; start += CLAIM_KEYS_PER_READ) {
      const result = await this.db.send(
        new BatchGetCommand({
          RequestItems: { [this.table]: { Keys: unique.slice(start, start + CLAIM_KEYS_PER_READ), ConsistentRead: false } },
        }),
      );
      for (const item of result.Responses?.[this.table] ?? []) found.set(itemKeyOf(item as { pk: string; sk: string }), item);
    }
    return found;
  }

  /**
   * The studies a submission's files were staged into, in UID order: the `studyUid` each staged file's outcome
   * records (in the transaction that stages it, with its instance; kept when StudyQa sends the file back, set when
   * a curator admits one), read from the submission's files (strongly consistent, that attribute alone). Files
   * never staged name none. Submissions staged before this also hold study reference items; their files name
   * the same studies.
   */
  async listSubmissionStudyUids(submissionId: string): Promise<string[]> {
    const { items } = await readPages(this.db, {
      query: {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.submission(submissionId).pk, ':prefix': PREFIX.file },
        ProjectionExpression: 'studyUid',
        ConsistentRead: true,
      },
    });
    return submissionStudyUids(items as Pick<SubmissionFile, 'studyUid'>[]);
  }

  /**
   * Claims the right to announce a sealed submission as ready: one caller wins, so
   * concurrent last files and the seal call announce once. A claim older than
   * `staleBefore` (its announcement lost, or the workflow failed) may be taken again,
   * also of a published submission whose workflow did not finish (no QA report or snapshot yet).
   */
  async claimReadyAnnouncement(submissionId: string, at: string, staleBefore: string): Promise<boolean> {
    const result = await conditionalWrite(
      this.db,
      new UpdateCommand({
        TableName: this.table,
        Key: keys.submission(submissionId),
        UpdateExpression: 'SET readyAnnouncedAt = :at',
        ConditionExpression:
          '(#status = :sealed OR (#status = :published AND attribute_exists(completionPendingSince))) AND ' +
          '(attribute_not_exists(readyAnnouncedAt) OR readyAnnouncedAt < :stale)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':at': at, ':sealed': 'sealed', ':published': 'published', ':stale': staleBefore },
      }),
    );
    return result.written;
  }

  /** Gives a claim back (its announcement could not be sent), so the next caller announces. */
  async releaseReadyAnnouncement(submissionId: string, at: string): Promise<void> {
    // Refused: the claim was already taken again by a later caller, which keeps it.
    await conditionalWrite(
      this.db,
      new UpdateCommand({
        TableName: this.table,
        Key: keys.submission(submissionId),
        UpdateExpression: 'REMOVE readyAnnouncedAt',
        ConditionExpression: 'readyAnnouncedAt = :at',
        ExpressionAttributeValues: { ':at': at },
      }),
    );
  }

  async markSubmissionPublished(submissionId: string, publishedAt: string): Promise<boolean> {
    const result = await conditionalWrite(
      this.db,
      new UpdateCommand({
        TableName: this.table,
        Key: keys.submission(submissionId),
        UpdateExpression: 'SET #status = :published, publishedAt = :at, completionPendingSince = :at',
        ConditionExpression: '#status = :sealed',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':published': 'published', ':sealed': 'sealed', ':at': publishedAt },
      }),
    );
    return result.written;
  }

  /** The submission workflow ran to its end (QA report stored, search snapshot rebuilt): nothing re-runs it any more. */
  async markSubmissionWorkflowCompleted(submissionId: string): Promise<void> {
    // Refused when not published (nothing to complete) or already completed: both leave nothing to do.
    await conditionalWrite(
      this.db,
      new UpdateCommand({
        TableName: this.table,
        Key: keys.submission(submissionId),
        UpdateExpression: 'REMOVE completionPendingSince',
        ConditionExpression: '#status = :published AND attribute_exists(completionPendingSince)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':published': 'published' },
      }),
    );
  }

  /**
   * Records several staged files of one submission in one transaction, as recordStaged records one: their
   * outcomes (each conditional on its file still being announced), their instances, and the submission's
   * counters raised by their number once (at most STAGED_PER_TRANSACTION files; an ingest batch's). All or
   * nothing: false when the transaction was refused or cancelled for any reason (a file another attempt staged
   * first, a concurrent write), and then nothing is written: the caller records the files one by one with
   * recordStaged, whose answers are exactly the per-file outcomes.
   */
  async recordStagedTogether(stagings: readonly Parameters<IntakeRepository['recordStaged']>[]): Promise<boolean> {
    const submissionId = stagings[0]?.[0].submissionId;
    if (submissionId === undefined) return true;
    if (stagings.length > STAGED_PER_TRANSACTION) throw new Error(`at most ${STAGED_PER_TRANSACTION} files are recorded together`);
    const items: TransactItem[] = [
      {
        Update: {
          TableName: this.table,
          Key: keys.submission(submissionId),
          UpdateExpression: 'ADD handledCount :n, stagedCount :n',
          ExpressionAttributeValues: { ':n': stagings.length },
        },
      },
    ];
    for (const [file, instance, owned] of stagings) {
      if (file.submissionId !== submissionId) throw new Error('recordStagedTogether was given files of several submissions');
      if (!sameClaim(owned.claim, instance)) throw new Error('recordStagedTogether was given the claims of another instance');
      if (owned.submissionId !== submissionId) throw new Error('recordStagedTogether was given claims made without its submission');
      items.push(
        { Update: this.outcomeUpdate(submissionId, file.fileId, 'staged', stagedFields(file, instance)) },
        { Put: { TableName: this.table, Item: instanceItem(instance) } },
      );
    }
    const result = await conditionalWrite(this.db, new TransactWriteCommand({ TransactItems: items }));
    return result.written;
  }

  private async recordOutcome(
    submissionId: string,
    fileId: string,
    status: 'staged' | 'quarantined',
    fields: Record<string, unknown>,
    extra: TransactItem[],
  ): Promise<boolean> {
    const counter = status === 'staged' ? 'stagedCount' : 'quarantinedCount';
    const result = await conditionalWrite(
      this.db,
      new TransactWriteCommand({
        TransactItems: [
          { Update: this.outcomeUpdate(submissionId, fileId, status, fields) },
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
      }),
    );
    if (result.written) return true;
    if (result.failedAt.includes(0)) return false;
    if (result.conflict) throw new TransientError('a concurrent write to the same file; retry');
    throw result.cause;
  }

  /** A file's outcome with its fields, written only while the file is announced (an outcome is given once). */
  private outcomeUpdate(submissionId: string, fileId: string, status: 'staged' | 'quarantined', fields: Record<string, unknown>) {
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = { ':status': status, ':announced': 'announced' };
    const sets = ['#status = :status'];
    for (const [name, value] of Object.entries(fields)) {
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      sets.push(`#${name} = :${name}`);
    }
    return {
      TableName: this.table,
      Key: keys.submissionFile(submissionId, fileId),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: 'attribute_exists(pk) AND #status = :announced',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
  }

  private get<T>(key: { pk: string; sk: string }): Promise<T | undefined> {
    return getItem<T>(this.db, this.table, key);
  }

  private queryAll<T>({ pk, prefix }: { pk: string; prefix: string }): Promise<T[]> {
    return queryAllByPrefix<T>(this.db, this.table, pk, prefix);
  }
}

const CLAIM_ORDER: readonly OwnershipConflictKind[] = ['study', 'series', 'sop'];

/** BatchGetItem's most keys per request. */
const CLAIM_KEYS_PER_READ = 100;

/** Claim items seen stored, by `itemKeyOf`: one read shared by several instances. */
export type ClaimsSeen = Map<string, Record<string, unknown>>;

/** The keys of an instance's claims. */
function claimKeys(claim: InstanceClaim) {
  return { study: keys.study(claim.studyUid), series: keys.seriesOwner(claim.seriesUid), object: keys.object(claim.sopUid) };
}

/**
 * Which of an instance's claims are already its own (`ownClaims`) and the first another holds (`firstConflict`: a
 * claim never moves, so one seen held by another is final), from the claim items seen.
 */
function ownClaimsIn(
  claim: InstanceClaim,
  wanted: ReturnType<typeof claimKeys>,
  seen: ClaimsSeen,
): ReturnType<typeof ownClaims> & { conflict: OwnershipConflictKind | undefined } {
  const at = <T>(key: { pk: string; sk: string }): T | undefined => seen.get(itemKeyOf(key)) as T | undefined;
  const held = {
    study: at<Partial<StudyOwner>>(wanted.study),
    series: at<{ studyUid: string }>(wanted.series),
    object: at<ObjectRef>(wanted.object),
  };
  return { ...ownClaims(claim, held), conflict: firstConflict(claim, held) };
}

/** What a claim's item holds once this instance's write of it succeeded. */
function claimHeldAs(claim: InstanceClaim, kind: OwnershipConflictKind): Record<string, unknown> {
  if (kind === 'study') return { project: claim.project, site: claim.site, studyUid: claim.studyUid };
  if (kind === 'series') return { studyUid: claim.studyUid };
  return { studyUid: claim.studyUid, seriesUid: claim.seriesUid };
}

/**
 * The three conditional writes that claim an instance's place, in CLAIM_ORDER:
 * the study for its project and site (created `staged` if new; a study item with
 * another owner fails the condition), the series for the study, the SOP (its
 * object-id entry) for the series. Each condition makes its own claim race-safe:
 * of two writers of one new study, one sets the owner and the other's condition
 * fails. The QA repository's restore of a released file makes the same claims in
 * its transaction; claimOwnership writes them one by one (`claimWrite`).
 */
export function ownershipWrites(table: string, claim: InstanceClaim): TransactItem[] {
  return [{ Update: studyClaimUpdate(table, claim) }, { Put: seriesClaimPut(table, claim) }, { Put: sopOwnershipPut(table, claim) }];
}

/**
 * One claim's write. DynamoDB refuses a single write to an item a transaction is writing at that moment (an
 * admission from quarantine re-asserts the same claims in its transaction) with TransactionConflictException, which
 * the SDK does not retry: it becomes a TransientError, which the workflow retries, rather than a file error.
 */
async function claimOnce(db: DynamoDBDocumentClient, command: UpdateCommand | PutCommand): Promise<Written | Refused> {
  try {
    return await conditionalWrite(db, command);
  } catch (error) {
    if (error instanceof TransactionConflictException) throw new TransientError('a concurrent transaction on the same claim; retry');
    throw error;
  }
}

/** One of ownershipWrites' claims as a write of its own. */
function claimWrite(table: string, claim: InstanceClaim, kind: OwnershipConflictKind): UpdateCommand | PutCommand {
  if (kind === 'study') return new UpdateCommand(studyClaimUpdate(table, claim));
  return new PutCommand(kind === 'series' ? seriesClaimPut(table, claim) : sopOwnershipPut(table, claim));
}

/** The study's claim: its owner set where there is none, refused where another project or site holds it. */
function studyClaimUpdate(table: string, claim: InstanceClaim) {
  return {
    TableName: table,
    Key: keys.study(claim.studyUid),
    UpdateExpression:
      'SET #project = if_not_exists(#project, :project), #site = if_not_exists(#site, :site), ' +
      'studyUid = if_not_exists(studyUid, :study), #status = if_not_exists(#status, :staged), #type = if_not_exists(#type, :type)',
    ConditionExpression: 'attribute_not_exists(#project) OR (#project = :project AND #site = :site)',
    ExpressionAttributeNames: { '#project': 'project', '#site': 'site', '#status': 'status', '#type': 'type' },
    ExpressionAttributeValues: {
      ':project': claim.project,
      ':site': claim.site,
      ':study': claim.studyUid,
      ':staged': 'staged',
      ':type': 'study',
    },
  };
}

/** The series' claim: its owner entry, put unless it names another study. */
function seriesClaimPut(table: string, claim: InstanceClaim) {
  return {
    TableName: table,
    Item: { ...keys.seriesOwner(claim.seriesUid), type: 'series-owner', seriesUid: claim.seriesUid, studyUid: claim.studyUid },
    ConditionExpression: 'attribute_not_exists(pk) OR studyUid = :study',
    ExpressionAttributeValues: { ':study': claim.studyUid },
  };
}

/** The SOP's claim: its object-id entry, put unless it names another study or series. */
function sopOwnershipPut(table: string, claim: InstanceClaim) {
  return {
    TableName: table,
    Item: objectRefItem(claim),
    ConditionExpression: 'attribute_not_exists(pk) OR (studyUid = :study AND seriesUid = :series)',
    ExpressionAttributeValues: { ':study': claim.studyUid, ':series': claim.seriesUid },
  };
}

/** The claim whose condition refused a transaction, given where ownershipWrites' items start in it. */
export function ownershipConflictIn(refused: Refused, start: number): OwnershipConflictKind | undefined {
  return CLAIM_ORDER.find((_, i) => refused.failedAt.includes(start + i));
}

/** The same instance's claim: study, series, SOP, project and site. */
function sameClaim(a: InstanceClaim, b: InstanceClaim): boolean {
  return a.studyUid === b.studyUid && a.seriesUid === b.seriesUid && a.sopUid === b.sopUid && a.project === b.project && a.site === b.site;
}

/** The object-id index entry of an instance (written with the instance, in the same transaction). */
function objectRefItem(instance: Pick<Instance, 'studyUid' | 'seriesUid' | 'sopUid'>): Record<string, unknown> {
  return {
    ...keys.object(instance.sopUid),
    type: 'object-ref',
    sopUid: instance.sopUid,
    studyUid: instance.studyUid,
    seriesUid: instance.seriesUid,
  };
}
