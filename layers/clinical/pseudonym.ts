import { patientPseudonym } from '../dicom';

/**
 * A case's id as the catalog stores it: the keyed pseudonym the de-identifier
 * writes into PatientID for a file whose PatientID is the site's case id (it keys
 * on `id:` + the PatientID). Cases and de-identified studies so meet on the same
 * value without the site's identifier ever being stored. A unit test holds the
 * two to the same answer.
 */
export function casePseudonym(caseId: string, keys: { secret: string; project: string }): string {
  return patientPseudonym(`id:${caseId.trim()}`, keys);
}
