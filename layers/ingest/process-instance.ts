import { concatInto, toHex } from '../common/bytes';
import {
  DicomParseError,
  deidentify,
  keyFingerprint,
  parseDicom,
  pixelReviewReasons,
  scanPart10,
  transcodeToExplicitLittleEndian,
  verificationNeedsDecodedOriginal,
  verifyDeidentified,
  verifySiteDeidentified,
  type DeidProfile,
  type PixelReviewReason,
} from '../dicom';
import { DatasetView, evaluateInstance, outcomeOf, pixelRiskOf, type Finding, type Outcome, type QaConfig } from '../qa';
import { QA_TAG } from '../qa/dataset-view';
import { checkBurnedInText, type BurnedInTextCheck, type TextRegion } from './burned-in';
import { cleanTabledLayout, policyForCleanedImage, textLeftAfterCleaning, type PixelCleaning } from './clean-pixels';

/**
 * What happens to one instance on its way into the commons, as pure functions: de-identify ->
 * verify -> QA decision. The ingest workflow runs the steps as its Deidentify, Verify and Qa
 * states (functions/ingest/*), the curator's re-check of a quarantined file runs them composed
 * (`processInstance`, from layers/services/quarantine-admission.ts), and the site runs the
 * de-identify step before upload (cli/lib/site-prepare.ts). The SOP UID claim between the QA
 * findings and the outcome is I/O: layers/services/sop-claim.ts.
 *
 * Pure (no AWS, no I/O); imports layers/dicom (through its index) and layers/qa only.
 */

/** The remapped UIDs an instance is staged and claimed under. */
export interface InstanceUids {
  readonly studyUid: string;
  readonly seriesUid: string;
  readonly sopUid: string;
}

/** The project's de-identification key as the site that issued the PatientIDs applies it. */
export interface ProjectKey {
  readonly secret: string;
  readonly project: string;
  readonly site: string;
  readonly profile: DeidProfile;
}

export type DeidentifyOutcome = 'ok' | 'needs-pixel-review';

export interface DeidentifiedInstance {
  /** The de-identified copy (a file the site de-identified: the bytes as received). */
  readonly bytes: Uint8Array;
  readonly uids: InstanceUids;
  /** needs-pixel-review when the pixels may show identity (pixelReview says why). */
  readonly outcome: DeidentifyOutcome;
  readonly pixelReview: readonly PixelReviewReason[];
  /** Counts per `keyword:action`, never values (none for a file kept as received). */
  readonly actionCounts: Readonly<Record<string, number>>;
  /** True for a file the site de-identified: kept as received. */
  readonly keptAsReceived: boolean;
  /** Where OCR found identifying text in the pixels (boxes and token classes, never text), when it did. */
  readonly textRegions?: readonly TextRegion[];
  /** The tabled layout whose regions Clean Pixel Data blanked in `bytes` (113101 recorded), when it did. */
  readonly cleanedLayout?: string;
  /**
   * True when Clean Pixel Data blanked the regions and the OCR check found no identifying text outside them:
   * the header evidence and the project's high-risk SOP classes no longer hold the image (clean-pixels.ts).
   */
  readonly pixelsCleared?: boolean;
}

/**
 * The burned-in text check (layers/ingest/burned-in, run on the original before de-identification)
 * folded into the de-identify step's answer: an image OCR held gets its reason among the
 * pixel-review triggers, needs-pixel-review, and the boxes found.
 */
export function withPixelText(deid: DeidentifiedInstance, check: BurnedInTextCheck | undefined): DeidentifiedInstance {
  if (!check || check.status !== 'held') return deid;
  return {
    ...deid,
    outcome: 'needs-pixel-review',
    pixelReview: deid.pixelReview.includes(check.reason) ? deid.pixelReview : [...deid.pixelReview, check.reason],
    textRegions: check.regions,
  };
}

/**
 * Clean Pixel Data's answer folded into the de-identify step's, with the burned-in text check of the
 * original (`check`, when it ran): a cleaned image takes the cleaned bytes, and is cleared of every
 * pixel-review trigger when the check, its boxes inside the blanked regions dropped, is clear; otherwise
 * the triggers stay and the check adds its own. A tabled image that could not be cleaned is held.
 */
export function withCleanedPixels(
  deid: DeidentifiedInstance,
  cleaning: PixelCleaning,
  check: BurnedInTextCheck | undefined,
): DeidentifiedInstance {
  if (cleaning.status === 'no-known-layout') return withPixelText(deid, check);
  if (cleaning.status === 'refused') {
    const refused: DeidentifiedInstance = {
      ...deid,
      outcome: 'needs-pixel-review',
      pixelReview: [...deid.pixelReview, 'clean-pixel-data-refused'],
    };
    return withPixelText(refused, check);
  }
  const cleaned: DeidentifiedInstance = { ...deid, bytes: cleaning.bytes, cleanedLayout: cleaning.layout };
  const left = check && textLeftAfterCleaning(check, cleaning.regions);
  if (left?.status === 'clear') return { ...cleaned, outcome: 'ok', pixelReview: [], pixelsCleared: true };
  return withPixelText(cleaned, left);
}

/**
 * Memory of `length` bytes for the de-identified copy, lent by the caller (a buffer it keeps from object to object:
 * a 10 MB radiograph's copy in new memory costs its page faults and brings V8's next full collection closer) and wholly
 * overwritten by the join. The caller owns its lifetime: it takes the memory back once nothing reads the copy any more
 * (the checks done, the copy PUT), and no result keeps a view of it beyond that. Without it the copy is joined into new
 * memory, as the engine's `bytes` are.
 */
export type CopyMemory = (length: number) => Uint8Array;

/** What the file is: a PHI original the engine de-identifies with the key, or hilum's output made at the site. */
export type DeidentifyFrom = (ProjectKey & { readonly input: 'original' }) | { readonly input: 'deidentified-at-site' };

/**
 * De-identify step. A file de-identified at the site is already hilum's output keyed with this
 * project's secret: running the engine again would remap the remapped UIDs, so it is kept as
 * received (the verify step checks its shape), and the engine's pixel-review decision is made on
 * it: the copy keeps what the decision reads (SOP class, Modality, ImageType, BurnedInAnnotation),
 * so a file gets the same triggers whether the site or the commons de-identified it.
 */
export function deidentifyInstance(original: Uint8Array, from: DeidentifyFrom, into?: CopyMemory): DeidentifiedInstance {
  if (from.input === 'deidentified-at-site') {
    const { summary } = parseDicom(original);
    const pixelReview = pixelReviewReasons(pixelRiskOf(new DatasetView(scanPart10(original))));
    return {
      bytes: original,
      uids: { studyUid: summary.studyInstanceUid, seriesUid: summary.seriesInstanceUid, sopUid: summary.sopInstanceUid },
      outcome: pixelReview.length > 0 ? 'needs-pixel-review' : 'ok',
      pixelReview,
      actionCounts: {},
      keptAsReceived: true,
    };
  }
  const output = deidentify(original, { secret: from.secret, project: from.project, site: from.site, profile: from.profile });
  // The same chunks in the same order as the engine's own join: the same bytes, in memory the caller reuses. A single
  // chunk (a deflated file) is already a buffer of its own.
  const joinInto = into && output.chunks.length > 1 ? into : undefined;
  return {
    bytes: joinInto ? concatInto(output.chunks, joinInto(output.byteLength)) : output.bytes,
    uids: { studyUid: output.summary.studyInstanceUid, seriesUid: output.summary.seriesInstanceUid, sopUid: output.summary.sopInstanceUid },
    outcome: output.outcome,
    pixelReview: output.pixelReview,
    actionCounts: output.actionCounts,
    keptAsReceived: false,
  };
}

/**
 * The whole de-identify step of the ingest workflow: the engine (deidentifyInstance), then Clean Pixel Data
 * when the project enables it (an original only: a file the site de-identified is kept as received), then,
 * with `checkPixelText`, the burned-in text check of the original, widened to every cleaned image.
 */
export async function deidentifyWithPixelChecks(
  original: Uint8Array,
  from: DeidentifyFrom,
  options: { readonly config: QaConfig; readonly checkPixelText: boolean; readonly into?: CopyMemory },
): Promise<DeidentifiedInstance> {
  const { config } = options;
  const deid = deidentifyInstance(original, from, options.into);
  const cleaning: PixelCleaning =
    from.input === 'original' && config.cleanPixelData ? await cleanTabledLayout(original, deid.bytes) : { status: 'no-known-layout' };
  if (!options.checkPixelText) return withCleanedPixels(deid, cleaning, undefined);
  const policy =
    cleaning.status === 'cleaned'
      ? policyForCleanedImage(config.burnedInText, pixelRiskOf(new DatasetView(scanPart10(original))).sopClassUid)
      : config.burnedInText;
  return withCleanedPixels(deid, cleaning, await checkBurnedInText(original, policy));
}

/**
 * What verifyInstance needs besides the two files: the original decoded to Explicit VR Little Endian when
 * the copy was cleaned (113101) and the original's pixels are compressed or big endian, else nothing.
 */
export async function decodedOriginalFor(original: Uint8Array, deidentified: Uint8Array): Promise<Uint8Array | undefined> {
  return verificationNeedsDecodedOriginal(original, deidentified) ? transcodeToExplicitLittleEndian(original) : undefined;
}

/** What the independent verifier is given: the profile, and for a file de-identified at the site the key it must carry. */
export type VerifyAgainst =
  | { readonly input: 'original'; readonly profile: DeidProfile }
  | { readonly input: 'deidentified-at-site'; readonly profile: DeidProfile; readonly secret: string; readonly project: string };

export interface Verification {
  readonly passed: boolean;
  readonly checks: number;
  /** `check` or `check:keyword` of each failure, once each: names, never values. */
  readonly failedChecks: readonly string[];
}

/**
 * Verify step: the independent check, separate code from the de-identifier. An original's copy
 * is compared with the original; a file de-identified at the site is checked for hilum's shape
 * and for this project's key fingerprint.
 */
export function verifyInstance(
  original: Uint8Array,
  deidentified: Uint8Array,
  against: VerifyAgainst,
  /** decodedOriginalFor's answer, for a cleaned copy of a compressed original. */
  decodedOriginal?: Uint8Array,
): Verification {
  const result =
    against.input === 'deidentified-at-site'
      ? verifySiteDeidentified(deidentified, against.profile, keyFingerprint({ secret: against.secret, project: against.project }))
      : verifyDeidentified(original, deidentified, against.profile, decodedOriginal);
  const failedChecks = result.passed ? [] : [...new Set(result.failures.map((f) => (f.keyword ? `${f.check}:${f.keyword}` : f.check)))];
  return { passed: result.passed, checks: result.checks, failedChecks };
}

/** The verdict QA records for a copy the verifier already passed (the workflow's Verify throws otherwise). */
export const VERIFIED: Pick<Verification, 'passed' | 'failedChecks'> = { passed: true, failedChecks: [] };

export interface InstanceCheck {
  /** The instance rules' findings. */
  readonly findings: readonly Finding[];
  /** The UIDs the copy carries, when it could be read. */
  readonly uids?: InstanceUids;
}

/** QA step: the project's instance rules on the de-identified copy. */
export function checkInstance(
  deidentified: Uint8Array,
  options: {
    readonly config: QaConfig;
    readonly verification: Pick<Verification, 'passed' | 'failedChecks'>;
    readonly deidOutcome?: DeidentifyOutcome;
    /** The de-identifier's pixel-review triggers, reported by deid.pixel-review as they are. */
    readonly pixelReview?: readonly PixelReviewReason[];
    /** Clean Pixel Data blanked a tabled layout and OCR found nothing outside it (DeidentifiedInstance.pixelsCleared). */
    readonly pixelsCleared?: boolean;
  },
): InstanceCheck {
  const evaluation = evaluateInstance(deidentified, {
    config: options.config,
    verification: { passed: options.verification.passed, failedChecks: options.verification.failedChecks },
    ...(options.deidOutcome ? { deidOutcome: options.deidOutcome } : {}),
    ...(options.pixelReview ? { pixelReview: options.pixelReview } : {}),
    ...(options.pixelsCleared ? { pixelsCleared: true } : {}),
  });
  const view = evaluation.view;
  if (!view) return { findings: evaluation.findings };
  const uids = {
    studyUid: view.text(QA_TAG.StudyInstanceUID),
    seriesUid: view.text(QA_TAG.SeriesInstanceUID),
    sopUid: view.text(QA_TAG.SOPInstanceUID),
  };
  return { findings: evaluation.findings, uids };
}

/**
 * What the SOP UID claim records: the UIDs and the copy's SHA-256 (the same UID with other bytes is a conflict),
 * from the digest the caller computed once for every step that needs it (`sha256Of` of the de-identified copy).
 */
export function sopClaimOf(uids: InstanceUids, copySha256: Uint8Array): InstanceUids & { readonly sha256: string } {
  return { ...uids, sha256: toHex(copySha256) };
}

/** The finding of a SOP Instance UID another file holds with other bytes. */
export function duplicateSopFinding(holderFileId: string): Finding {
  return {
    ruleId: 'uids.duplicate-sop',
    severity: 'quarantine',
    message: `SOPInstanceUID already received with different content (first in file ${holderFileId})`,
  };
}

/** The QA decision: quarantine on any quarantine finding, warn on any other finding, else pass. */
export function qaDecision(findings: readonly Finding[]): Outcome {
  return outcomeOf(findings);
}

export type ProcessedInstance =
  /** The original is not a readable DICOM file: nothing was de-identified. */
  | { readonly readable: false; readonly findings: readonly Finding[] }
  | ({
      readonly readable: true;
      /** The de-identified copy the decision is about. */
      readonly output: Uint8Array;
      readonly deid?: DeidentifiedInstance;
      readonly verification: Verification;
    } & InstanceCheck);

/**
 * The three steps composed, with a failed verification recorded as a finding (deid.verified)
 * rather than thrown, for a decision about a file outside the workflow (the curator's re-check).
 * An original is first read within the project's intake inflation policy; one that cannot be
 * read, or that the engine cannot de-identify, gets only its dicom.parses findings. A file de-identified at the site is verified first,
 * and only one that verified gets the pixel-review decision.
 */
export async function processInstance(
  original: Uint8Array,
  options: {
    readonly key: ProjectKey;
    readonly deidentifiedAtSite: boolean;
    readonly config: QaConfig;
    /** Run the burned-in text check (OCR) as the Deidentify step does (processInstanceWithPixelCheck); the curator's re-check does not. */
    readonly checkPixelText?: boolean;
    /** Where the copy is joined (CopyMemory): the answer's `output` and `deid.bytes` are views of it. */
    readonly into?: CopyMemory;
  },
): Promise<ProcessedInstance> {
  const { key, config } = options;
  const checkPixelText = options.checkPixelText === true;
  if (options.deidentifiedAtSite) {
    const pixelText = checkPixelText ? await checkBurnedInText(original, config.burnedInText) : undefined;
    const verification = verifyInstance(original, original, {
      input: 'deidentified-at-site',
      profile: key.profile,
      secret: key.secret,
      project: key.project,
    });
    const deid = verification.passed
      ? withPixelText(deidentifyInstance(original, { input: 'deidentified-at-site' }), pixelText)
      : undefined;
    return {
      readable: true,
      output: original,
      ...(deid ? { deid } : {}),
      verification,
      ...checkInstance(original, {
        config,
        verification,
        deidOutcome: deid?.outcome ?? 'ok',
        ...(deid ? { pixelReview: deid.pixelReview } : {}),
      }),
    };
  }
  // Only the walk's verdict is wanted here: the original's other offline rules are `hilum qa`'s, not this decision's.
  const unreadable = evaluateInstance(original, { config, phase: 'original', only: 'dicom.parses' }).findings;
  if (unreadable.length > 0) return { readable: false, findings: unreadable };
  let deid: DeidentifiedInstance;
  try {
    deid = await deidentifyWithPixelChecks(
      original,
      { ...key, input: 'original' },
      { config, checkPixelText, ...(options.into ? { into: options.into } : {}) },
    );
  } catch (error) {
    // Readable, but not an instance the engine can key (no SOP or study UID, ...): the workflow's
    // Deidentify throws the same error and quarantines it as dicom.parses.
    if (!(error instanceof DicomParseError)) throw error;
    return { readable: false, findings: [{ ruleId: 'dicom.parses', severity: 'quarantine', message: error.message }] };
  }
  const verification = verifyInstance(
    original,
    deid.bytes,
    { input: 'original', profile: key.profile },
    await decodedOriginalFor(original, deid.bytes),
  );
  return {
    readable: true,
    output: deid.bytes,
    deid,
    verification,
    ...checkInstance(deid.bytes, {
      config,
      verification,
      deidOutcome: deid.outcome,
      pixelReview: deid.pixelReview,
      ...(deid.pixelsCleared ? { pixelsCleared: true } : {}),
    }),
  };
}

/**
 * processInstance with the burned-in text check first (OCR of an at-risk image, within the
 * project's budget): what the ingest workflow decides for the file, as `hilum qa` and the
 * curator's re-check run it.
 */
export async function processInstanceWithPixelCheck(
  original: Uint8Array,
  options: { readonly key: ProjectKey; readonly deidentifiedAtSite: boolean; readonly config: QaConfig; readonly into?: CopyMemory },
): Promise<ProcessedInstance> {
  return processInstance(original, { ...options, checkPixelText: true });
}
