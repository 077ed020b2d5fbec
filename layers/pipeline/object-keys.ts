/**
 * Where the pipeline's objects live. Intake: `intake/{submissionId}/{fileId}`; de-identified work
 * copies awaiting verification: `work/{submissionId}/{fileId}.dcm`; released instances:
 * `studies/{studyUid}/{seriesUid}/{sopUid}.dcm`; quarantined files and their reasons:
 * `quarantine/{submissionId}/{fileId}` (+ `.json`); QA reports: `reports/{submissionId}/qa-report.{json,md}`.
 */
export const INTAKE_PREFIX = 'intake/';
export const WORK_PREFIX = 'work/';

const INTAKE_KEY = /^intake\/([0-9a-f-]{36})\/([0-9a-f-]{36})$/;

/** The submission and file ids of an intake key, or undefined for a key hilum never issued. */
export function parseIntakeKey(key: string): { submissionId: string; fileId: string } | undefined {
  const match = INTAKE_KEY.exec(key);
  return match?.[1] && match[2] ? { submissionId: match[1], fileId: match[2] } : undefined;
}

export const intakeKey = (submissionId: string, fileId: string) => `${INTAKE_PREFIX}${submissionId}/${fileId}`;
export const workKey = (submissionId: string, fileId: string) => `${WORK_PREFIX}${submissionId}/${fileId}.dcm`;
export const releasedKey = (studyUid: string, seriesUid: string, sopUid: string) => `studies/${studyUid}/${seriesUid}/${sopUid}.dcm`;

/** Quarantine object keys: the same layout for ingest-time and study-level quarantine. */
export const quarantineKeys = (submissionId: string, fileId: string) => ({
  object: `quarantine/${submissionId}/${fileId}`,
  sidecar: `quarantine/${submissionId}/${fileId}.json`,
});

/** Where a submission's QA report lives in the released bucket (no PHI: ids, rule ids, value-free messages). */
export const reportKeys = (submissionId: string) => ({
  json: `reports/${submissionId}/qa-report.json`,
  markdown: `reports/${submissionId}/qa-report.md`,
});
