/**
 * The single-table key design (see docs/catalog.md). One item collection per
 * submission (its files and the studies it touched) and one per study (its
 * instances), so every read the pipeline and the API make is one Query.
 */
export const keys = {
  submission: (submissionId: string) => ({ pk: `SUBMISSION#${submissionId}`, sk: 'SUBMISSION' }),
  submissionFile: (submissionId: string, fileId: string) => ({ pk: `SUBMISSION#${submissionId}`, sk: `FILE#${fileId}` }),
  submissionStudy: (submissionId: string, studyUid: string) => ({ pk: `SUBMISSION#${submissionId}`, sk: `STUDY#${studyUid}` }),
  study: (studyUid: string) => ({ pk: `STUDY#${studyUid}`, sk: 'STUDY' }),
  instance: (studyUid: string, seriesUid: string, sopUid: string) => ({ pk: `STUDY#${studyUid}`, sk: `INSTANCE#${seriesUid}#${sopUid}` }),
  /** Sparse index of published studies, newest first by sort key. */
  publishedStudy: (publishedAt: string, studyUid: string) => ({ gsi1pk: 'PUBLISHED', gsi1sk: `${publishedAt}#${studyUid}` }),
} as const;

export const PREFIX = { file: 'FILE#', study: 'STUDY#', instance: 'INSTANCE#' } as const;
export const PUBLISHED_PARTITION = 'PUBLISHED';
