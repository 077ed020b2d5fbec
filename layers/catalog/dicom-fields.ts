/**
 * The catalog's imaging attributes of an instance, read from the DE-IDENTIFIED
 * bytes that Stage releases (never from an original: there descriptions and the
 * patient id are PHI). Normalized for search: age in years capped at 89, the year
 * of the (shifted) study date instead of the date, upper-case codes.
 */
import { catalogAttributes, scanPart10, type CatalogAttributes } from '../dicom';
import type { Instance } from './entities';

export const MAX_REPORTED_AGE = 89;

export type InstanceCatalogFields = Pick<
  Instance,
  | 'patientPseudonym'
  | 'bodyPart'
  | 'studyDescription'
  | 'seriesDescription'
  | 'seriesNumber'
  | 'studyYear'
  | 'studyTime'
  | 'patientAge'
  | 'patientSex'
  | 'manufacturer'
  | 'manufacturerModel'
  | 'sliceThickness'
  | 'convolutionKernel'
  | 'viewPosition'
  | 'pixelSpacing'
  | 'imageType'
>;

export function instanceCatalogFields(deidentifiedBytes: Uint8Array): InstanceCatalogFields {
  return catalogFieldsOf(catalogAttributes(scanPart10(deidentifiedBytes)));
}

export function catalogFieldsOf(a: CatalogAttributes): InstanceCatalogFields {
  const fields: Record<string, unknown> = {
    patientPseudonym: a.patientId,
    bodyPart: a.bodyPartExamined?.toUpperCase(),
    studyDescription: a.studyDescription,
    seriesDescription: a.seriesDescription,
    seriesNumber: a.seriesNumber,
    studyYear: yearOf(a.studyDate),
    studyTime: timeOf(a.studyTime),
    patientAge: ageInYears(a.patientAge),
    patientSex: sexOf(a.patientSex),
    manufacturer: a.manufacturer,
    manufacturerModel: a.manufacturerModelName,
    sliceThickness: a.sliceThickness,
    convolutionKernel: a.convolutionKernel,
    viewPosition: a.viewPosition?.toUpperCase(),
    pixelSpacing: a.pixelSpacing,
    imageType: a.imageType,
  };
  for (const key of Object.keys(fields)) if (fields[key] === undefined) delete fields[key];
  return fields as InstanceCatalogFields;
}

/** DICOM AS ("054Y", "006M", "010W", "003D") to whole years, capped at 89. */
export function ageInYears(value: string | undefined): number | undefined {
  const m = value ? /^(\d{3})([DWMY])$/.exec(value.trim()) : null;
  if (!m) return undefined;
  const n = Number(m[1]);
  const years = m[2] === 'Y' ? n : m[2] === 'M' ? Math.floor(n / 12) : m[2] === 'W' ? Math.floor(n / 52) : Math.floor(n / 365);
  return Math.min(years, MAX_REPORTED_AGE);
}

/** A TM value (`HHMMSS.FFFFFF`, later components optional; the old `HH:MM:SS` form too) as `HHMMSS[.F]`, or undefined. */
function timeOf(value: string | undefined): string | undefined {
  const m = value ? /^(\d{2})(?::?(\d{2})(?::?(\d{2})(\.\d{1,6})?)?)?$/.exec(value.trim()) : null;
  if (!m || Number(m[1]) > 23 || Number(m[2] ?? 0) > 59 || Number(m[3] ?? 0) > 60) return undefined;
  return `${m[1]}${m[2] ?? ''}${m[3] ?? ''}${m[4] ?? ''}`;
}

function yearOf(date: string | undefined): number | undefined {
  const m = date ? /^(\d{4})\d{4}$/.exec(date.trim()) : null;
  return m ? Number(m[1]) : undefined;
}

/** MIDRC's sex values from DICOM's M/F/O. */
function sexOf(value: string | undefined): string | undefined {
  switch (value?.trim().toUpperCase()) {
    case 'F':
      return 'Female';
    case 'M':
      return 'Male';
    case 'O':
      return 'Other';
    default:
      return undefined;
  }
}
