import { toHex } from '../common/bytes';
import { sha256 } from '../common/digest';
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

/** The optional per-instance facts Stage adds to an instance record. */
export interface RecordedFacts {
  patientPseudonym?: string;
  instanceNumber?: number;
  frameOfReferenceUid?: string;
  pixelSha256?: string;
}

export function recordedFacts(view: DatasetView): RecordedFacts {
  const facts: RecordedFacts = {};
  const patient = view.optionalText(QA_TAG.PatientID);
  const instanceNumber = view.integer(QA_TAG.InstanceNumber);
  const frameOfReference = view.optionalText(QA_TAG.FrameOfReferenceUID);
  const pixel = view.pixelSha256();
  if (patient !== undefined) facts.patientPseudonym = patient;
  if (instanceNumber !== undefined) facts.instanceNumber = instanceNumber;
  if (frameOfReference !== undefined) facts.frameOfReferenceUid = frameOfReference;
  if (pixel !== undefined) facts.pixelSha256 = pixel;
  return facts;
}

/** Facts of a readable file (offline, where there is no catalog). */
export function factsOfFile(view: DatasetView, fileId: string, order: string): InstanceFacts {
  const recorded = recordedFacts(view);
  const modality = view.optionalText(QA_TAG.Modality);
  return {
    fileId,
    order,
    studyUid: view.text(QA_TAG.StudyInstanceUID),
    seriesUid: view.text(QA_TAG.SeriesInstanceUID),
    sopUid: view.text(QA_TAG.SOPInstanceUID),
    sha256: toHex(sha256().update(view.file.bytes).digest()),
    ...(modality ? { modality } : {}),
    ...(recorded.patientPseudonym !== undefined ? { patientId: recorded.patientPseudonym } : {}),
    ...(recorded.instanceNumber !== undefined ? { instanceNumber: recorded.instanceNumber } : {}),
    ...(recorded.frameOfReferenceUid !== undefined ? { frameOfReferenceUid: recorded.frameOfReferenceUid } : {}),
    ...(recorded.pixelSha256 !== undefined ? { pixelSha256: recorded.pixelSha256 } : {}),
  };
}

/** The recorded facts of a readable Part 10 file (Stage calls this on the verified copy). */
export function recordedFactsOf(bytes: Uint8Array): RecordedFacts {
  return recordedFacts(new DatasetView(scanPart10(bytes)));
}
