import type { InstanceRule } from './rule';

/**
 * The independent verifier found no PHI left and the pixels unchanged. In the
 * ingest workflow a failed verification throws VerificationFailed before QA runs;
 * the quarantine step records it under this rule id. It can never be overridden.
 */
export const deidVerified: InstanceRule = {
  id: 'deid.verified',
  level: 'instance',
  defaultSeverity: 'quarantine',
  description: 'The de-identification verifier passed (no PHI left, pixels unchanged); never overridable',
  overridable: false,
  offline: false,
  check: ({ verification }) =>
    verification && !verification.passed
      ? [`the de-identified copy failed verification: ${verification.failedChecks.join(', ') || 'unspecified check'}`]
      : [],
};
