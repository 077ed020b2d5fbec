import { profileForProject } from '../../layers/dicom';
import { deidentifyWithPixelChecks } from '../../layers/ingest/process-instance';
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
    // A file the site de-identified is kept as received (Verify checks its shape next). Clean Pixel Data when the
    // project enables it, then OCR of an at-risk (or cleaned) image for burned-in text, on the original: its
    // identifiers are what the pixels are compared with.
    const output = await deidentifyWithPixelChecks(
      bytes,
      submission.deidentifiedAtSite
        ? { input: 'deidentified-at-site' }
        : { input: 'original', secret: await deidKeyFor(submission), project: submission.project, site: submission.site, profile },
      { config: await projectQaConfig(submission.project), checkPixelText: true },
    );
    // Counts, codes and the layout's id only: the text OCR read never leaves layers/ingest/burned-in.
    if (output.cleanedLayout || output.pixelReview.length > 0) {
      logger.info('pixel check', {
        submissionId,
        fileId,
        ...(output.cleanedLayout ? { cleanedLayout: output.cleanedLayout, cleared: output.pixelsCleared === true } : {}),
        pixelReview: output.pixelReview,
        textRegions: output.textRegions?.length ?? 0,
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
      pixelsCleared: output.pixelsCleared === true,
    };
  },
);
