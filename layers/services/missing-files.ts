import { logger } from '../adapters/aws/powertools';
import type { Submission } from '../catalog/entities';
import { buckets, objects, intakeRepository } from './commons-context';
import { intakeKey } from '../pipeline/object-keys';
import { announceIfReady } from './submission-readiness';
import { projectQaConfig, qaRepository } from './qa-context';

/**
 * Marks the files of a sealed submission that were announced but never arrived as
 * `missing`, once the project's grace period (default 24 h after sealing) has
 * passed, so they cannot block publication forever; then announces the
 * submission if that made it ready. Returns the file ids marked.
 */
export async function markMissingFiles(submission: Submission, now: Date, graceHoursOverride?: number): Promise<string[]> {
  if (submission.status !== 'sealed' || !submission.sealedAt) return [];
  const graceHours = graceHoursOverride ?? (await projectQaConfig(submission.project)).missingFileGraceHours;
  if (now.getTime() - Date.parse(submission.sealedAt) < graceHours * 3600_000) return [];
  const waiting = (await intakeRepository().listFiles(submission.submissionId)).filter((f) => f.status === 'announced');
  const marked: string[] = [];
  for (const file of waiting) {
    // An object in intake is being ingested (or waits for a redrive): it is not missing.
    if (await objects().head(buckets.intake(), intakeKey(submission.submissionId, file.fileId))) continue;
    if (await qaRepository().markFileMissing(submission.submissionId, file.fileId, now.toISOString())) marked.push(file.fileId);
  }
  if (marked.length > 0) {
    logger.warn('files marked missing', { submissionId: submission.submissionId, files: marked.length, graceHours });
    await announceIfReady(submission.submissionId);
  }
  return marked;
}
