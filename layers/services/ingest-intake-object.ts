import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { profileForProject } from '../dicom';
import { decodedOriginalFor, deidentifyWithPixelChecks, verifyInstance, type DeidentifiedInstance } from '../ingest/process-instance';
import { VerificationFailed } from '../common/errors';
import { sha256Of } from '../common/digest';
import { logger, metrics } from '../adapters/aws/powertools';
import { ingestedLineFields, type IngestedFacts } from '../ingest/ingested-line';
import type { DeidentifyResult, IngestObjectResult, QaResult, StageResult } from '../pipeline/ingest-states';
import { deidKeyFor } from './commons-context';
import { readIntakeObject, type IntakeLookup, type IntakeObject } from './intake-object';
import { objectMemory, type ObjectMemory } from './object-memory';
import { checkInstanceRules, recordInstanceQa, type CheckedInstance } from './instance-qa';
import { claimSopUid } from './sop-claim';
import { finishStaged, stageInstance, type SharedStaging, type VerifiedInstance } from './stage-instance';

/**
 * One intake object's ingest (IngestObject's whole work, and each record of IngestBatch's): reads the object once and, in memory, checks it
 * is the announced, readable DICOM file, de-identifies it with the project's key (Clean Pixel Data and
 * the burned-in text check included), runs the independent verifier on the copy (separate code, the
 * same invocation), decides instance QA and claims the SOP UID, and unless QA holds the file, stages
 * the copy (ownership claim, checksum-verified PUT, catalog record, original deleted). It answers
 * `staged`, `quarantine` (the workflow's Quarantine moves the original with the findings) or
 * `already-handled`; a file error (unreadable, verification failed, ownership conflict) is thrown and
 * the workflow quarantines the file with its reason. Every step is safe to repeat (docs/ingest-scale.md).
 */
export async function ingestIntakeObject(bucket: string, key: string): Promise<IngestObjectResult> {
  const processed = await processIntakeObject(bucket, key);
  if ('done' in processed) return processed.done;
  const answer = await stageProcessed(processed.ready);
  // Only after a staging that succeeded: a failed one (its PUT perhaps still sending) leaves the memory to the collector.
  processed.ready.releaseMemory();
  return answer;
}

/** An object processed up to its staging: answered (already handled, or held by QA), or verified and ready to stage. */
export type ProcessedObject = { readonly done: IngestObjectResult } | { readonly ready: ReadyToStage };

/** A verified, QA-passed copy in memory, with what its answer keeps of de-identification and QA. */
export interface ReadyToStage {
  readonly instance: VerifiedInstance;
  readonly deid: DeidentifyResult;
  readonly qa: QaResult;
  /** What the object's outcome line says of its parse, de-identification and QA, logged once it is staged. */
  readonly facts: IngestedFacts;
  /**
   * The SOP claim still to make (`claimSopLater`), with the rules' findings QA decides on once it is made
   * (settleSopClaim): `qa` holds the rules' decision until then.
   */
  readonly sopClaimPending?: CheckedInstance & Required<Pick<CheckedInstance, 'sopClaim'>>;
  /**
   * Gives the original's and the copy's memory back for the next object (layers/services/object-memory.ts): call once
   * the copy's PUT was answered and the staging read it (releaseInstance returned), or when the object ends unstaged
   * (settleSopClaim's hold); `instance.bytes` reads as empty from then on.
   */
  readonly releaseMemory: () => void;
}

/** Stages a processed object's copy (stageInstance), with what the stagings of a batch share. */
export async function stageProcessed(ready: ReadyToStage, shared?: SharedStaging): Promise<IngestObjectResult> {
  return stagedAnswer(ready, await stageInstance(ready.instance, shared));
}

/** The answer of a processed object once its copy is staged, and its outcome line. */
export function stagedAnswer({ instance, deid, qa, facts }: ReadyToStage, stage: StageResult): IngestObjectResult {
  logger.info('ingested', ingestedLineFields('staged', facts));
  return { outcome: 'staged', submissionId: instance.submissionId, fileId: instance.fileId, deid, qa, stage };
}

/**
 * ingestIntakeObject up to the staging: an ingest batch processes its objects one by one, then stages them with
 * one read of their claims. `lookedUp`: the batch's read of the file and its QA configuration; `finish`: what a
 * repeat of a staged file finishes (default at once: finishStaged); `claimSopLater`: the SOP claim is left to the
 * caller (`sopClaimPending`: a batch makes its copies' claims together), which settles it with settleSopClaim.
 */
export async function processIntakeObject(
  bucket: string,
  key: string,
  {
    lookedUp,
    finish = finishStaged,
    claimSopLater = false,
  }: { lookedUp?: IntakeLookup; finish?: typeof finishStaged; claimSopLater?: boolean } = {},
): Promise<ProcessedObject> {
  const memory = objectMemory();
  try {
    return await processRead(await readIntakeObject(bucket, key, lookedUp, memory.original), bucket, key, finish, claimSopLater, memory);
  } catch (error) {
    // Nothing of the copy was sent: no one reads either buffer after the error.
    memory.release();
    throw error;
  }
}

/** processIntakeObject's work once the object is read (or found handled), its buffers in `memory`'s keeping. */
async function processRead(
  intake: IntakeObject,
  bucket: string,
  key: string,
  finish: typeof finishStaged,
  claimSopLater: boolean,
  memory: ObjectMemory,
): Promise<ProcessedObject> {
  const { submissionId, fileId } = intake;
  if (intake.handled) {
    logger.info('already handled', { submissionId, fileId, status: intake.file.status });
    // A repeat after the catalog write (a crash before the deletion, a duplicated event) finishes what it left.
    if (intake.file.status === 'staged') await finish(submissionId, { bucket, key });
    return { done: { outcome: 'already-handled', submissionId, fileId } };
  }
  const { submission, config, bytes, summary } = intake;

  const profile = profileForProject(submission.project);
  const secret = await deidKeyFor(submission);
  // A file the site de-identified is kept as received (the verifier checks its shape and key). Clean Pixel Data when
  // the project enables it, then OCR of an at-risk (or cleaned) image for burned-in text, on the original: its
  // identifiers are what the pixels are compared with.
  const deid = await deidentifyWithPixelChecks(
    bytes,
    submission.deidentifiedAtSite
      ? { input: 'deidentified-at-site' }
      : { input: 'original', secret, project: submission.project, site: submission.site, profile },
    { config, checkPixelText: true, into: memory.copy },
  );
  countDeidentified(deid);

  const verification = verifyInstance(
    bytes,
    deid.bytes,
    submission.deidentifiedAtSite
      ? { input: 'deidentified-at-site', profile, secret, project: submission.project }
      : { input: 'original', profile },
    // A copy Clean Pixel Data blanked is compared with its original decoded when that is compressed.
    submission.deidentifiedAtSite ? undefined : await decodedOriginalFor(bytes, deid.bytes),
  );
  if (!verification.passed) {
    logger.warn('verification failed', { submissionId, fileId, profile: profile.name, failures: verification.failedChecks });
    throw new VerificationFailed(`the de-identified copy failed verification: ${verification.failedChecks.join(', ')}`);
  }

  // One pass over the copy for its SHA-256: the SOP claim, the released PUT (checksum and signature) and the catalog share it.
  const copySha256 = sha256Of(deid.bytes);
  const checked = checkInstanceRules({ submissionId, fileId, config, deid, copySha256 });
  const pending = claimSopLater && checked.sopClaim ? { ...checked, sopClaim: checked.sopClaim } : undefined;
  // Instance QA: the rules, the SOP claim (unless left to the caller), the decision.
  const holder = checked.sopClaim && !pending ? await claimSopUid(checked.sopClaim) : undefined;
  const qa = await recordInstanceQa({ submissionId, fileId }, checked, holder);
  // One line at the object's outcome: here for a QA hold, at the staging's end (stagedAnswer) for a staged copy.
  // A file error logs its WARN line where it is raised, and Quarantine its outcome.
  const facts: IngestedFacts = {
    submissionId,
    fileId,
    bytes: bytes.byteLength,
    ...(summary.modality ? { modality: summary.modality } : {}),
    transferSyntaxUid: summary.transferSyntaxUid,
    profile: profile.name,
    deid,
    qa,
  };
  // Only the copy is read from here on: the original's memory goes back for the next object's read.
  memory.releaseOriginal(deid.bytes);
  const deidState = deidentifyState(deid);
  if (qa.outcome === 'quarantine') {
    memory.release();
    logger.info('ingested', ingestedLineFields('quarantine', facts));
    return { done: { outcome: 'quarantine', submissionId, fileId, deid: deidState, qa } };
  }

  const instance: VerifiedInstance = {
    submission,
    submissionId,
    fileId,
    uids: deid.uids,
    bytes: deid.bytes,
    sha256: copySha256,
    intake: { bucket, key },
    findings: qa.findings,
  };
  return {
    ready: { instance, deid: deidState, qa, facts, ...(pending ? { sopClaimPending: pending } : {}), releaseMemory: memory.release },
  };
}

/**
 * A ready copy whose SOP claim was left to its caller, once the claim is made: `holder` is the file that holds the
 * UID with other bytes (undefined: the claim is this file's, and the copy stays ready to stage). A held copy is
 * decided as processIntakeObject decides one: QA quarantines it (its result recorded, its outcome line logged).
 */
export async function settleSopClaim(ready: ReadyToStage, holder: string | undefined): Promise<ProcessedObject> {
  const pending = ready.sopClaimPending;
  if (!pending || !holder) return { ready };
  const { submissionId, fileId } = ready.instance;
  const qa = await recordInstanceQa({ submissionId, fileId }, pending, holder);
  ready.releaseMemory();
  logger.info('ingested', ingestedLineFields('quarantine', { ...ready.facts, qa }));
  return { done: { outcome: 'quarantine', submissionId, fileId, deid: ready.deid, qa } };
}

/** What the execution state keeps of the de-identify step: remapped UIDs, codes, boxes and counts, never the bytes. */
function deidentifyState(deid: DeidentifiedInstance): DeidentifyResult {
  return {
    ...deid.uids,
    outcome: deid.outcome,
    pixelReview: [...deid.pixelReview],
    ...(deid.textRegions ? { textRegions: deid.textRegions.map((r) => ({ ...r, classes: [...r.classes] })) } : {}),
    actionCounts: { ...deid.actionCounts },
    pixelsCleared: deid.pixelsCleared === true,
  };
}

/** The attributes the de-identification changed, as a metric (one EMF record per invocation, whatever the objects). */
function countDeidentified(deid: DeidentifiedInstance): void {
  if (deid.keptAsReceived) return;
  const changed = Object.values(deid.actionCounts).reduce((sum, n) => sum + n, 0);
  metrics.addMetric('AttributesDeidentified', MetricUnit.Count, changed);
}
