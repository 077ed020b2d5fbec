import { deidentify, parseDicom, profileForProject } from '../../layers/dicom';
import { UnknownUpload } from '../../layers/common/errors';
import { logger, metrics } from '../../layers/adapters/aws/powertools';
import { taskHandler } from '../../layers/adapters/aws/task';
import { deidentifyInput, type DeidentifyResult } from '../../layers/pipeline/ingest-states';
import { deidKeyFor, objects, intakeRepository } from '../../layers/services/commons-context';
import { workKey } from '../../layers/pipeline/object-keys';
import { MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * De-identifies the intake object with the project's key and writes the result to
 * the work prefix of the (PHI-grade) intake bucket: it reaches the released bucket
 * only after the independent verifier passes it.
 */
export const handler = taskHandler(deidentifyInput, async function deidentifyIntakeObject({ bucket, key, submissionId, fileId }): Promise<DeidentifyResult> {
  const submission = await intakeRepository().getSubmission(submissionId);
  if (!submission) throw new UnknownUpload('the submission does not exist');
  const bytes = await objects().getBytes(bucket, key);
  if (!bytes) throw new UnknownUpload('the announced object is not in the intake bucket');
  const profile = profileForProject(submission.project);
  const target = workKey(submissionId, fileId);
  if (submission.deidentifiedAtSite) {
    // Already hilum's output, keyed with this project's secret at the site: running
    // it again would remap the remapped UIDs. Verify checks its shape next.
    const { summary } = parseDicom(bytes);
    await objects().put(bucket, target, bytes);
    logger.info('de-identified at site; kept as received', { submissionId, fileId, profile: profile.name });
    return {
      workKey: target, studyUid: summary.studyInstanceUid, seriesUid: summary.seriesInstanceUid, sopUid: summary.sopInstanceUid,
      outcome: summary.burnedInAnnotation?.trim().toUpperCase() === 'YES' ? 'needs-pixel-review' : 'ok', actionCounts: {},
    };
  }
  const output = deidentify(bytes, { secret: await deidKeyFor(submission), project: submission.project, site: submission.site, profile });
  await objects().put(bucket, target, output.bytes);
  const changed = Object.values(output.actionCounts).reduce((sum, n) => sum + n, 0);
  metrics.addMetric('AttributesDeidentified', MetricUnit.Count, changed);
  logger.info('de-identified', { submissionId, fileId, profile: profile.name, outcome: output.outcome, pixelReview: output.pixelReview, attributes: changed });
  return {
    workKey: target,
    studyUid: output.summary.studyInstanceUid,
    seriesUid: output.summary.seriesInstanceUid,
    sopUid: output.summary.sopInstanceUid,
    outcome: output.outcome,
    actionCounts: output.actionCounts,
  };
});
