/**
 * The attributes QIDO-RS matches and returns, read from the catalog's study, series and
 * instance records (PS3.18 Tables 10.6.1-5 and 10.6.3-3/-4/-5). One table: a key is matched,
 * returned by default, or included by `includefield` from the same entry, so what hilum matches
 * and what it answers cannot drift apart. Pure.
 */
import type { Series } from '../catalog/commons-entities';
import type { Instance, Study } from '../catalog/entities';
import type { DicomJson, DicomJsonElement } from './json';
import { matches, normalizeTime, yearOverlaps, type Condition, type MatchKind } from './qido-match';

export const QIDO_LEVELS = ['study', 'series', 'instance'] as const;
export type QidoLevel = (typeof QIDO_LEVELS)[number];

/** A result: a study, a series with its study, or an instance with its series and study. */
export interface QidoRecord {
  readonly study: Study;
  readonly series?: Series;
  readonly instance?: Instance;
}

type Value = string | number;

export interface QidoAttribute {
  readonly tag: string;
  readonly keyword: string;
  readonly vr: string;
  readonly level: QidoLevel;
  /** Returned without `includefield` at its level (the standard's default return attributes). */
  readonly byDefault: boolean;
  /**
   * How a matching key on it is read; absent: hilum cannot match it (the catalog does not keep
   * its value), so the key is ignored and named in a Warning.
   */
  readonly match?: MatchKind;
  /** Its values in a record; absent: the catalog does not keep it, so it is returned without a value. */
  readonly values?: (record: QidoRecord, baseUrl: string) => readonly Value[];
  /** Matching when the key is not compared with the returned values (StudyDate: by the year kept). */
  readonly matchRecord?: (condition: Condition, record: QidoRecord) => boolean;
}

const one = (v: Value | undefined): Value[] => (v === undefined || v === '' ? [] : [v]);
const onlyDefined = (values: readonly (string | undefined)[]): string[] => values.filter((v): v is string => !!v);
/** A series attribute: from the series record, or from the instance when the series has none. */
const seriesValue = <K extends keyof Series & keyof Instance>(r: QidoRecord, key: K): Value[] =>
  one((r.series?.[key] ?? r.instance?.[key]) as Value | undefined);
const SEX_CODES: Readonly<Record<string, string>> = { Female: 'F', Male: 'M', Other: 'O' };
const ageString = (years: number | undefined) => (years === undefined ? [] : [`${String(years).padStart(3, '0')}Y`]);
const seriesUidOf = (r: QidoRecord) => r.series?.seriesUid ?? r.instance?.seriesUid;

/**
 * Study level. StudyDate is matched against the year hilum keeps of the shifted date (docs/dicomweb.md)
 * and returned without a value; StudyTime is matched against the time the catalog keeps (absent in
 * studies indexed before it was kept); AccessionNumber, ReferringPhysicianName, PatientBirthDate
 * and StudyID are emptied by de-identification and not kept.
 */
const STUDY: readonly QidoAttribute[] = [
  {
    tag: '00080020',
    keyword: 'StudyDate',
    vr: 'DA',
    level: 'study',
    byDefault: true,
    match: 'date',
    matchRecord: (condition, r) => yearOverlaps(condition, r.study.studyYear),
  },
  {
    tag: '00080030',
    keyword: 'StudyTime',
    vr: 'TM',
    level: 'study',
    byDefault: true,
    match: 'time',
    values: (r) => one(r.study.studyTime),
    matchRecord: (condition, r) => matches(condition, onlyDefined([r.study.studyTime && normalizeTime(r.study.studyTime)])),
  },
  { tag: '00080050', keyword: 'AccessionNumber', vr: 'SH', level: 'study', byDefault: true },
  { tag: '00080056', keyword: 'InstanceAvailability', vr: 'CS', level: 'study', byDefault: true, match: 'code', values: () => ['ONLINE'] },
  {
    tag: '00080061',
    keyword: 'ModalitiesInStudy',
    vr: 'CS',
    level: 'study',
    byDefault: true,
    match: 'code',
    values: (r) => r.study.modalities,
  },
  { tag: '00080090', keyword: 'ReferringPhysicianName', vr: 'PN', level: 'study', byDefault: true },
  {
    tag: '00081030',
    keyword: 'StudyDescription',
    vr: 'LO',
    level: 'study',
    byDefault: true,
    match: 'text',
    values: (r) => one(r.study.studyDescription),
  },
  {
    tag: '00081190',
    keyword: 'RetrieveURL',
    vr: 'UR',
    level: 'study',
    byDefault: true,
    values: (r, base) => [`${base}/studies/${r.study.studyUid}`],
  },
  // de-identification writes the same pseudonym to PatientName and PatientID (docs/deidentification.md)
  {
    tag: '00100010',
    keyword: 'PatientName',
    vr: 'PN',
    level: 'study',
    byDefault: true,
    match: 'text',
    values: (r) => one(r.study.patientPseudonym),
  },
  {
    tag: '00100020',
    keyword: 'PatientID',
    vr: 'LO',
    level: 'study',
    byDefault: true,
    match: 'text',
    values: (r) => one(r.study.patientPseudonym),
  },
  { tag: '00100030', keyword: 'PatientBirthDate', vr: 'DA', level: 'study', byDefault: true },
  {
    tag: '00100040',
    keyword: 'PatientSex',
    vr: 'CS',
    level: 'study',
    byDefault: true,
    match: 'code',
    values: (r) => one(r.study.patientSex === undefined ? undefined : SEX_CODES[r.study.patientSex]),
  },
  {
    tag: '00101010',
    keyword: 'PatientAge',
    vr: 'AS',
    level: 'study',
    byDefault: false,
    match: 'code',
    values: (r) => ageString(r.study.patientAge),
  },
  {
    tag: '0020000D',
    keyword: 'StudyInstanceUID',
    vr: 'UI',
    level: 'study',
    byDefault: true,
    match: 'uid',
    values: (r) => [r.study.studyUid],
  },
  { tag: '00200010', keyword: 'StudyID', vr: 'SH', level: 'study', byDefault: true },
  {
    tag: '00201206',
    keyword: 'NumberOfStudyRelatedSeries',
    vr: 'IS',
    level: 'study',
    byDefault: true,
    match: 'number',
    values: (r) => [r.study.seriesCount],
  },
  {
    tag: '00201208',
    keyword: 'NumberOfStudyRelatedInstances',
    vr: 'IS',
    level: 'study',
    byDefault: true,
    match: 'number',
    values: (r) => [r.study.instanceCount],
  },
];

/** Series level. Performed Procedure Step dates and the Request Attributes Sequence are not catalogued. */
const SERIES: readonly QidoAttribute[] = [
  {
    tag: '00080060',
    keyword: 'Modality',
    vr: 'CS',
    level: 'series',
    byDefault: true,
    match: 'code',
    values: (r) => seriesValue(r, 'modality'),
  },
  {
    tag: '0008103E',
    keyword: 'SeriesDescription',
    vr: 'LO',
    level: 'series',
    byDefault: true,
    match: 'text',
    values: (r) => seriesValue(r, 'seriesDescription'),
  },
  {
    tag: '00080070',
    keyword: 'Manufacturer',
    vr: 'LO',
    level: 'series',
    byDefault: false,
    match: 'text',
    values: (r) => seriesValue(r, 'manufacturer'),
  },
  {
    tag: '00081090',
    keyword: 'ManufacturerModelName',
    vr: 'LO',
    level: 'series',
    byDefault: false,
    match: 'text',
    values: (r) => seriesValue(r, 'manufacturerModel'),
  },
  {
    tag: '00081190',
    keyword: 'RetrieveURL',
    vr: 'UR',
    level: 'series',
    byDefault: true,
    values: (r, base) => [`${base}/studies/${r.study.studyUid}/series/${seriesUidOf(r)}`],
  },
  {
    tag: '00180015',
    keyword: 'BodyPartExamined',
    vr: 'CS',
    level: 'series',
    byDefault: true,
    match: 'code',
    values: (r) => seriesValue(r, 'bodyPart'),
  },
  {
    tag: '0020000E',
    keyword: 'SeriesInstanceUID',
    vr: 'UI',
    level: 'series',
    byDefault: true,
    match: 'uid',
    values: (r) => one(seriesUidOf(r)),
  },
  {
    tag: '00200011',
    keyword: 'SeriesNumber',
    vr: 'IS',
    level: 'series',
    byDefault: true,
    match: 'number',
    values: (r) => seriesValue(r, 'seriesNumber'),
  },
  {
    tag: '00201209',
    keyword: 'NumberOfSeriesRelatedInstances',
    vr: 'IS',
    level: 'series',
    byDefault: true,
    match: 'number',
    values: (r) => one(r.series?.instanceCount),
  },
];

/** Instance level. Rows, Columns, BitsAllocated and NumberOfFrames are not catalogued (WADO-RS metadata has them). */
const INSTANCE: readonly QidoAttribute[] = [
  {
    tag: '00080008',
    keyword: 'ImageType',
    vr: 'CS',
    level: 'instance',
    byDefault: false,
    match: 'code',
    values: (r) => r.instance?.imageType ?? [],
  },
  {
    tag: '00080016',
    keyword: 'SOPClassUID',
    vr: 'UI',
    level: 'instance',
    byDefault: true,
    match: 'uid',
    values: (r) => one(r.instance?.sopClassUid),
  },
  {
    tag: '00080018',
    keyword: 'SOPInstanceUID',
    vr: 'UI',
    level: 'instance',
    byDefault: true,
    match: 'uid',
    values: (r) => one(r.instance?.sopUid),
  },
  {
    tag: '00080056',
    keyword: 'InstanceAvailability',
    vr: 'CS',
    level: 'instance',
    byDefault: true,
    match: 'code',
    values: () => ['ONLINE'],
  },
  {
    tag: '00081190',
    keyword: 'RetrieveURL',
    vr: 'UR',
    level: 'instance',
    byDefault: true,
    values: (r, base) =>
      r.instance ? [`${base}/studies/${r.study.studyUid}/series/${r.instance.seriesUid}/instances/${r.instance.sopUid}`] : [],
  },
  {
    tag: '00083002',
    keyword: 'AvailableTransferSyntaxUID',
    vr: 'UI',
    level: 'instance',
    byDefault: true,
    match: 'uid',
    values: (r) => one(r.instance?.transferSyntaxUid),
  },
  {
    tag: '00180050',
    keyword: 'SliceThickness',
    vr: 'DS',
    level: 'instance',
    byDefault: false,
    values: (r) => one(r.instance?.sliceThickness),
  },
  {
    tag: '00185101',
    keyword: 'ViewPosition',
    vr: 'CS',
    level: 'instance',
    byDefault: false,
    match: 'code',
    values: (r) => one(r.instance?.viewPosition),
  },
  {
    tag: '00200013',
    keyword: 'InstanceNumber',
    vr: 'IS',
    level: 'instance',
    byDefault: true,
    match: 'number',
    values: (r) => one(r.instance?.instanceNumber),
  },
  {
    tag: '00280030',
    keyword: 'PixelSpacing',
    vr: 'DS',
    level: 'instance',
    byDefault: false,
    values: (r) => r.instance?.pixelSpacing ?? [],
  },
];

export const QIDO_ATTRIBUTES: readonly QidoAttribute[] = [...STUDY, ...SERIES, ...INSTANCE];

export const levelIndex = (level: QidoLevel): number => QIDO_LEVELS.indexOf(level);

/**
 * The attribute a query parameter names at a result level: by keyword (as the standard spells
 * it) or by tag (8 hex digits, either case). A keyword that exists at several levels (RetrieveURL,
 * InstanceAvailability) is the one of the deepest level at or above the result's. A Map, not an
 * object: the name is the client's, and `__proto__` must find nothing.
 */
export function attributeNamed(name: string, level: QidoLevel): QidoAttribute | undefined {
  const key = /^[0-9a-fA-F]{8}$/.test(name) ? name.toUpperCase() : name;
  const candidates = BY_NAME.get(key) ?? [];
  return candidates.filter((a) => levelIndex(a.level) <= levelIndex(level)).sort((a, b) => levelIndex(b.level) - levelIndex(a.level))[0];
}

/** Whether the name is an attribute of a deeper level than the result's (a key QIDO cannot apply there). */
export function isDeeperAttribute(name: string, level: QidoLevel): boolean {
  const key = /^[0-9a-fA-F]{8}$/.test(name) ? name.toUpperCase() : name;
  return (BY_NAME.get(key) ?? []).some((a) => levelIndex(a.level) > levelIndex(level));
}

const BY_NAME: ReadonlyMap<string, readonly QidoAttribute[]> = (() => {
  const map = new Map<string, QidoAttribute[]>();
  for (const a of QIDO_ATTRIBUTES) for (const name of [a.tag, a.keyword]) map.set(name, [...(map.get(name) ?? []), a]);
  return map;
})();

/** The DICOM JSON of a record with these attributes (PS3.18 F.2): tags in order, no Value when empty, PN as objects. */
export function qidoJson(record: QidoRecord, attributes: readonly QidoAttribute[], baseUrl: string): DicomJson {
  const out: DicomJson = {};
  // The same tag at two levels (RetrieveURL): the deeper one is written last and wins.
  const ordered = [...attributes].sort((x, y) => (x.tag < y.tag ? -1 : x.tag > y.tag ? 1 : levelIndex(x.level) - levelIndex(y.level)));
  for (const a of ordered) {
    const values = a.values?.(record, baseUrl) ?? [];
    const element: DicomJsonElement =
      values.length === 0 ? { vr: a.vr } : { vr: a.vr, Value: values.map((v) => (a.vr === 'PN' ? { Alphabetic: String(v) } : v)) };
    out[a.tag] = element;
  }
  return out;
}
