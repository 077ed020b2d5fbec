import { parseDicom } from '../dicom';
import { recordedFactsOf } from '../qa';
import { instanceCatalogFields } from '../catalog/dicom-fields';
import { OwnershipConflict, type InstanceClaim } from '../catalog/ownership';
import type { Submission } from '../catalog/entities';
import type { StoredFinding } from '../catalog/qa-entities';
import { TransientError } from '../common/errors';
import type { ClaimsSeen, IntakeRepository, OwnedClaims } from '../adapters/aws/dynamodb/intake-repository';
import { toHex } from '../common/bytes';
import { logger } from '../adapters/aws/powertools';
import { releasedKey } from '../pipeline/object-keys';
import type { InstanceUids } from '../ingest/process-instance';
import type { StageResult } from '../pipeline/ingest-states';
import { auditLog, buckets, intakeRepository, objects } from './commons-context';
import { announceIfReady } from './submission-readiness';

/** A verified, QA-passed copy held in memory, and where its original waits in intake. */
export interface VerifiedInstance {
  readonly submission: Pick<Submission, 'project' | 'site'>;
  readonly submissionId: string;
  readonly fileId: string;
  readonly uids: InstanceUids;
  /** The de-identified copy the verifier passed. */
  readonly bytes: Uint8Array;
  /** Its SHA-256 (`sha256Of(bytes)`), computed once for the SOP claim, the PUT and the catalog. */
  readonly sha256: Uint8Array;
  readonly intake: { readonly bucket: string; readonly key: string };
  /** The instance QA findings (warnings), recorded with the file's outcome. */
  readonly findings: readonly StoredFinding[];
}

/**
 * Releases a verified copy: claims the instance's study for the submission's project and site (a file that
 * would join what another project, site, study or series owns is audited and thrown out as OwnershipConflict,
 * which the workflow quarantines, before any byte is released), PUTs the copy with its SHA-256 (S3 checks it
 * on arrival; the caller hashed the copy once), confirms it, records it in the catalog, and only then deletes the intake original.
 *
 * Every step is safe to repeat (at-least-once events, a crash anywhere): the released key and the bytes are
 * the same for the same original, the catalog write is conditional on the file still being announced, and a
 * repeat after it only finishes the deletion and the announcement. The released object stays invisible until
 * its submission is published.
 */
export async function stageInstance(input: VerifiedInstance, shared: SharedStaging = {}): Promise<StageResult> {
  const released = await releaseInstance(input, shared.claims);
  return finishRelease(released, await recordRelease(released), shared.finish);
}

/** A verified copy released (claims held, PUT and confirmed), with the staging record that makes it count. */
export interface ReleasedInstance {
  readonly input: VerifiedInstance;
  readonly staging: StagingRecord;
  readonly result: StageResult;
}

/** recordStaged's arguments: the file's outcome, its instance item, the claims it holds. */
export type StagingRecord = Parameters<IntakeRepository['recordStaged']>;

/**
 * The first half of a staging: the ownership claims (given `claims`, a batch's read of them), the checksum-verified
 * PUT of the copy and its confirmation, and the catalog record to write. Nothing counts the file yet.
 */
export async function releaseInstance(input: VerifiedInstance, claims?: ClaimsSeen): Promise<ReleasedInstance> {
  const { submission, submissionId, fileId, uids, bytes, sha256: digest } = input;
  const { summary } = parseDicom(bytes);
  const target = releasedKey(uids.studyUid, uids.seriesUid, uids.sopUid);
  const released = buckets.released();
  const owned = await claimOwnership(input, claims);

  // The digest is the PUT's checksum and its signature's payload hash: S3 checks the bytes against it on arrival, and
  // the PUT resolves only when S3's answer names the same checksum stored (a TransientError otherwise): the copy is confirmed.
  await objects().put(released, target, bytes, { sha256: digest, metadata: { sha256: toHex(digest) } });

  const now = new Date().toISOString();
  const staging: StagingRecord = [
    { submissionId, fileId, releasedKey: target, handledAt: now, qaFindings: input.findings },
    {
      ...uids,
      project: submission.project,
      site: submission.site,
      submissionId,
      fileId,
      objectKey: target,
      size: bytes.byteLength,
      sha256: toHex(digest),
      transferSyntaxUid: summary.transferSyntaxUid,
      sopClassUid: summary.sopClassUid,
      ...(summary.modality ? { modality: summary.modality } : {}),
      stagedAt: now,
      ...recordedFactsOf(bytes), // QA facts for the series/study rules (pseudonym, numbering, frame of reference, pixel hash)
      ...instanceCatalogFields(bytes),
    },
    owned,
  ];
  return { input, staging, result: { releasedKey: target, sha256: toHex(digest), size: bytes.byteLength } };
}

/** The catalog write of one released copy (conditional on the file still being announced): whether it was written. */
export function recordRelease({ staging }: ReleasedInstance): Promise<boolean> {
  return intakeRepository().recordStaged(...staging);
}

/**
 * The end of a staging, once its catalog write was tried (`recorded`: written by this attempt): a refused write is
 * accepted only when another attempt gave the file its outcome; then the original goes and readiness is checked.
 */
export async function finishRelease(released: ReleasedInstance, recorded: boolean, finish = finishStaged): Promise<StageResult> {
  const { submissionId, fileId, intake, findings } = released.input;
  if (!recorded) {
    // Refused: another attempt gave the file its outcome, and only then may the original go. A file still announced
    // (a refusal for any other reason) keeps its original for the retry: deleting it would lose the file.
    const file = await intakeRepository().getFile(submissionId, fileId);
    if (!file || file.status === 'announced') throw new TransientError('the staging write was refused while the file is still announced');
  }
  await finish(submissionId, intake);
  // A staged object's one line is its caller's (`ingested`, with the object's facts); a repeat says what it did.
  if (!recorded) logger.info('already handled; intake original removed', { submissionId, fileId, warnings: findings.length });
  return released.result;
}

/** What several stagings of one ingest batch share. */
export interface SharedStaging {
  /** One read of the batch's claims (IntakeRepository.readClaims), which claimOwnership then needs no read for. */
  readonly claims?: ClaimsSeen;
  /** What follows the recorded staging, gathered for the batch (one deletion request, one readiness check); default finishStaged. */
  readonly finish?: typeof finishStaged;
}

/**
 * What follows a recorded staging, also when a repeat finds the file already staged (a crash after the
 * catalog write, a duplicated event): the intake original goes (its released copy is verified and recorded),
 * and the submission is announced if this was its last file (the earlier attempt's announcement may not
 * have gone out).
 */
export async function finishStaged(submissionId: string, intake: { readonly bucket: string; readonly key: string }): Promise<void> {
  await objects().delete(intake.bucket, intake.key);
  await announceIfReady(submissionId);
}

/** The claim a verified instance makes: its study for its submission's project and site, its series and SOP within it. */
export function instanceClaimOf({ submission, uids }: Pick<VerifiedInstance, 'submission' | 'uids'>): InstanceClaim {
  return { studyUid: uids.studyUid, seriesUid: uids.seriesUid, sopUid: uids.sopUid, project: submission.project, site: submission.site };
}

async function claimOwnership(input: VerifiedInstance, seen: ClaimsSeen | undefined): Promise<OwnedClaims> {
  const { submission, submissionId, fileId, uids } = input;
  try {
    return await intakeRepository().claimOwnership(instanceClaimOf(input), submissionId, seen);
  } catch (error) {
    if (error instanceof OwnershipConflict) {
      await auditLog().append({
        actor: 'system:stage',
        action: 'ingest.ownership-conflict',
        targetType: 'study',
        targetId: uids.studyUid,
        details: {
          submissionId,
          fileId,
          project: submission.project,
          site: submission.site,
          conflict: error.conflict,
          seriesUid: uids.seriesUid,
          sopUid: uids.sopUid,
        },
      });
      logger.warn('ownership conflict', { submissionId, fileId, conflict: error.conflict });
    }
    throw error;
  }
}
