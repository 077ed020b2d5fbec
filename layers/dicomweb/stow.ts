/**
 * STOW-RS (PS3.18 10.5): what a Store Instances request may carry, which of its parts
 * hilum takes in, and the Store Instances Response (PS3.18 10.5.3) that says so. Pure:
 * the handler stages the accepted parts in the intake bucket.
 */
import { TAG, readAscii, scanPart10, topLevel, type TagKey } from '../dicom';
import type { DicomJson, DicomJsonElement } from './json';
import { boundaryOf } from './multipart';

/**
 * The largest STOW-RS body taken in directly. API Gateway accepts 10 MB, but its Lambda
 * proxy hands a binary body to the function base64-encoded (4/3 larger) inside an event
 * that may not exceed Lambda's 6 MB invocation payload, so about 4.4 MB of DICOM is the
 * most that can arrive at all: 4 MiB leaves room for the event's headers. Larger
 * instances go through the presigned upload API into the same submission (docs/dicomweb.md).
 */
export const STOW_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** The 413's message: the ways to store what is larger (no value of the request in it). */
export const STOW_TOO_LARGE_MESSAGE =
  `a STOW-RS request to the commons carries at most ${STOW_MAX_BODY_BYTES} bytes: send the instances in several requests; ` +
  "for an instance larger than that, STOW-RS it to the site's hilum gateway (`hilum gateway --stow-port`, any size), " +
  'or upload it through POST /submissions/{id}/uploads into the same submission';

/** Failure Reason (0008,1197) values hilum answers (PS3.18 10.5.3, the C-STORE status meanings of PS3.4 B.2.3). */
export const FAILURE_REASON = {
  /** 0110H: the part was understood but could not be stored (the intake write failed). */
  processingFailure: 0x0110,
  /** 0122H: the SOP class is not one the receiver stores (the gateway takes CR, DX, CT and MR, as over DIMSE). */
  sopClassNotSupported: 0x0122,
  /** A900H: the data set does not match the request: its Study Instance UID is not the target study's. */
  studyMismatch: 0xa900,
  /** C000H: not a DICOM Part 10 instance with its identifying UIDs, or not `application/dicom`. */
  cannotUnderstand: 0xc000,
} as const;

export type FailureReason = (typeof FAILURE_REASON)[keyof typeof FAILURE_REASON];

/** The UIDs of an instance a STOW-RS part carries. */
export interface StowInstance {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
}

export type ExaminedPart =
  | { readonly accepted: true; readonly instance: StowInstance }
  | {
      readonly accepted: false;
      readonly reason: FailureReason;
      /** Present when the part could be read far enough to name them. */
      readonly sopClassUid?: string;
      readonly sopInstanceUid?: string;
    };

/**
 * The boundary of a Store Instances request, or why the request is not one: the body must
 * be `multipart/related` with `type="application/dicom"` (hilum takes Part 10 instances
 * only, not DICOM JSON or XML metadata with bulk data).
 */
export function stowBoundary(contentType: string | undefined): { boundary: string } | { refused: string } {
  const value = contentType ?? '';
  if (!/^\s*multipart\/related\s*(;|$)/i.test(value))
    return { refused: 'STOW-RS takes multipart/related; type="application/dicom" bodies' };
  const type = /;\s*type\s*=\s*"?([^";]+)"?/i.exec(value)?.[1]?.trim().toLowerCase();
  if (type !== undefined && type !== 'application/dicom')
    return { refused: 'hilum stores Part 10 instances only: the multipart type must be application/dicom' };
  const boundary = boundaryOf(value);
  if (!boundary) return { refused: 'the multipart/related Content-Type has no boundary' };
  return { boundary };
}

/**
 * Whether one part is taken in: an `application/dicom` Part 10 instance whose identifying
 * UIDs are present and, when the request names a study, whose Study Instance UID is that
 * study. Nothing else is checked here: the pipeline de-identifies, verifies and checks
 * every instance it takes in, and quarantines what fails.
 */
export function examinePart(part: { headers: Readonly<Record<string, string>>; body: Uint8Array }, targetStudy?: string): ExaminedPart {
  const mediaType = (part.headers['content-type'] ?? 'application/dicom').split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/dicom') return { accepted: false, reason: FAILURE_REASON.cannotUnderstand };
  const uids = identifyingUids(part.body);
  if (!uids) return { accepted: false, reason: FAILURE_REASON.cannotUnderstand };
  const { sopClassUid, sopInstanceUid, studyInstanceUid, seriesInstanceUid } = uids;
  if (!sopClassUid || !sopInstanceUid || !studyInstanceUid || !seriesInstanceUid)
    return {
      accepted: false,
      reason: FAILURE_REASON.cannotUnderstand,
      ...(sopClassUid ? { sopClassUid } : {}),
      ...(sopInstanceUid ? { sopInstanceUid } : {}),
    };
  if (targetStudy !== undefined && studyInstanceUid !== targetStudy)
    return { accepted: false, reason: FAILURE_REASON.studyMismatch, sopClassUid, sopInstanceUid };
  return { accepted: true, instance: { sopClassUid, sopInstanceUid, studyInstanceUid, seriesInstanceUid } };
}

function identifyingUids(bytes: Uint8Array): Partial<Record<keyof StowInstance, string>> | undefined {
  try {
    const file = scanPart10(bytes);
    const top = topLevel(file);
    const text = (key: TagKey): string | undefined => {
      const element = top.get(key);
      const value = element ? readAscii(file, element) : '';
      return value === '' ? undefined : value;
    };
    return {
      sopClassUid: text(TAG.SOPClassUID),
      sopInstanceUid: text(TAG.SOPInstanceUID),
      studyInstanceUid: text(TAG.StudyInstanceUID),
      seriesInstanceUid: text(TAG.SeriesInstanceUID),
    };
  } catch {
    // Whatever the scanner refuses (no preamble, truncated, malformed) is "cannot understand".
    return undefined;
  }
}

export interface StoredReference {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  /** Where the instance can be retrieved (once published); omitted when unknown. */
  readonly retrieveUrl?: string;
}

export interface FailedReference {
  readonly sopClassUid?: string;
  readonly sopInstanceUid?: string;
  readonly reason: FailureReason;
}

export interface StoreOutcome {
  /** The target study's Retrieve URL, when the request named one and anything was stored. */
  readonly retrieveUrl?: string;
  readonly stored: readonly StoredReference[];
  readonly failed: readonly FailedReference[];
}

const ui = (value: string): DicomJsonElement => ({ vr: 'UI', Value: [value] });
const ur = (value: string | undefined): DicomJsonElement => (value ? { vr: 'UR', Value: [value] } : { vr: 'UR' });

/**
 * The Store Instances Response (PS3.18 Table 10.5.3-1) in DICOM JSON: Retrieve URL,
 * Referenced SOP Sequence (class, instance, Retrieve URL) of what was stored and Failed SOP
 * Sequence (class and instance when known, Failure Reason) of what was not.
 */
export function storeInstancesResponse(outcome: StoreOutcome): DicomJson {
  const response: DicomJson = { '00081190': ur(outcome.retrieveUrl) };
  if (outcome.failed.length > 0)
    response['00081198'] = {
      vr: 'SQ',
      Value: outcome.failed.map((failed) => ({
        ...(failed.sopClassUid ? { '00081150': ui(failed.sopClassUid) } : {}),
        ...(failed.sopInstanceUid ? { '00081155': ui(failed.sopInstanceUid) } : {}),
        '00081197': { vr: 'US', Value: [failed.reason] },
      })),
    };
  if (outcome.stored.length > 0)
    response['00081199'] = {
      vr: 'SQ',
      Value: outcome.stored.map((stored) => ({
        '00081150': ui(stored.sopClassUid),
        '00081155': ui(stored.sopInstanceUid),
        '00081190': ur(stored.retrieveUrl),
      })),
    };
  return response;
}

/** PS3.18 10.5.3: 200 when every instance was stored, 409 when none was, 202 otherwise. */
export function storeStatus(outcome: Pick<StoreOutcome, 'stored' | 'failed'>): 200 | 202 | 409 {
  if (outcome.stored.length === 0) return 409;
  return outcome.failed.length === 0 ? 200 : 202;
}
