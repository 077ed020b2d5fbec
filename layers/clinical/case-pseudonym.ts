import { patientPseudonym, type KeyOptions } from '../dicom';

/**
 * A case's id as the catalog stores it: the keyed pseudonym the de-identifier
 * writes into PatientID for a file whose PatientID is the site's case id (it keys
 * on `id:` + the PatientID). Cases and de-identified studies so meet on the same
 * value without the site's identifier ever being stored. A unit test holds the
 * two to the same answer. Keyed by the site that sends the sheet (its case ids are
 * its PatientIDs), so one site's case never lands on another site's same id.
 */
export function casePseudonym(caseId: string, keys: KeyOptions): string {
  return patientPseudonym(`id:${caseId.trim()}`, keys);
}
