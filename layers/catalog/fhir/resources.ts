/**
 * FHIR R4 resources from what a caller may see of a cohort or a release: one Patient per case
 * (pseudonymous: its id is the case pseudonym, nothing else identifies it), one ImagingStudy per
 * study with an Endpoint carrying the study's DICOMweb URL, and the case's clinical records as
 * Observation (measurements, vital signs), Condition, MedicationStatement, Procedure, Encounter
 * and Immunization. The `case` node's properties are extensions of the Patient; an `imaging_study`
 * record's are extensions of the ImagingStudy it describes (or an ImagingStudy of its own when no
 * study of the export is unambiguously it); a project's own nodes are Observations whose code is
 * the node and whose components are its properties, typed. Pure: data in, resources out.
 *
 * Time as the clinical tables keep it: no date leaves the site's data, so no resource carries a
 * date; a record's place on the case's timeline is the `days-from-index` extension (and
 * `days-from-index-end` for a period), whole days from the case's index event. No birth date
 * either: the age at index travels as an Age (90 and above as ">= 90", so an age above 89 is
 * not recoverable).
 */
import { createHash } from 'node:crypto';
import {
  BASE_DICTIONARY,
  CODE_SYSTEMS,
  INDEX_DATE_COLUMN,
  type ClinicalRecord,
  type ClinicalValue,
  type Dictionary,
  type PropertyDef,
} from '../../clinical';
import type { Series } from '../commons-entities';
import type { Study } from '../entities';

/** The extensions hilum defines (their canonical URLs; docs/fhir.md describes them). */
export const FHIR_EXTENSIONS = {
  daysFromIndex: 'https://hilum.dev/fhir/StructureDefinition/days-from-index',
  daysFromIndexEnd: 'https://hilum.dev/fhir/StructureDefinition/days-from-index-end',
  ageAtIndex: 'https://hilum.dev/fhir/StructureDefinition/age-at-index',
  project: 'https://hilum.dev/fhir/StructureDefinition/project',
  indexEvent: 'https://hilum.dev/fhir/StructureDefinition/index-event',
  covid19Positive: 'https://hilum.dev/fhir/StructureDefinition/covid19-positive',
  ageAtImaging: 'https://hilum.dev/fhir/StructureDefinition/age-at-imaging',
  bodyPartExamined: 'https://hilum.dev/fhir/StructureDefinition/body-part-examined',
} as const;
/** The code systems of a project's own nodes and their properties (docs/fhir.md). */
export const FHIR_CODE_SYSTEMS = {
  clinicalNode: 'https://hilum.dev/fhir/CodeSystem/clinical-node',
  clinicalProperty: 'https://hilum.dev/fhir/CodeSystem/clinical-property',
} as const;
const US_CORE_RACE = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race';
const US_CORE_ETHNICITY = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity';
const OMB = 'urn:oid:2.16.840.1.113883.6.238';
const NULL_FLAVOR = 'http://terminology.hl7.org/CodeSystem/v3-NullFlavor';
const UCUM = 'http://unitsofmeasure.org';
const SNOMED = CODE_SYSTEMS['SNOMED CT'].url;
const LOINC = CODE_SYSTEMS.LOINC.url;
const DCM = CODE_SYSTEMS.DICOM.url;

export type FhirResource = { readonly resourceType: string; readonly id: string } & Readonly<Record<string, unknown>>;

/** The resource types of an export, in the order their files are listed. */
export const FHIR_RESOURCE_TYPES = [
  'Patient',
  'ImagingStudy',
  'Endpoint',
  'Observation',
  'Condition',
  'MedicationStatement',
  'Procedure',
  'Encounter',
  'Immunization',
] as const;
export type FhirResourceType = (typeof FHIR_RESOURCE_TYPES)[number];

/** A published study as the export sees it: its series and how many of its instances the release holds per series. */
export interface FhirStudy {
  /** `indexedAt` and `publishedAt` say when it changed, for `_since` (a study without them counts as changed). */
  readonly study: Pick<Study, 'studyUid' | 'project' | 'modalities' | 'studyDescription'> &
    Partial<Pick<Study, 'indexedAt' | 'publishedAt'>>;
  readonly series: readonly Pick<Series, 'seriesUid' | 'modality' | 'seriesNumber' | 'seriesDescription'>[];
  readonly instancesBySeries: ReadonlyMap<string, number>;
}

/** One case of the export: its studies the caller may download, and its clinical records (every node). */
export interface FhirCase {
  readonly project: string;
  readonly casePseudonym: string;
  readonly studies: readonly FhirStudy[];
  readonly records: readonly ClinicalRecord[];
}

export interface FhirExportSource {
  /** The API's public base URL, for the studies' DICOMweb endpoints. */
  readonly apiBaseUrl: string;
  readonly cases: readonly FhirCase[];
  /** Each project's dictionary (its own nodes and properties); the base dictionary for a project not named. */
  readonly dictionaries?: ReadonlyMap<string, Dictionary>;
  /**
   * `_since` (an ISO instant): only what changed after it: a record updated after it, a study
   * indexed or published after it (with its Endpoint), and the Patient of any of them (so every
   * reference still resolves within the export) or whose `case`/`demographics` record changed.
   */
  readonly since?: string;
}

/** Every resource of the export, grouped by type (types without a resource absent). */
export function fhirResources(source: FhirExportSource): Map<FhirResourceType, FhirResource[]> {
  const out = new Map<FhirResourceType, FhirResource[]>();
  const add = (r: FhirResource) => {
    const type = r.resourceType as FhirResourceType;
    out.set(type, [...(out.get(type) ?? []), r]);
  };
  const since = source.since === undefined ? undefined : Date.parse(source.since);
  // Changed after `since` by any of its known times; with none known, taken as changed (never silently left out).
  const changed = (...times: readonly (string | undefined)[]) => {
    const known = times.filter((t): t is string => t !== undefined);
    return since === undefined || !known.length || known.some((t) => Date.parse(t) > since);
  };
  for (const given of source.cases) {
    const dictionary = source.dictionaries?.get(given.project) ?? BASE_DICTIONARY;
    const c = withoutDates(given, dictionary);
    const patient = patientOf(c);
    const subject = { reference: `Patient/${patient.id}` };
    const contexts = studyContexts(c);
    const resources: FhirResource[] = [];
    for (const s of c.studies) {
      const context = contexts.byStudy.get(s.study.studyUid);
      if (!changed(s.study.indexedAt, s.study.publishedAt) && !(context && changed(context.updatedAt))) continue;
      const endpoint = endpointOf(s, source.apiBaseUrl);
      resources.push(endpoint, imagingStudyOf(s, subject, endpoint.id, context));
    }
    for (const r of contexts.alone) if (changed(r.updatedAt)) resources.push(contextStudyOf(r, subject));
    for (const r of c.records) {
      const resource = changed(r.updatedAt) ? recordResource(r, subject, dictionary) : undefined;
      if (resource) resources.push(resource);
    }
    const patientChanged = c.records.some((r) => (r.node === 'case' || r.node === 'demographics') && changed(r.updatedAt));
    if (since !== undefined && !patientChanged && !resources.length) continue;
    add(patient);
    resources.forEach(add);
  }
  return new Map(FHIR_RESOURCE_TYPES.filter((t) => out.has(t)).map((t) => [t, out.get(t)!]));
}

/** NDJSON: one resource a line, each line ending in a newline. */
export function ndjson(resources: readonly FhirResource[]): string {
  return resources.map((r) => JSON.stringify(r)).join('\n') + (resources.length ? '\n' : '');
}

/**
 * A shifted-dates project's records (docs/clinical-dictionary.md) carry dates, shifted with the
 * patient's images, where the others carry days, and its case record the shifted `index_date`.
 * Both moved by the same shift, their difference is the days from the index event: each date
 * becomes its days property again, and no date is kept (without the index date, the day is unknown).
 */
function withoutDates(c: FhirCase, dictionary: Dictionary): FhirCase {
  const indexDate = c.records.find((r) => r.node === 'case')?.values[INDEX_DATE_COLUMN];
  const index = typeof indexDate === 'string' ? Date.parse(indexDate) : NaN;
  const records = c.records.map((r) => {
    const properties = (dictionary.node(r.node) ?? BASE_DICTIONARY.node(r.node))?.properties ?? [];
    const dated = properties.filter((p) => p.type === 'days' && p.dateColumn && r.values[p.dateColumn] !== undefined);
    if (!dated.length && r.values[INDEX_DATE_COLUMN] === undefined) return r;
    const values: Record<string, ClinicalValue> = { ...r.values };
    delete values[INDEX_DATE_COLUMN];
    for (const p of dated) {
      const at = Date.parse(String(values[p.dateColumn!]));
      delete values[p.dateColumn!];
      if (values[p.name] === undefined && Number.isFinite(at) && Number.isFinite(index))
        values[p.name] = Math.round((at - index) / 86_400_000);
    }
    return { ...r, values };
  });
  return { ...c, records };
}

// ---------------------------------------------------------------------------
// Patient

const GENDER: Readonly<Record<string, string>> = { Female: 'female', Male: 'male', Other: 'other', Unknown: 'unknown' };
const RACE: Readonly<Record<string, { system: string; code: string } | undefined>> = {
  White: { system: OMB, code: '2106-3' },
  'Black or African American': { system: OMB, code: '2054-5' },
  Asian: { system: OMB, code: '2028-9' },
  'American Indian or Alaska Native': { system: OMB, code: '1002-5' },
  'Native Hawaiian or other Pacific Islander': { system: OMB, code: '2076-8' },
  'Not Reported': { system: NULL_FLAVOR, code: 'UNK' },
};
const ETHNICITY: Readonly<Record<string, { system: string; code: string } | undefined>> = {
  'Hispanic or Latino': { system: OMB, code: '2135-2' },
  'Not Hispanic or Latino': { system: OMB, code: '2186-5' },
  'Not Reported': { system: NULL_FLAVOR, code: 'UNK' },
};

/** The `case` node's covid19_positive (Yes, No, Unknown) as HL7's yes/no codes, or the null flavour. */
const YES_NO: Readonly<Record<string, { system: string; code: string }>> = {
  Yes: { system: 'http://terminology.hl7.org/CodeSystem/v2-0136', code: 'Y' },
  No: { system: 'http://terminology.hl7.org/CodeSystem/v2-0136', code: 'N' },
  Unknown: { system: NULL_FLAVOR, code: 'UNK' },
};

function patientOf(c: FhirCase): FhirResource {
  const demographics = c.records.find((r) => r.node === 'demographics')?.values ?? {};
  const text = (name: string) => (typeof demographics[name] === 'string' ? (demographics[name] as string) : undefined);
  const extension: object[] = [{ url: FHIR_EXTENSIONS.project, valueString: c.project }];
  const caseValues = c.records.find((r) => r.node === 'case')?.values ?? {};
  if (caseValues.index_event !== undefined)
    extension.push({ url: FHIR_EXTENSIONS.indexEvent, valueString: String(caseValues.index_event) });
  const positive = caseValues.covid19_positive !== undefined ? String(caseValues.covid19_positive) : undefined;
  if (positive !== undefined)
    extension.push({
      url: FHIR_EXTENSIONS.covid19Positive,
      valueCodeableConcept: { ...(YES_NO[positive] ? { coding: [YES_NO[positive]] } : {}), text: positive },
    });
  const age = ageOf(demographics.age_at_index);
  if (age) extension.push({ url: FHIR_EXTENSIONS.ageAtIndex, valueAge: age });
  const race = text('race');
  if (race) extension.push(usCoreCategory(US_CORE_RACE, race, RACE[race]));
  const ethnicity = text('ethnicity');
  if (ethnicity) extension.push(usCoreCategory(US_CORE_ETHNICITY, ethnicity, ETHNICITY[ethnicity]));
  const gender = GENDER[text('sex') ?? ''];
  return { resourceType: 'Patient', id: c.casePseudonym, extension, ...(gender ? { gender } : {}) };
}

/** An Age: whole years; the capped "90+" as ">= 90" (the exact age is not kept, so it cannot leave). */
function ageOf(value: ClinicalValue | undefined): object | undefined {
  if (value === undefined) return undefined;
  const years = { unit: 'a', system: UCUM, code: 'a' };
  if (value === '90+') return { comparator: '>=', value: 90, ...years };
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? { value: n, ...years } : undefined;
}

/** US Core's race or ethnicity extension: the OMB category where there is one, and the text (always). */
function usCoreCategory(url: string, text: string, coding: { system: string; code: string } | undefined): object {
  return {
    url,
    extension: [...(coding ? [{ url: 'ombCategory', valueCoding: { ...coding, display: text } }] : []), { url: 'text', valueString: text }],
  };
}

// ---------------------------------------------------------------------------
// ImagingStudy and its Endpoint

/** A FHIR id (at most 64 of [A-Za-z0-9-.]) derived from a longer or freer string. */
export function fhirIdOf(prefix: string, ...parts: readonly string[]): string {
  return `${prefix}-${createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 40)}`;
}

function endpointOf(s: FhirStudy, apiBaseUrl: string): FhirResource {
  return {
    resourceType: 'Endpoint',
    id: fhirIdOf('wado', s.study.studyUid),
    status: 'active',
    connectionType: { system: 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type', code: 'dicom-wado-rs' },
    name: 'DICOMweb WADO-RS of the study',
    payloadType: [{ text: 'DICOM' }],
    payloadMimeType: ['application/dicom'],
    address: `${apiBaseUrl.replace(/\/+$/, '')}/dicomweb/studies/${s.study.studyUid}`,
  };
}

function imagingStudyOf(s: FhirStudy, subject: { reference: string }, endpointId: string, context?: ClinicalRecord): FhirResource {
  const series = s.series.filter((x) => (s.instancesBySeries.get(x.seriesUid) ?? 0) > 0);
  const count = series.reduce((n, x) => n + (s.instancesBySeries.get(x.seriesUid) ?? 0), 0);
  const modalities = [...new Set(s.study.modalities)].sort();
  return {
    resourceType: 'ImagingStudy',
    // A DICOM UID is at most 64 digits and dots: a valid FHIR id as it is.
    id: s.study.studyUid,
    ...(context ? studyContextExtensions(context.values) : {}),
    identifier: [{ system: 'urn:dicom:uid', value: `urn:oid:${s.study.studyUid}` }],
    status: 'available',
    ...(modalities.length ? { modality: modalities.map((code) => ({ system: DCM, code })) } : {}),
    subject,
    endpoint: [{ reference: `Endpoint/${endpointId}` }],
    numberOfSeries: series.length,
    numberOfInstances: count,
    ...(s.study.studyDescription ? { description: s.study.studyDescription } : {}),
    series: series.map((x) => ({
      uid: x.seriesUid,
      ...(x.seriesNumber !== undefined && Number.isInteger(x.seriesNumber) && x.seriesNumber >= 0 ? { number: x.seriesNumber } : {}),
      // Modality is 1..1 in a series: an unrecorded one is DICOM's OT (other).
      modality: { system: DCM, code: x.modality ?? 'OT' },
      ...(x.seriesDescription ? { description: x.seriesDescription } : {}),
      numberOfInstances: s.instancesBySeries.get(x.seriesUid) ?? 0,
    })),
  };
}

// ---------------------------------------------------------------------------
// imaging_study: the clinical context of a study

/**
 * Which study each `imaging_study` record describes. The record names no study, only its modality
 * and day: it is taken as a study's context only when that is unambiguous (the record's modality
 * is among the modalities of exactly one study of the case in the export, and no other record of
 * the case matches that study); any other record is an ImagingStudy of its own (contextStudyOf).
 */
function studyContexts(c: FhirCase): { byStudy: Map<string, ClinicalRecord>; alone: ClinicalRecord[] } {
  const records = c.records.filter((r) => r.node === 'imaging_study');
  const matches = (r: ClinicalRecord) => c.studies.filter((s) => s.study.modalities.includes(String(r.values.study_modality)));
  const byStudy = new Map<string, ClinicalRecord>();
  const alone: ClinicalRecord[] = [];
  for (const r of records) {
    const [study, ...more] = matches(r);
    const rivals = study ? records.filter((q) => q !== r && matches(q).includes(study)) : [];
    if (study && !more.length && !rivals.length) byStudy.set(study.study.studyUid, r);
    else alone.push(r);
  }
  return { byStudy, alone };
}

/** DICOM's Body Part Examined terms as SNOMED CT body structures (DICOM PS3.16 CID 4031); OTHER has none. */
const BODY_PART: Readonly<Record<string, string | undefined>> = {
  CHEST: '51185008',
  ABDOMEN: '113345001',
  HEAD: '69536005',
  PELVIS: '12921003',
  NECK: '45048000',
  EXTREMITY: '66019005',
  BREAST: '76752008',
  HEART: '80891009',
};

/** An imaging_study record's properties as extensions: its day, the age at the study, the body part. */
function studyContextExtensions(v: Values): { extension?: object[] } {
  const extension = [...(timeline(v.days_to_study).extension ?? [])];
  const age = ageOf(v.age_at_imaging);
  if (age) extension.push({ url: FHIR_EXTENSIONS.ageAtImaging, valueAge: age });
  if (v.body_part_examined !== undefined) {
    const part = String(v.body_part_examined);
    const code = BODY_PART[part];
    extension.push({
      url: FHIR_EXTENSIONS.bodyPartExamined,
      valueCodeableConcept: { ...(code ? { coding: [{ system: SNOMED, code }] } : {}), text: part },
    });
  }
  return extension.length ? { extension } : {};
}

/** An imaging_study record no study of the export is unambiguously: an ImagingStudy of its own, with no images. */
function contextStudyOf(r: ClinicalRecord, subject: Subject): FhirResource {
  return {
    resourceType: 'ImagingStudy',
    id: fhirIdOf('imaging-study', r.project, r.recordId),
    ...studyContextExtensions(r.values),
    // Its images are not in the export (or not told apart from another study's): what it is, is not known here.
    status: 'unknown',
    modality: [{ system: DCM, code: String(r.values.study_modality) }],
    subject,
    description: "Clinical context of an imaging study of the case (the site's imaging_study record)",
  };
}

// ---------------------------------------------------------------------------
// Clinical records

type Values = ClinicalRecord['values'];
type Subject = { readonly reference: string };

function recordResource(r: ClinicalRecord, subject: Subject, dictionary: Dictionary): FhirResource | undefined {
  const v = r.values;
  const id = fhirIdOf(r.node.replace(/_/g, '-'), r.project, r.recordId);
  switch (r.node) {
    case 'measurement':
      return { resourceType: 'Observation', id, ...timeline(v.days_to_test), ...measurementOf(v), subject };
    case 'vital_sign':
      return { resourceType: 'Observation', id, ...timeline(v.days_to_vital_sign), ...vitalSignOf(v), subject };
    case 'condition':
      return {
        resourceType: 'Condition',
        id,
        ...timeline(v.days_to_condition_start, v.days_to_condition_end),
        code: { coding: [{ system: CODE_SYSTEMS['ICD-10-CM'].url, code: icd10cm(String(v.condition_code)) }] },
        subject,
      };
    case 'medication':
      return {
        resourceType: 'MedicationStatement',
        id,
        ...timeline(v.days_to_medication_start, v.days_to_medication_end),
        status: v.days_to_medication_end !== undefined ? 'completed' : 'unknown',
        medicationCodeableConcept: {
          coding: [{ system: CODE_SYSTEMS.RxNorm.url, code: String(v.medication_code) }],
          ...textOf(v.medication_name),
        },
        subject,
        ...(v.medication_route !== undefined ? { dosage: [{ route: { text: String(v.medication_route) } }] } : {}),
      };
    case 'procedure':
      return {
        resourceType: 'Procedure',
        id,
        ...timeline(v.days_to_procedure),
        status: 'completed',
        code: { coding: [{ system: CODE_SYSTEMS.CPT.url, code: String(v.procedure_code) }], ...textOf(v.procedure_name) },
        subject,
      };
    case 'visit':
      return { resourceType: 'Encounter', id, ...timeline(v.days_to_visit_start, v.days_to_visit_end), ...encounterOf(v), subject };
    case 'covid19_vaccination':
      return {
        resourceType: 'Immunization',
        id,
        ...timeline(v.days_to_vaccination),
        status: 'completed',
        vaccineCode: {
          ...(v.vaccine_cvx !== undefined ? { coding: [{ system: CODE_SYSTEMS.CVX.url, code: String(v.vaccine_cvx) }] } : {}),
          text: v.vaccine_manufacturer !== undefined ? `COVID-19 vaccine, ${String(v.vaccine_manufacturer)}` : 'COVID-19 vaccine',
        },
        patient: subject,
        // occurrence[x] is required and no date may leave: the day on the case's timeline, in words.
        occurrenceString: v.days_to_vaccination !== undefined ? `day ${Number(v.days_to_vaccination)} from the index event` : 'unknown',
        protocolApplied: [{ doseNumberPositiveInt: Number(v.vaccine_dose) }],
      };
    default: {
      // case and demographics are on the Patient, imaging_study on an ImagingStudy (studyContexts); a
      // project's own node is an Observation. A node no dictionary defines has no mapping.
      const node = BASE_DICTIONARY.node(r.node) ? undefined : dictionary.node(r.node);
      return node ? { resourceType: 'Observation', id, ...extensionNodeObservation(node.node, node.properties, v), subject } : undefined;
    }
  }
}

/**
 * A record of a project's own node: an Observation coded by the node (hilum's clinical-node code
 * system), its first days property its place on the timeline, every property with a value a
 * component coded `node.property` with the value as its type says (numbers as Quantity with their
 * unit as text, days in UCUM `d`, ages in `a`, enums as text, codes in their code system).
 */
function extensionNodeObservation(node: string, properties: readonly PropertyDef[], v: Values): object {
  // A date never leaves (withoutDates made a shifted project's dates days again).
  const present = properties.filter(
    (p) => p.name !== 'case_id' && p.type !== 'date' && v[p.name] !== undefined && String(v[p.name]) !== '',
  );
  const firstDays = present.find((p) => p.type === 'days');
  return {
    ...timeline(firstDays ? v[firstDays.name] : undefined),
    status: 'final',
    code: { coding: [{ system: FHIR_CODE_SYSTEMS.clinicalNode, code: node }], text: node },
    ...(present.length
      ? {
          component: present.map((p) => ({
            code: { coding: [{ system: FHIR_CODE_SYSTEMS.clinicalProperty, code: `${node}.${p.name}` }], text: p.name },
            ...typedValue(p, v[p.name]!),
          })),
        }
      : {}),
  };
}

function typedValue(p: PropertyDef, value: ClinicalValue): object {
  switch (p.type) {
    case 'integer':
      return { valueInteger: Number(value) };
    case 'number':
      return { valueQuantity: { value: Number(value), ...(p.unit ? { unit: p.unit } : {}) } };
    case 'days':
      return { valueQuantity: { value: Number(value), unit: 'd', system: UCUM, code: 'd' } };
    case 'age': {
      const age = ageOf(value);
      return age ? { valueQuantity: age } : { valueString: String(value) };
    }
    case 'code': {
      const system = p.codeSystem ? CODE_SYSTEMS[p.codeSystem].url : undefined;
      const code = p.codeSystem === 'ICD-10-CM' ? icd10cm(String(value)) : String(value);
      return { valueCodeableConcept: { coding: [{ ...(system ? { system } : {}), code }] } };
    }
    case 'enum':
      return { valueCodeableConcept: { text: String(value) } };
    default:
      return { valueString: String(value) };
  }
}

/** The record's day(s) on the case's timeline, as extensions (no date leaves the site's data). */
function timeline(start: ClinicalValue | undefined, end?: ClinicalValue): { extension?: object[] } {
  const extension = [
    ...(start !== undefined ? [{ url: FHIR_EXTENSIONS.daysFromIndex, valueInteger: Number(start) }] : []),
    ...(end !== undefined ? [{ url: FHIR_EXTENSIONS.daysFromIndexEnd, valueInteger: Number(end) }] : []),
  ];
  return extension.length ? { extension } : {};
}

const textOf = (value: ClinicalValue | undefined) => (value !== undefined && String(value) !== '' ? { text: String(value) } : {});

/** ICD-10-CM as FHIR writes it: with its dot after the category (J1289 -> J12.89). */
function icd10cm(code: string): string {
  const c = code.trim().toUpperCase();
  return c.length > 3 && !c.includes('.') ? `${c.slice(0, 3)}.${c.slice(3)}` : c;
}

const QUALITATIVE: Readonly<Record<string, string | undefined>> = {
  Positive: '10828004',
  Negative: '260385009',
  Indeterminate: '82334004',
};

function measurementOf(v: Values): object {
  const loinc = v.test_loinc !== undefined ? [{ system: LOINC, code: String(v.test_loinc) }] : [];
  const result = v.test_result_text !== undefined ? String(v.test_result_text) : undefined;
  const value =
    v.test_result_value !== undefined
      ? { valueQuantity: quantity(Number(v.test_result_value), v.test_units) }
      : result === 'Not performed'
        ? { dataAbsentReason: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason', code: 'not-performed' }] } }
        : result !== undefined
          ? { valueCodeableConcept: { coding: QUALITATIVE[result] ? [{ system: SNOMED, code: QUALITATIVE[result] }] : [], text: result } }
          : {};
  return {
    status: 'final',
    category: [category('laboratory')],
    code: { ...(loinc.length ? { coding: loinc } : {}), text: String(v.test_name) },
    ...value,
  };
}

const VITAL_SIGNS: Readonly<Record<string, string>> = {
  'Body temperature': '8310-5',
  'Heart rate': '8867-4',
  'Respiratory rate': '9279-1',
  'Systolic blood pressure': '8480-6',
  'Diastolic blood pressure': '8462-4',
  'Oxygen saturation': '59408-5',
  'Body weight': '29463-7',
  'Body height': '8302-2',
  'Body mass index': '39156-5',
};

function vitalSignOf(v: Values): object {
  const name = String(v.vital_sign);
  const code = VITAL_SIGNS[name];
  return {
    status: 'final',
    category: [category('vital-signs')],
    code: { ...(code ? { coding: [{ system: LOINC, code }] } : {}), text: name },
    valueQuantity: quantity(Number(v.vital_sign_value), v.vital_sign_units),
  };
}

const category = (code: string) => ({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code }] });

function quantity(value: number, units: ClinicalValue | undefined): object {
  const unit = units !== undefined && String(units) !== '' ? String(units) : undefined;
  return { value, ...(unit ? { unit, system: UCUM, code: unit } : {}) };
}

/** HL7 v3 ActCode of each visit type (class is 1..1; ICU is an inpatient acute stay). */
const ENCOUNTER_CLASS: Readonly<Record<string, { system: string; code: string }>> = {
  Inpatient: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' },
  ICU: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'ACUTE' },
  Outpatient: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
  Emergency: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'EMER' },
  Telehealth: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'VR' },
};

function encounterOf(v: Values): object {
  const type = String(v.visit_type);
  return {
    status: v.days_to_visit_end !== undefined ? 'finished' : 'unknown',
    class: ENCOUNTER_CLASS[type] ?? { system: NULL_FLAVOR, code: 'OTH' },
    type: [{ text: type }],
    ...(v.discharge_disposition !== undefined
      ? { hospitalization: { dischargeDisposition: { text: String(v.discharge_disposition) } } }
      : {}),
  };
}

/** Every reference of a resource (`reference` members anywhere in it). */
export function referencesOf(resource: unknown): string[] {
  const out: string[] = [];
  const walk = (x: unknown) => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object')
      for (const [k, v] of Object.entries(x)) {
        if (k === 'reference' && typeof v === 'string') out.push(v);
        else walk(v);
      }
  };
  walk(resource);
  return out;
}
