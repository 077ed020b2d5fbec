/**
 * The tables of a release export (studies, series, instances) for Athena: one
 * Parquet file per table under `analytics/<table>/release=<n>/part-0.parquet`
 * (the release is the Hive partition, so it is not a column in the file). The
 * Glue tables (infra/constructs/analytics.ts) are generated from these columns,
 * so the files and the tables cannot drift apart. Multi-valued fields are
 * `|`-joined strings (Athena: `split(col, '|')`).
 */
import type { Case, Series } from './commons-entities';
import type { Instance, Study } from './entities';
import { objectIdOf } from './manifest';

/** DATE: a calendar day, given as YYYY-MM-DD (a shifted-dates project's clinical dates). */
export type ColumnType = 'STRING' | 'INT32' | 'INT64' | 'DOUBLE' | 'DATE';
export interface ExportColumn<T> {
  readonly name: string;
  readonly type: ColumnType;
  readonly value: (row: T) => string | number | undefined;
}

/** Glue type of each Parquet type. */
export const GLUE_TYPE: Record<ColumnType, string> = { STRING: 'string', INT32: 'int', INT64: 'bigint', DOUBLE: 'double', DATE: 'date' };

export interface StudyExportRow {
  readonly study: Study;
  readonly caseRecord?: Case;
  readonly firstRelease: number;
}

const joined = (values: readonly (string | number)[] | undefined) => (values && values.length ? values.join('|') : undefined);

export const STUDY_COLUMNS: readonly ExportColumn<StudyExportRow>[] = [
  { name: 'study_uid', type: 'STRING', value: (r) => r.study.studyUid },
  { name: 'project', type: 'STRING', value: (r) => r.study.project },
  { name: 'site', type: 'STRING', value: (r) => r.study.site },
  { name: 'first_release', type: 'INT32', value: (r) => r.firstRelease },
  { name: 'case_pseudonym', type: 'STRING', value: (r) => r.study.patientPseudonym },
  { name: 'modalities', type: 'STRING', value: (r) => joined(r.study.modalities) },
  { name: 'body_parts', type: 'STRING', value: (r) => joined(r.study.bodyParts) },
  { name: 'study_description', type: 'STRING', value: (r) => r.study.studyDescription },
  { name: 'study_year', type: 'INT32', value: (r) => r.study.studyYear },
  { name: 'age_at_imaging', type: 'INT32', value: (r) => r.study.patientAge },
  { name: 'sex', type: 'STRING', value: (r) => r.caseRecord?.sex ?? r.study.patientSex },
  { name: 'age_at_index', type: 'INT32', value: (r) => r.caseRecord?.ageAtIndex },
  { name: 'age_capped', type: 'INT32', value: (r) => (r.caseRecord?.ageCapped === undefined ? undefined : Number(r.caseRecord.ageCapped)) },
  { name: 'race', type: 'STRING', value: (r) => r.caseRecord?.race },
  { name: 'ethnicity', type: 'STRING', value: (r) => r.caseRecord?.ethnicity },
  { name: 'covid19_positive', type: 'STRING', value: (r) => r.caseRecord?.covid19Positive },
  { name: 'series_count', type: 'INT32', value: (r) => r.study.seriesCount },
  { name: 'instance_count', type: 'INT32', value: (r) => r.study.instanceCount },
  { name: 'total_bytes', type: 'INT64', value: (r) => r.study.totalBytes },
  { name: 'published_at', type: 'STRING', value: (r) => r.study.publishedAt },
];

export const SERIES_COLUMNS: readonly ExportColumn<Series>[] = [
  { name: 'study_uid', type: 'STRING', value: (s) => s.studyUid },
  { name: 'series_uid', type: 'STRING', value: (s) => s.seriesUid },
  { name: 'project', type: 'STRING', value: (s) => s.project },
  { name: 'site', type: 'STRING', value: (s) => s.site },
  { name: 'modality', type: 'STRING', value: (s) => s.modality },
  { name: 'body_part', type: 'STRING', value: (s) => s.bodyPart },
  { name: 'series_description', type: 'STRING', value: (s) => s.seriesDescription },
  { name: 'series_number', type: 'INT32', value: (s) => s.seriesNumber },
  { name: 'manufacturer', type: 'STRING', value: (s) => s.manufacturer },
  { name: 'manufacturer_model', type: 'STRING', value: (s) => s.manufacturerModel },
  { name: 'slice_thickness', type: 'DOUBLE', value: (s) => s.sliceThickness },
  { name: 'convolution_kernel', type: 'STRING', value: (s) => s.convolutionKernel },
  { name: 'view_position', type: 'STRING', value: (s) => s.viewPosition },
  { name: 'pixel_spacing', type: 'STRING', value: (s) => joined(s.pixelSpacing) },
  { name: 'image_type', type: 'STRING', value: (s) => joined(s.imageType) },
  { name: 'instance_count', type: 'INT32', value: (s) => s.instanceCount },
  { name: 'total_bytes', type: 'INT64', value: (s) => s.totalBytes },
];

export const INSTANCE_COLUMNS: readonly ExportColumn<Instance>[] = [
  { name: 'study_uid', type: 'STRING', value: (i) => i.studyUid },
  { name: 'series_uid', type: 'STRING', value: (i) => i.seriesUid },
  { name: 'sop_uid', type: 'STRING', value: (i) => i.sopUid },
  { name: 'object_id', type: 'STRING', value: (i) => objectIdOf(i) },
  { name: 'project', type: 'STRING', value: (i) => i.project },
  { name: 'object_key', type: 'STRING', value: (i) => i.objectKey },
  { name: 'size', type: 'INT64', value: (i) => i.size },
  { name: 'sha256', type: 'STRING', value: (i) => i.sha256 },
  { name: 'transfer_syntax_uid', type: 'STRING', value: (i) => i.transferSyntaxUid },
  { name: 'sop_class_uid', type: 'STRING', value: (i) => i.sopClassUid },
  { name: 'modality', type: 'STRING', value: (i) => i.modality },
];

export const EXPORT_TABLES = { studies: STUDY_COLUMNS, series: SERIES_COLUMNS, instances: INSTANCE_COLUMNS } as const;
export type ExportTable = keyof typeof EXPORT_TABLES;

export const exportKey = (table: ExportTable, release: number) => `analytics/${table}/release=${release}/part-0.parquet`;
