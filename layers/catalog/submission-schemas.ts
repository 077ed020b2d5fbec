import { z } from 'zod';
import type { Submission, SubmissionStatus } from './entities';

/**
 * A submission as the API answers it (POST /submissions, GET /submissions/{id}): the handlers
 * promise these bodies (their answers are checked against them) and the OpenAPI document
 * publishes them. The type checks below keep the schema and the `Submission` entity one shape.
 */
const isoTime = z.string().datetime({ offset: true });
const count = z.number().int().min(0);
export const submissionStatusSchema = z.enum(['open', 'sealed', 'published']);

export const submissionSchema = z.object({
  submissionId: z.string().uuid(),
  project: z.string(),
  site: z.string(),
  status: submissionStatusSchema,
  createdBy: z.string(),
  createdAt: isoTime,
  sealedAt: isoTime.optional(),
  publishedAt: isoTime.optional(),
  completionPendingSince: isoTime.optional(),
  fileCount: count,
  handledCount: count,
  stagedCount: count,
  quarantinedCount: count,
  missingCount: count.optional(),
  deidentifiedAtSite: z.boolean().optional(),
  deidKeyVersion: z.string().optional(),
});

/** POST /submissions/{id}/complete: sealed (or already further along). */
export const sealedSubmissionSchema = z.object({ submissionId: z.string().uuid(), status: submissionStatusSchema });

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaIsTheEntity: Same<Required<z.infer<typeof submissionSchema>>, Required<Submission>> = true;
const statusIsTheEntitys: Same<z.infer<typeof submissionStatusSchema>, SubmissionStatus> = true;
void schemaIsTheEntity;
void statusIsTheEntitys;
