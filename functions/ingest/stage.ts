import { createHash } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { parseDicom } from '../../layers/dicom';
import { recordedFactsOf } from '../../layers/qa';
import { instanceCatalogFields } from '../../layers/catalog/dicom-fields';
import { s3Client } from '../../layers/adapters/aws/clients';
import { TransientError, UnknownUpload } from '../../layers/common/errors';
import { logger } from '../../layers/adapters/aws/powertools';
import { taskHandler } from '../../layers/adapters/aws/task';
import { stageInput, type StageResult } from '../../layers/pipeline/ingest-states';
import { auditLog, buckets, objects, intakeRepository } from '../../layers/services/commons-context';
import { releasedKey } from '../../layers/pipeline/object-keys';
import { announceIfReady } from '../../layers/services/submission-readiness';
import { OwnershipConflict } from '../../layers/catalog/ownership';

/**
 * Copies a verified, QA-passed object to the released bucket, checks the copy,
 * records it in the catalog, and only then deletes the intake original and the
 * work copy. The released object stays invisible until its submission is published.
 * First it claims the instance's study for the submission's project and site (and
 * its series and SOP UIDs for that study): a file that would join what another
 * project, site, study or series owns is audited and thrown out as
 * OwnershipConflict (the workflow quarantines it) before any byte is released.
 */
export const handler = taskHandler(stageInput, async function stageVerifiedObject(input): Promise<StageResult> {
  const submission = await intakeRepository().getSubmission(input.submissionId);
  if (!submission) throw new UnknownUpload('the submission does not exist');
  const bytes = await objects().getBytes(input.bucket, input.workKey);
  if (!bytes) throw new UnknownUpload('the de-identified copy is missing');
  const { summary } = parseDicom(bytes);
  const sha256 = createHash('sha256').update(bytes).digest();
  const target = releasedKey(input.studyUid, input.seriesUid, input.sopUid);
  const released = buckets.released();
  const claim = {
    studyUid: input.studyUid,
    seriesUid: input.seriesUid,
    sopUid: input.sopUid,
    project: submission.project,
    site: submission.site,
  };
  try {
    await intakeRepository().claimOwnership(claim);
  } catch (error) {
    if (error instanceof OwnershipConflict) {
      await auditLog().append({
        actor: 'system:stage',
        action: 'ingest.ownership-conflict',
        targetType: 'study',
        targetId: input.studyUid,
        details: {
          submissionId: input.submissionId,
          fileId: input.fileId,
          project: submission.project,
          site: submission.site,
          conflict: error.conflict,
          seriesUid: input.seriesUid,
          sopUid: input.sopUid,
        },
      });
      logger.warn('ownership conflict', { submissionId: input.submissionId, fileId: input.fileId, conflict: error.conflict });
    }
    throw error;
  }

  // S3 checks ChecksumSHA256 on arrival, so a stored copy is a verified copy.
  await s3Client().send(
    new PutObjectCommand({
      Bucket: released,
      Key: target,
      Body: bytes,
      ContentLength: bytes.byteLength,
      ContentType: 'application/dicom',
      ChecksumSHA256: sha256.toString('base64'),
      Metadata: { sha256: sha256.toString('hex') },
    }),
  );
  const stored = await objects().head(released, target);
  if (!stored || stored.size !== bytes.byteLength) throw new TransientError('the released copy could not be confirmed');

  const now = new Date().toISOString();
  const recorded = await intakeRepository().recordStaged(
    { submissionId: input.submissionId, fileId: input.fileId, releasedKey: target, handledAt: now },
    {
      studyUid: input.studyUid,
      seriesUid: input.seriesUid,
      sopUid: input.sopUid,
      project: submission.project,
      site: submission.site,
      submissionId: input.submissionId,
      fileId: input.fileId,
      objectKey: target,
      size: bytes.byteLength,
      sha256: sha256.toString('hex'),
      transferSyntaxUid: summary.transferSyntaxUid,
      sopClassUid: summary.sopClassUid,
      ...(summary.modality ? { modality: summary.modality } : {}),
      stagedAt: now,
      ...recordedFactsOf(bytes), // QA facts for the series/study rules (pseudonym, numbering, frame of reference, pixel hash)
      ...instanceCatalogFields(bytes),
    },
  );
  await objects().delete(input.bucket, input.originalKey);
  await objects().delete(input.bucket, input.workKey);
  logger.info(recorded ? 'staged' : 'already handled; intake copies removed', {
    submissionId: input.submissionId,
    fileId: input.fileId,
    warnings: input.findings.length,
  });
  // Also when an earlier attempt recorded the file: its announcement may not have gone out.
  await announceIfReady(input.submissionId);
  return { releasedKey: target, sha256: sha256.toString('hex'), size: bytes.byteLength };
});
