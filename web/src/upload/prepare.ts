import { DEFAULT_PROFILE, DicomParseError } from '../../../layers/dicom';
import { checkInstance, deidentifyInstance, type ProjectKey } from '../../../layers/ingest/process-instance';
import { DEFAULT_QA_CONFIG, evaluateInstance, loadQaConfig, outcomeOf, type Finding, type Outcome } from '../../../layers/qa';

/**
 * What the browser does to one file before it may leave the site, with the commons' own pure
 * engines (this runs inside the de-identification Web Worker): read it, de-identify it with the
 * project's key when the site de-identifies, and run the QA instance rules on the copy the
 * pipeline would check. Nothing here logs or returns a DICOM value: findings carry rule ids and
 * the rules' value-free messages.
 *
 * The independent verifier is not run here: the pipeline's Verify step checks every file a site
 * de-identified (verifySiteDeidentified) before anything is released, and a file that fails is
 * quarantined there.
 */
export interface SiteKey {
  readonly secret: string;
  readonly project: string;
  readonly site: string;
}

export interface PrepareOptions {
  /** The project's key when the site de-identifies; absent: the file is sent as it is (the pipeline de-identifies). */
  readonly deid?: SiteKey;
  /** The project's QA configuration as the API answers it; the defaults when absent. */
  readonly qaConfig?: unknown;
}

export interface PreparedFile {
  /** The bytes to send: the de-identified copy, or the original when the pipeline de-identifies. */
  readonly bytes: Uint8Array;
  readonly deidentified: boolean;
  readonly outcome: Outcome;
  readonly findings: readonly Pick<Finding, 'ruleId' | 'severity' | 'message'>[];
}

/** A key for the QA check alone when the site does not de-identify: never used for bytes that leave. */
const CHECK_ONLY = { project: 'browser-check', site: 'browser-check' };

export function prepareFile(original: Uint8Array, options: PrepareOptions, checkSecret: () => string): PreparedFile {
  const config = options.qaConfig === undefined ? DEFAULT_QA_CONFIG : loadQaConfig(options.qaConfig);
  const unreadable = evaluateInstance(original, { config, phase: 'original' }).findings.filter((f) => f.ruleId === 'dicom.parses');
  if (unreadable.length > 0) return refused(original, unreadable, options);
  const key: ProjectKey = options.deid
    ? { ...options.deid, profile: DEFAULT_PROFILE }
    : { ...CHECK_ONLY, secret: checkSecret(), profile: DEFAULT_PROFILE };
  let deid;
  try {
    deid = deidentifyInstance(original, { ...key, input: 'original' });
  } catch (error) {
    if (!(error instanceof DicomParseError)) throw error;
    return refused(original, [{ ruleId: 'dicom.parses', severity: 'quarantine', message: error.message }], options);
  }
  const check = checkInstance(deid.bytes, {
    config,
    // The pipeline verifies the copy (above); the browser's check is the rules' verdict on it.
    verification: { passed: true, failedChecks: [] },
    deidOutcome: deid.outcome,
    pixelReview: deid.pixelReview,
  });
  const findings = check.findings.map(({ ruleId, severity, message }) => ({ ruleId, severity, message }));
  return {
    bytes: options.deid ? deid.bytes : original,
    deidentified: options.deid !== undefined,
    outcome: outcomeOf(check.findings),
    findings,
  };
}

function refused(original: Uint8Array, findings: readonly Finding[], options: PrepareOptions): PreparedFile {
  return {
    // Nothing de-identified: an unreadable file is never sent when the site de-identifies.
    bytes: options.deid ? new Uint8Array(0) : original,
    deidentified: false,
    outcome: 'quarantine',
    findings: findings.map(({ ruleId, severity, message }) => ({ ruleId, severity, message })),
  };
}
