import { z } from 'zod';
import { parseDicom } from '../../layers/dicom';
import { UnknownUpload } from '../../layers/common/errors';
import { logger } from '../../layers/common/powertools';
import { taskHandler } from '../../layers/common/task';
import type { ParseResult } from '../../workflows/contracts';
import { catalog, objects } from '../shared/context';
import { parseIntakeKey } from '../shared/intake-key';

/** The object's size differs from what the site announced: truncated or replaced in transit. */
export class SizeMismatch extends Error {
  override readonly name = 'SizeMismatch';
}

/**
 * First state of the ingest workflow: finds the announced file, skips it when an
 * earlier delivery of the same S3 event already handled it, and checks the bytes
 * are a readable DICOM Part 10 file.
 */
export const handler = taskHandler(z.object({ bucket: z.string().min(1), key: z.string().min(1) }), async ({ bucket, key }): Promise<ParseResult> => {
  const ids = parseIntakeKey(key);
  if (!ids) throw new UnknownUpload('the object key is not one hilum issued');
  const file = await catalog().getFile(ids.submissionId, ids.fileId);
  if (!file) throw new UnknownUpload('the object was not announced in its submission');
  if (file.status !== 'announced') {
    logger.info('already handled', { ...ids, status: file.status });
    return { ...ids, alreadyHandled: true, bytes: file.declaredSize };
  }
  const bytes = await objects().getBytes(bucket, key);
  if (!bytes) throw new UnknownUpload('the announced object is not in the intake bucket');
  if (bytes.byteLength !== file.declaredSize) {
    throw new SizeMismatch(`the object has ${bytes.byteLength} bytes, ${file.declaredSize} were announced`);
  }
  const { summary } = parseDicom(bytes);
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
