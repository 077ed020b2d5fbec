import { z } from 'zod';

/** Identifiers that appear in keys and URLs: lower-case slugs and UUIDs only. */
export const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be 2-63 lower-case letters, digits or dashes');
export const uuid = z.string().uuid();
export const uid = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)*$/, 'must be a DICOM UID')
  .max(64);

export const submissionPath = z.object({ submissionId: uuid });
export const studyPath = z.object({ studyUid: uid });
