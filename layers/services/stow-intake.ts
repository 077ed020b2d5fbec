import { randomUUID } from 'node:crypto';
import type { Submission, SubmissionFile } from '../catalog/entities';
import { remapUid } from '../dicom';
import type { StowInstance } from '../dicomweb';
import { INTAKE_PREFIX } from '../pipeline/object-keys';
import { SubmissionNotOpen } from '../adapters/aws/dynamodb/intake-repository';
import { logger } from '../adapters/aws/powertools';
import { Conflict } from '../common/errors';
import { buckets, deidKeyFor, intakeRepository, objects } from './commons-context';

export interface ReceivedParts {
  readonly received: readonly StowInstance[];
  /** Announced, but the intake write failed: the reconciler marks them missing after the grace period. */
  readonly notReceived: readonly StowInstance[];
}

/**
 * Takes STOW-RS instances into an open submission exactly as a presigned upload would
 * arrive: each is announced as a file of the submission (its size declared), then written
 * to `intake/{submission}/{file}`, whose "Object Created" event starts the ingest workflow.
 * Announcing first is what lets Parse find the file; a submission sealed meanwhile is 409.
 */
export async function receiveIntoSubmission(
  submission: Pick<Submission, 'submissionId'>,
  parts: readonly { instance: StowInstance; body: Uint8Array }[],
): Promise<ReceivedParts> {
  if (parts.length === 0) return { received: [], notReceived: [] };
  const announcedAt = new Date().toISOString();
  const files: SubmissionFile[] = parts.map((part) => {
    const fileId = randomUUID();
    return {
      submissionId: submission.submissionId,
      fileId,
      intakeKey: `${INTAKE_PREFIX}${submission.submissionId}/${fileId}`,
      declaredSize: part.body.byteLength,
      status: 'announced',
      announcedAt,
    };
  });
  try {
    await intakeRepository().announceFiles(submission.submissionId, files);
  } catch (error) {
    if (error instanceof SubmissionNotOpen) throw new Conflict('the submission was sealed meanwhile');
    throw error;
  }
  const writes = await Promise.allSettled(
    parts.map((part, i) => objects().put(buckets.intake(), files[i]!.intakeKey, part.body, { contentType: 'application/dicom' })),
  );
  const received: StowInstance[] = [];
  const notReceived: StowInstance[] = [];
  writes.forEach((write, i) => {
    const { instance } = parts[i]!;
    if (write.status === 'fulfilled') received.push(instance);
    else {
      logger.warn('stow: intake write failed', {
        submissionId: submission.submissionId,
        fileId: files[i]!.fileId,
        error: write.reason instanceof Error ? write.reason.name : 'Error',
      });
      notReceived.push(instance);
    }
  });
  return { received, notReceived };
}

/**
 * The UID an instance's study, series or SOP UID will have once published: remapped with the
 * project key the submission pinned, as the de-identifier does (docs/deidentification.md), or
 * kept as received when the site de-identified the files itself.
 */
export async function publishedUidOf(
  submission: Pick<Submission, 'project' | 'deidKeyVersion' | 'deidentifiedAtSite'>,
): Promise<(uid: string) => string> {
  if (submission.deidentifiedAtSite) return (uid) => uid;
  const secret = await deidKeyFor(submission);
  return (uid) => remapUid(uid, { secret, project: submission.project });
}
