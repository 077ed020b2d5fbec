import { parseDicom } from '../../layers/dicom';
import { UnknownUpload } from '../../layers/common/errors';
import { logger } from '../../layers/adapters/aws/powertools';
import { taskHandler } from '../../layers/adapters/aws/task';
import { parseInput, type ParseResult } from '../../layers/pipeline/ingest-states';
import { projectQaConfig } from '../../layers/services/qa-context';
import { objects, intakeRepository } from '../../layers/services/commons-context';
import { MAX_INGEST_OBJECT_BYTES } from '../../layers/pipeline/intake-limits';
import { parseIntakeKey } from '../../layers/pipeline/object-keys';

/** The object's size differs from what the site announced: truncated or replaced in transit. */
export class SizeMismatch extends Error {
  override readonly name = 'SizeMismatch';
}

/** The object is larger than any ingest task can hold (MAX_INGEST_OBJECT_BYTES). */
export class ObjectTooLarge extends Error {
  override readonly name = 'ObjectTooLarge';
}

/**
 * First state of the ingest workflow: finds the announced file, skips it when an
 * earlier delivery of the same S3 event already handled it, and checks the bytes
 * are a readable DICOM Part 10 file.
 *
 * The object's size is checked from its metadata before a byte is read (a site's
 * presigned URL binds the size, but an object can still differ: an old URL, a
 * replaced object), and the read itself stops one byte past the announced size.
 * A deflated data set inflates within the project's intake policy.
 */
export const handler = taskHandler(parseInput, async function parseIntakeObject({ bucket, key }): Promise<ParseResult> {
  const ids = parseIntakeKey(key);
  if (!ids) throw new UnknownUpload('the object key is not one hilum issued');
  const file = await intakeRepository().getFile(ids.submissionId, ids.fileId);
  if (!file) throw new UnknownUpload('the object was not announced in its submission');
  if (file.status !== 'announced') {
    logger.info('already handled', { ...ids, status: file.status });
    return { ...ids, alreadyHandled: true, bytes: file.declaredSize };
  }
  const stored = await objects().head(bucket, key);
  if (!stored) throw new UnknownUpload('the announced object is not in the intake bucket');
  if (stored.size !== file.declaredSize) throw new SizeMismatch(`the object has ${stored.size} bytes, ${file.declaredSize} were announced`);
  if (stored.size > MAX_INGEST_OBJECT_BYTES)
    throw new ObjectTooLarge(`the object has ${stored.size} bytes, more than the ${MAX_INGEST_OBJECT_BYTES} an ingest task takes`);
  const submission = await intakeRepository().getSubmission(ids.submissionId);
  if (!submission) throw new UnknownUpload('the submission does not exist');
  const { inflation } = await projectQaConfig(submission.project);

  // One byte more than announced: an object replaced after the HEAD shows as a mismatch, not a big read.
  const bytes = await objects().getBytes(bucket, key, { atMost: file.declaredSize + 1 });
  if (!bytes) throw new UnknownUpload('the announced object is not in the intake bucket');
  if (bytes.byteLength !== file.declaredSize) {
    throw new SizeMismatch(`the object changed after it was sized: ${file.declaredSize} bytes were announced`);
  }
  const { summary } = parseDicom(bytes, { inflation });
  logger.info('parsed', { ...ids, bytes: bytes.byteLength, modality: summary.modality, transferSyntaxUid: summary.transferSyntaxUid });
  return {
    ...ids,
    alreadyHandled: false,
    bytes: bytes.byteLength,
    transferSyntaxUid: summary.transferSyntaxUid,
    ...(summary.modality ? { modality: summary.modality } : {}),
    sopClassUid: summary.sopClassUid,
  };
});
