import { DEFAULT_PROFILE, DicomParseError } from '../../../layers/dicom';
import {
  checkInstance,
  deidentifyInstance,
  verifyInstance,
  type DeidentifyFrom,
  type DeidentifiedInstance,
  type ProjectKey,
} from '../../../layers/ingest/process-instance';
import { DEFAULT_QA_CONFIG, evaluateInstance, loadQaConfig, outcomeOf, type Finding, type Outcome } from '../../../layers/qa';

/**
 * What the browser does to one file before it may leave the site, with the commons' own pure
 * engines (this runs inside the de-identification Web Worker): read it, de-identify it with the
 * project's key when the site de-identifies, and run the QA instance rules on the copy the
 * pipeline would check. Nothing here logs or returns a DICOM value: findings carry rule ids and
 * the rules' value-free messages.
 *
 * A copy made here goes through the independent verifier before it may leave, twice: against its
 * original (what the pipeline's Verify step checks of a copy it makes) and as the pipeline will see
 * it, a file de-identified at the site carrying this project's key fingerprint
 * (verifySiteDeidentified). A copy that fails either is not sent: the page names the file and the
 * failing checks (check names and attribute keywords, never values). The pipeline verifies again.
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
  /** The verifier's verdict on a copy de-identified here (absent when nothing was de-identified here): a failed copy is never sent. */
  readonly verification?: PreparedVerification;
}

export interface PreparedVerification {
  readonly passed: boolean;
  /** `check` or `check:keyword` of each failure, once each: names, never values. */
  readonly failedChecks: readonly string[];
}

/** The de-identify step the worker runs (the pipeline's own; another only in tests of the verifier's guard). */
export type DeidentifyStep = (original: Uint8Array, from: DeidentifyFrom) => DeidentifiedInstance;

/** A key for the QA check alone when the site does not de-identify: never used for bytes that leave. */
const CHECK_ONLY = { project: 'browser-check', site: 'browser-check' };

export function prepareFile(
  original: Uint8Array,
  options: PrepareOptions,
  checkSecret: () => string,
  deidentifyStep: DeidentifyStep = deidentifyInstance,
): PreparedFile {
  const config = options.qaConfig === undefined ? DEFAULT_QA_CONFIG : loadQaConfig(options.qaConfig);
  const unreadable = evaluateInstance(original, { config, phase: 'original' }).findings.filter((f) => f.ruleId === 'dicom.parses');
  if (unreadable.length > 0) return refused(original, unreadable, options);
  const key: ProjectKey = options.deid
    ? { ...options.deid, profile: DEFAULT_PROFILE }
    : { ...CHECK_ONLY, secret: checkSecret(), profile: DEFAULT_PROFILE };
  let deid;
  try {
    deid = deidentifyStep(original, { ...key, input: 'original' });
  } catch (error) {
    if (!(error instanceof DicomParseError)) throw error;
    return refused(original, [{ ruleId: 'dicom.parses', severity: 'quarantine', message: error.message }], options);
  }
  // Only a copy that leaves is verified: without de-identification here the pipeline makes and verifies its own.
  const verification = options.deid ? verifyCopy(original, deid.bytes, options.deid) : undefined;
  const check = checkInstance(deid.bytes, {
    config,
    verification: verification ?? { passed: true, failedChecks: [] },
    deidOutcome: deid.outcome,
    pixelReview: deid.pixelReview,
  });
  const findings = check.findings.map(({ ruleId, severity, message }) => ({ ruleId, severity, message }));
  return {
    bytes: options.deid ? deid.bytes : original,
    deidentified: options.deid !== undefined,
    outcome: outcomeOf(check.findings),
    findings,
    ...(verification ? { verification } : {}),
  };
}

/** The verifier on a copy made here: against its original, and as the pipeline's Verify step will check a site's copy. */
function verifyCopy(original: Uint8Array, copy: Uint8Array, key: SiteKey): PreparedVerification {
  const againstOriginal = verifyInstance(original, copy, { input: 'original', profile: DEFAULT_PROFILE });
  const asReceived = verifyInstance(copy, copy, { input: 'deidentified-at-site', profile: DEFAULT_PROFILE, ...key });
  const failedChecks = [...new Set([...againstOriginal.failedChecks, ...asReceived.failedChecks])];
  return { passed: againstOriginal.passed && asReceived.passed, failedChecks };
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
