import { z } from 'zod';
import { runInstanceQa } from '../../layers/dicom';
import { UnknownUpload } from '../../layers/common/errors';
import { logger } from '../../layers/common/powertools';
import { taskHandler } from '../../layers/common/task';
import type { QaResult } from '../../workflows/contracts';
import { objects } from '../shared/context';

/** Instance-level quality rules on the de-identified copy; `quarantine` routes it to review. */
export const handler = taskHandler(z.object({
  bucket: z.string().min(1), workKey: z.string().min(1), deidOutcome: z.enum(['ok', 'needs-pixel-review']),
}), async ({ bucket, workKey, deidOutcome }): Promise<QaResult> => {
  const output = await objects().getBytes(bucket, workKey);
  if (!output) throw new UnknownUpload('the de-identified copy is missing');
  const result = runInstanceQa(output, deidOutcome);
  logger.info('qa', { workKey, outcome: result.outcome, rules: result.findings.map((f) => f.ruleId) });
  return result;
});
