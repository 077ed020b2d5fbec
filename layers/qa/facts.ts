import { scanPart10 } from '../dicom';
import { DatasetView, QA_TAG } from './dataset-view';

/**
 * What the series, study and submission rules know about one instance. In the
 * commons these come from the catalog's instance records (written by Stage from
 * the de-identified copy, so PatientID is the pseudonym); offline from the files.
 */
export interface InstanceFacts {
  readonly fileId: string;
  readonly studyUid: string;
  readonly seriesUid: string;
  readonly sopUid: string;
  /** SHA-256 of the whole file (the de-identified copy in the commons). */
  readonly sha256: string;
  /** Sorts arrivals: on a conflict the earlier instance stays and the later one is flagged. */
  readonly order: string;
  readonly modality?: string;
  readonly patientId?: string;
  readonly instanceNumber?: number;
  readonly frameOfReferenceUid?: string;
  readonly pixelSha256?: string;
}

/**
 * The optional per-instance facts Stage adds to an instance record. The pixels' key (length and CRC-32), not their
 * SHA-256: the duplicate-pixels rule compares digests only of a study's instances whose keys it shares, and the
 * submission workflow computes those (layers/services/pixel-digests.ts), as `hilum upload`'s check does.
 */
export interface RecordedFacts {
  patientPseudonym?: string;
  instanceNumber?: number;
  frameOfReferenceUid?: string;
  pixelKey?: string;
}

export function recordedFacts(view: DatasetView): RecordedFacts {
  const facts = recordedHeaderFacts(view);
  const key = view.pixelKey();
  if (key !== undefined) facts.pixelKey = key;
  return facts;
}

function recordedHeaderFacts(view: DatasetView): RecordedFacts {
  const facts: RecordedFacts = {};
  const patient = view.optionalText(QA_TAG.PatientID);
  const instanceNumber = view.integer(QA_TAG.InstanceNumber);
  const frameOfReference = view.optionalText(QA_TAG.FrameOfReferenceUID);
  if (patient !== undefined) facts.patientPseudonym = patient;
  if (instanceNumber !== undefined) facts.instanceNumber = instanceNumber;
  if (frameOfReference !== undefined) facts.frameOfReferenceUid = frameOfReference;
  return facts;
}

/** An instance's facts but its two digests, which cost a pass each over the file and its pixels. */
export type HeaderFacts = Omit<InstanceFacts, 'sha256' | 'pixelSha256'>;

/** The facts of a readable file that its header gives (the offline check adds the digests a rule could compare). */
export function headerFactsOfFile(view: DatasetView, fileId: string, order: string): HeaderFacts {
  const recorded = recordedHeaderFacts(view);
  const modality = view.optionalText(QA_TAG.Modality);
  return {
    fileId,
    order,
    studyUid: view.text(QA_TAG.StudyInstanceUID),
    seriesUid: view.text(QA_TAG.SeriesInstanceUID),
    sopUid: view.text(QA_TAG.SOPInstanceUID),
    ...(modality ? { modality } : {}),
    ...(recorded.patientPseudonym !== undefined ? { patientId: recorded.patientPseudonym } : {}),
    ...(recorded.instanceNumber !== undefined ? { instanceNumber: recorded.instanceNumber } : {}),
    ...(recorded.frameOfReferenceUid !== undefined ? { frameOfReferenceUid: recorded.frameOfReferenceUid } : {}),
  };
}

/** The recorded facts of a readable Part 10 file (Stage calls this on the verified copy). */
export function recordedFactsOf(bytes: Uint8Array): RecordedFacts {
  return recordedFacts(new DatasetView(scanPart10(bytes)));
}
