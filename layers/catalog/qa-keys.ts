/**
 * QA's own items in the single catalog table (see docs/qa.md). Prefixes are
 * QA's: QACONFIG#, QUARANTINE#, QA#SOP#, and the QA# sort keys inside a
 * submission's collection. gsi1 is shared by overloading its partition value
 * (`QUARANTINE` here, `PUBLISHED` for studies, `AUDIT` for audit events).
 */
export const qaKeys = {
  /** A project's QA configuration (JSON validated by layers/qa). */
  projectConfig: (project: string) => ({ pk: `QACONFIG#${project}`, sk: 'QACONFIG' }),
  /** The instance rules' result for one file of a submission. */
  fileResult: (submissionId: string, fileId: string) => ({ pk: `SUBMISSION#${submissionId}`, sk: `QA#FILE#${fileId}` }),
  /** Series, study and submission findings of a submission, written when it is sealed and complete. */
  submissionResult: (submissionId: string) => ({ pk: `SUBMISSION#${submissionId}`, sk: 'QA#SUBMISSION' }),
  /** A quarantined file awaiting (or past) curator review; the id is the file id. */
  quarantine: (quarantineId: string) => ({ pk: `QUARANTINE#${quarantineId}`, sk: 'QUARANTINE' }),
  quarantineIndex: (quarantinedAt: string, quarantineId: string) => ({ gsi1pk: 'QUARANTINE', gsi1sk: `${quarantinedAt}#${quarantineId}` }),
  /**
   * The first file to claim a SOP Instance UID with given de-identified bytes: a
   * later file with other bytes under the same UID is a conflict, caught before
   * Stage could overwrite the released object.
   */
  sopClaim: (studyUid: string, seriesUid: string, sopUid: string) => ({ pk: `QA#SOP#${studyUid}#${seriesUid}#${sopUid}`, sk: 'CLAIM' }),
} as const;

export const QA_PREFIX = { fileResult: 'QA#FILE#' } as const;
export const QUARANTINE_PARTITION = 'QUARANTINE';
