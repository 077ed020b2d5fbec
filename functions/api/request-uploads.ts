import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { SubmissionFile } from '../../layers/catalog/entities';
import { SubmissionNotOpen } from '../../layers/adapters/aws/dynamodb/intake-repository';
import { Conflict } from '../../layers/common/errors';
import { httpHandler } from '../../layers/adapters/aws/http';
import { logger } from '../../layers/adapters/aws/powertools';
import { INTAKE_PREFIX } from '../../layers/pipeline/object-keys';
import { intakeRepository } from '../../layers/services/commons-context';
import { MAX_INGEST_OBJECT_BYTES } from '../../layers/pipeline/intake-limits';
import { presignUploads } from '../../layers/services/presign-upload';
import { submissionPath } from '../../layers/common/id-schemas';
import { loadSubmissionFor, requireOpen } from '../../layers/services/submission-access';

/**
 * POST /submissions/{id}/uploads: announces files and returns presigned PUT URLs
 * into the intake bucket (multipart part URLs above the threshold). Keys carry only
 * opaque ids: a site's file names can hold patient names, so they are echoed back
 * for the caller's mapping and never stored.
 */
export const handler = httpHandler(
  {
    path: submissionPath,
    body: z
      .object({
        files: z
          .array(
            z
              .object({
                name: z.string().min(1).max(1024),
                // Larger objects could only run an ingest task out of memory: refused here, before any upload.
                size: z.number().int().positive().max(MAX_INGEST_OBJECT_BYTES),
              })
              .strict(),
          )
          .min(1)
          .max(1000),
      })
      .strict(),
  },
  async function requestUploads({ caller, path, body }) {
    const submission = await loadSubmissionFor(caller, path.submissionId, 'write');
    requireOpen(submission);
    const announcedAt = new Date().toISOString();

    const planned = body.files.map((file) => {
      const fileId = randomUUID();
      return { ...file, fileId, key: `${INTAKE_PREFIX}${submission.submissionId}/${fileId}` };
    });
    const records: SubmissionFile[] = planned.map((file) => ({
      submissionId: submission.submissionId,
      fileId: file.fileId,
      intakeKey: file.key,
      declaredSize: file.size,
      status: 'announced',
      announcedAt,
    }));
    try {
      await intakeRepository().announceFiles(submission.submissionId, records);
    } catch (error) {
      if (error instanceof SubmissionNotOpen) throw new Conflict('the submission was sealed meanwhile');
      throw error;
    }

    const presigned = await presignUploads(
      planned.map((file) => ({ submissionId: submission.submissionId, fileId: file.fileId, key: file.key, size: file.size })),
    );
    const uploads = planned.map((file, i) => ({ name: file.name, ...presigned[i]! }));
    logger.info('uploads announced', {
      submissionId: submission.submissionId,
      files: uploads.length,
      multipart: uploads.filter((u) => 'multipart' in u).length,
    });
    return { statusCode: 201, body: { submissionId: submission.submissionId, uploads } };
  },
);
