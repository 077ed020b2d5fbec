import type { SubmissionRule } from './rule';

/** Every file announced at upload arrived (files still missing after the grace period are marked `missing`). */
export const allReceived: SubmissionRule = {
  id: 'submission.all-received',
  level: 'submission',
  defaultSeverity: 'warn',
  description: 'Every file announced at upload was received (never-received files are marked missing after the grace period)',
  overridable: true,
  offline: false,
  check: ({ files }) =>
    files.filter((f) => f.status === 'missing').map((f) => ({ fileId: f.fileId, message: 'announced but never received' })),
};
