/** Intake keys: `intake/{submissionId}/{fileId}`; work copies: `work/{submissionId}/{fileId}.dcm`. */
export const INTAKE_PREFIX = 'intake/';
export const WORK_PREFIX = 'work/';
