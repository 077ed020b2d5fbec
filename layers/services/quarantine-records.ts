import type { StoredFinding, QuarantineTextRegion } from '../catalog/qa-entities';
import { quarantineKeys } from '../pipeline/object-keys';
import { buckets, objects, intakeRepository } from './commons-context';
import { qaRepository } from './qa-context';

/**
 * Why a file was quarantined during ingest, as its sidecar and its curator record say it: rule ids and
 * value-free messages only. The Quarantine task stores it with the file's outcome, so that whoever finds the
 * outcome recorded but the sidecar or curator record unwritten (a retry of the same attempt, or the
 * reconciler after the task was killed in between) writes the same two things.
 */
export interface QuarantineDecision {
  readonly reasonCode: string;
  readonly reason: string;
  readonly rules: string[];
  readonly failedAfter: string;
  readonly findings: StoredFinding[];
  /** Boxes where OCR found identifying text (token classes only), for the curator's review. */
  readonly textRegions?: QuarantineTextRegion[];
  readonly quarantinedAt: string;
  /** The remapped UIDs, when de-identification got that far. */
  readonly studyUid?: string;
  readonly seriesUid?: string;
  readonly sopUid?: string;
}

export interface QuarantinedFileRef {
  readonly submissionId: string;
  readonly fileId: string;
  /** The intake key the original was uploaded to. */
  readonly intakeKey: string;
}

/** The decision as stored on the file record (a string: the outcome's fields are strings). */
export const encodeDecision = (decision: QuarantineDecision): string => JSON.stringify(decision);

export function decodeDecision(stored: string | undefined): QuarantineDecision | undefined {
  if (!stored) return undefined;
  try {
    const parsed = JSON.parse(stored) as Partial<QuarantineDecision>;
    return typeof parsed.reasonCode === 'string' && typeof parsed.quarantinedAt === 'string' && Array.isArray(parsed.findings)
      ? (parsed as QuarantineDecision)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The JSON sidecar beside a quarantined copy (idempotent: the same decision writes the same bytes). */
export async function putQuarantineSidecar(
  target: string,
  decision: QuarantineDecision,
  intakeKey: string,
  ids: { submissionId: string; fileId: string } | undefined,
): Promise<void> {
  const sidecar = {
    submissionId: ids?.submissionId ?? null,
    fileId: ids?.fileId ?? null,
    intakeKey,
    reasonCode: decision.reasonCode,
    reason: decision.reason,
    rules: decision.rules,
    failedAfter: decision.failedAfter,
    findings: decision.findings,
    ...(decision.textRegions ? { textRegions: decision.textRegions } : {}),
    objectKind: 'original',
    quarantinedAt: decision.quarantinedAt,
  };
  await objects().put(buckets.quarantine(), `${target}.json`, Buffer.from(JSON.stringify(sidecar, null, 2)), {
    contentType: 'application/json',
  });
}

/**
 * The sidecar beside the copy, then the curator's view of it (GET /quarantine); both idempotent. The curator
 * record is written only when the original was copied (there is something to review).
 */
export async function writeQuarantineRecords(
  file: QuarantinedFileRef,
  target: string,
  decision: QuarantineDecision,
  copied: boolean,
): Promise<void> {
  await putQuarantineSidecar(target, decision, file.intakeKey, file);
  const submission = copied ? await intakeRepository().getSubmission(file.submissionId) : undefined;
  if (!submission) return;
  await qaRepository().putQuarantine({
    quarantineId: file.fileId,
    submissionId: file.submissionId,
    fileId: file.fileId,
    project: submission.project,
    site: submission.site,
    objectKind: 'original',
    objectKey: target,
    sidecarKey: quarantineKeys(file.submissionId, file.fileId).sidecar,
    reasonCode: decision.reasonCode,
    rules: decision.rules,
    findings: decision.findings,
    status: 'quarantined',
    quarantinedAt: decision.quarantinedAt,
    failedAfter: decision.failedAfter,
    ...(decision.studyUid && decision.seriesUid && decision.sopUid
      ? { studyUid: decision.studyUid, seriesUid: decision.seriesUid, sopUid: decision.sopUid }
      : {}),
    ...(decision.textRegions ? { textRegions: decision.textRegions } : {}),
  });
}

/**
 * Finishes what a Quarantine killed between its outcome write and its curator record left: the file is
 * recorded quarantined, its copy is in the quarantine bucket, its original still in intake, and no curator
 * record exists. Called by the reconciler before it deletes that original. True when it wrote them.
 * A file recorded before decisions were stored carries none: nothing to rebuild from (false).
 */
export async function finishInterruptedQuarantine(
  file: QuarantinedFileRef & { quarantineDecision?: string; quarantineKey?: string },
): Promise<boolean> {
  const decision = decodeDecision(file.quarantineDecision);
  if (!decision || !file.quarantineKey) return false;
  if (await qaRepository().getQuarantine(file.fileId)) return false;
  const copied = (await objects().head(buckets.quarantine(), file.quarantineKey)) !== undefined;
  await writeQuarantineRecords(file, file.quarantineKey, decision, copied);
  return true;
}
