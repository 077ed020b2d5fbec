import { z } from 'zod';
import { verifyDeidentified } from '../../layers/dicom';
import { UnknownUpload, VerificationFailed } from '../../layers/common/errors';
import { logger } from '../../layers/common/powertools';
import { taskHandler } from '../../layers/common/task';
import type { VerifyResult } from '../../workflows/contracts';
import { objects } from '../shared/context';

/** The independent check, separate code from the de-identifier: no PHI left, pixels unchanged. */
export const handler = taskHandler(z.object({
  bucket: z.string().min(1), originalKey: z.string().min(1), workKey: z.string().min(1),
}), async ({ bucket, originalKey, workKey }): Promise<VerifyResult> => {
  const [original, output] = await Promise.all([objects().getBytes(bucket, originalKey), objects().getBytes(bucket, workKey)]);
  if (!original || !output) throw new UnknownUpload('the original or its de-identified copy is missing');
  const result = verifyDeidentified(original, output);
  if (!result.passed) {
    const failed = [...new Set(result.failures.map((f) => (f.keyword ? `${f.check}:${f.keyword}` : f.check)))];
    logger.warn('verification failed', { workKey, failures: failed });
    throw new VerificationFailed(`the de-identified copy failed verification: ${failed.join(', ')}`);
  }
  return { passed: true, checks: result.checks };
});
