import { profileForProject } from '../../layers/dicom';
import { decodedOriginalFor, verifyInstance } from '../../layers/ingest/process-instance';
import { UnknownUpload, VerificationFailed } from '../../layers/common/errors';
import { logger } from '../../layers/adapters/aws/powertools';
import { taskHandler } from '../../layers/adapters/aws/task';
import { verifyInput, type VerifyResult } from '../../layers/pipeline/ingest-states';
import { deidKeyFor, objects, intakeRepository } from '../../layers/services/commons-context';
import { parseIntakeKey } from '../../layers/pipeline/object-keys';

/**
 * The independent check, separate code from the de-identifier: nothing outside
 * the project's profile allows, no original identifier in the bytes, dates
 * shifted, pixels unchanged. The profile is looked up from the submission the
 * intake key names, exactly as the de-identify step did.
 */
export const handler = taskHandler(
  verifyInput,
  async function verifyDeidentifiedCopy({ bucket, originalKey, workKey }): Promise<VerifyResult> {
    const ids = parseIntakeKey(originalKey);
    const submission = ids ? await intakeRepository().getSubmission(ids.submissionId) : undefined;
    if (!submission) throw new UnknownUpload('the submission of this object does not exist');
    const [original, output] = await Promise.all([objects().getBytes(bucket, originalKey), objects().getBytes(bucket, workKey)]);
    if (!original || !output) throw new UnknownUpload('the original or its de-identified copy is missing');
    const profile = profileForProject(submission.project);
    const result = verifyInstance(
      original,
      output,
      submission.deidentifiedAtSite
        ? { input: 'deidentified-at-site', profile, secret: await deidKeyFor(submission), project: submission.project }
        : { input: 'original', profile },
      // A copy Clean Pixel Data blanked is compared with its original decoded when that is compressed.
      submission.deidentifiedAtSite ? undefined : await decodedOriginalFor(original, output),
    );
    if (!result.passed) {
      logger.warn('verification failed', { workKey, profile: profile.name, failures: result.failedChecks });
      throw new VerificationFailed(`the de-identified copy failed verification: ${result.failedChecks.join(', ')}`);
    }
    return { passed: true, checks: result.checks };
  },
);
