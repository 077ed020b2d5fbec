import { makeDicom } from './synthetic-dicom';

/**
 * Files of one series that fail ingest each in its own way, for the partly failing submission and batch tests:
 * not DICOM, a modality the project does not take, and the first slice's SOP Instance UID with other pixels
 * (`makeSeries` numbers its slices' SOP UIDs `<series>.1`, `<series>.2`, ...).
 */
export function failingFilesOf(uids: {
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
}): Record<string, Uint8Array> {
  return {
    corrupt: new TextEncoder().encode('not a DICOM file, only text'),
    outOfScope: makeDicom({ modality: 'MR', rows: 32, columns: 32, instanceNumber: 6, ...uids }),
    // clean1's SOP Instance UID with other pixels: one of the two is held.
    duplicateSop: makeDicom({
      modality: 'CT',
      rows: 32,
      columns: 32,
      instanceNumber: 7,
      sopInstanceUid: `${uids.seriesInstanceUid}.1`,
      ...uids,
    }),
  };
}
