/**
 * Where the pipeline's objects live. Intake: `intake/{submissionId}/{fileId}`; de-identified work
 * copies awaiting verification: `work/{submissionId}/{fileId}.dcm`; released instances:
 * `studies/{studyUid}/{seriesUid}/{sopUid}.dcm`.
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
