import { profileForProject } from '../../layers/dicom';
import { checkBurnedInText } from '../../layers/ingest/burned-in';
import { deidentifyInstance, withPixelText } from '../../layers/ingest/process-instance';
import { UnknownUpload } from '../../layers/common/errors';
import { logger, metrics } from '../../layers/adapters/aws/powertools';
import { taskHandler } from '../../layers/adapters/aws/task';
import { deidentifyInput, type DeidentifyResult } from '../../layers/pipeline/ingest-states';
import { deidKeyFor, objects, intakeRepository } from '../../layers/services/commons-context';
import { workKey } from '../../layers/pipeline/object-keys';
import { projectQaConfig } from '../../layers/services/qa-context';
import { MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * De-identifies the intake object with the project's key and writes the result to
 * the work prefix of the (PHI-grade) intake bucket: it reaches the released bucket
 * only after the independent verifier passes it.
 */
export const handler = taskHandler(
  deidentifyInput,
  async function deidentifyIntakeObject({ bucket, key, submissionId, fileId }): Promise<DeidentifyResult> {
    const submission = await intakeRepository().getSubmission(submissionId);
    if (!submission) throw new UnknownUpload('the submission does not exist');
    const bytes = await objects().getBytes(bucket, key);
    if (!bytes) throw new UnknownUpload('the announced object is not in the intake bucket');
    const profile = profileForProject(submission.project);
    const target = workKey(submissionId, fileId);
    // OCR of an at-risk image for burned-in text, on the original (its identifiers are what the pixels are compared with).
    const pixelText = await checkBurnedInText(bytes, (await projectQaConfig(submission.project)).burnedInText);
    // A file the site de-identified is kept as received (Verify checks its shape next).
    const deidentified = deidentifyInstance(
      bytes,
      submission.deidentifiedAtSite
        ? { input: 'deidentified-at-site' }
        : { input: 'original', secret: await deidKeyFor(submission), project: submission.project, site: submission.site, profile },
    );
    const output = withPixelText(deidentified, pixelText);
    // Counts and the check's status only: the text OCR read never leaves layers/ingest/burned-in.
    if (pixelText.status !== 'not-at-risk') {
      logger.info('burned-in text check', {
        submissionId,
        fileId,
        status: pixelText.status,
        ...(pixelText.status === 'held' ? { reason: pixelText.reason, regions: pixelText.regions.length } : {}),
        ms: pixelText.ms,
      });
    }
    await objects().put(bucket, target, output.bytes);
    if (output.keptAsReceived) {
      logger.info('de-identified at site; kept as received', { submissionId, fileId, profile: profile.name });
    } else {
      const changed = Object.values(output.actionCounts).reduce((sum, n) => sum + n, 0);
      metrics.addMetric('AttributesDeidentified', MetricUnit.Count, changed);
      logger.info('de-identified', {
        submissionId,
        fileId,
        profile: profile.name,
        outcome: output.outcome,
        pixelReview: output.pixelReview,
        attributes: changed,
      });
    }
    return {
      workKey: target,
      ...output.uids,
      outcome: output.outcome,
      pixelReview: [...output.pixelReview],
      ...(output.textRegions ? { textRegions: output.textRegions.map((r) => ({ ...r, classes: [...r.classes] })) } : {}),
      actionCounts: output.actionCounts,
    };
  },
);
