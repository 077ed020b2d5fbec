import {
  fhirIdOf,
  fhirResources,
  FHIR_EXTENSIONS,
  ndjson,
  referencesOf,
  type FhirCase,
  type FhirResource,
} from '../../../layers/catalog/fhir/resources';
import type { ClinicalRecord, ClinicalValue } from '../../../layers/clinical';
import { fhirSchemaErrors } from '../../support/fhir-schema';

const record = (node: string, casePseudonym: string, values: Record<string, ClinicalValue>, n = 0): ClinicalRecord => ({
  project: 'covid',
  node,
  casePseudonym,
  recordId: `${node}-${casePseudonym}-${n}`.padEnd(32, '0'),
  site: 'site-a',
  submissionId: 'sub-1',
  values: { case_id: casePseudonym, ...values },
  updatedAt: '2026-12-01T00:00:00.000Z',
});

const STUDY = '1.2.826.0.1.3680043.10.1234.1';
const SERIES_CT = `${STUDY}.1`;
const SERIES_SR = `${STUDY}.2`;

/** A case with every node the export maps, its values spanning every branch (capped age, both result kinds, open periods). */
function fullCase(): FhirCase {
  const c = 'HILUM-0123456789ABCDEF';
  return {
    project: 'covid',
    casePseudonym: c,
    studies: [
      {
        study: { studyUid: STUDY, project: 'covid', modalities: ['CT', 'SR'], studyDescription: 'CT CHEST' },
        series: [
          { seriesUid: SERIES_CT, modality: 'CT', seriesNumber: 2, seriesDescription: 'AXIAL' },
          { seriesUid: SERIES_SR },
          { seriesUid: `${STUDY}.3`, modality: 'CT' },
        ],
        // The third series has no instance in the release: it is left out.
        instancesBySeries: new Map([
          [SERIES_CT, 40],
          [SERIES_SR, 1],
        ]),
      },
    ],
    records: [
      record('case', c, { index_event: 'COVID-19 test', covid19_positive: 'Yes' }),
      record('demographics', c, { age_at_index: '90+', sex: 'Female', race: 'Asian', ethnicity: 'Not Hispanic or Latino' }),
      record('imaging_study', c, { study_modality: 'CT', days_to_study: 2 }),
      record('measurement', c, { test_name: 'SARS-CoV-2 RT-PCR', test_loinc: '94500-6', test_result_text: 'Positive', days_to_test: 0 }),
      record('measurement', c, { test_name: 'D-dimer', test_result_value: 1.7, test_units: 'mg/L', days_to_test: 1 }, 1),
      record('measurement', c, { test_name: 'Ferritin', test_result_text: 'Not performed', days_to_test: 1 }, 2),
      record('vital_sign', c, { vital_sign: 'Oxygen saturation', vital_sign_value: 91, vital_sign_units: '%', days_to_vital_sign: 0 }),
      record('condition', c, { condition_code: 'J1289', days_to_condition_start: 0, days_to_condition_end: 14 }),
      record('condition', c, { condition_code: 'U07.1' }, 1),
      record('medication', c, {
        medication_code: '2284718',
        medication_name: 'remdesivir',
        medication_route: 'Intravenous',
        days_to_medication_start: 1,
      }),
      record('procedure', c, { procedure_code: '94002', procedure_name: 'Ventilation', days_to_procedure: 3 }),
      record('visit', c, { visit_type: 'ICU', days_to_visit_start: 0, days_to_visit_end: 12, discharge_disposition: 'Home' }),
      record('visit', c, { visit_type: 'Other', days_to_visit_start: 20 }, 1),
      record('covid19_vaccination', c, {
        vaccine_cvx: '208',
        vaccine_manufacturer: 'Pfizer-BioNTech',
        vaccine_dose: 1,
        days_to_vaccination: -60,
      }),
    ],
  };
}

const sparseCase: FhirCase = {
  project: 'covid',
  casePseudonym: 'HILUM-FEDCBA9876543210',
  studies: [
    {
      study: { studyUid: '1.2.3.4', project: 'covid', modalities: [] },
      series: [{ seriesUid: '1.2.3.4.5' }],
      instancesBySeries: new Map([['1.2.3.4.5', 3]]),
    },
  ],
  records: [record('demographics', 'HILUM-FEDCBA9876543210', { sex: 'Unknown', race: 'Other', age_at_index: 47 })],
};

const BASE = 'https://api.example.org/v1/';

function all(resources: Map<string, FhirResource[]>): FhirResource[] {
  return [...resources.values()].flat();
}

describe('FHIR R4 resources of an export', () => {
  const resources = fhirResources({ apiBaseUrl: BASE, cases: [fullCase(), sparseCase] });

  it('every resource validates against the official FHIR R4 JSON schema', () => {
    const list = all(resources);
    expect(list.length).toBe(17);
    expect(list.flatMap(fhirSchemaErrors)).toEqual([]);
  });

  it('the schema check is real: a wrong code, a missing subject and an unknown property are each refused', () => {
    const patient = resources.get('Patient')![0]!;
    const study = resources.get('ImagingStudy')![0]!;
    expect(fhirSchemaErrors({ ...patient, gender: 'F' })).not.toEqual([]);
    const { subject: _subject, ...withoutSubject } = study;
    expect(fhirSchemaErrors(withoutSubject)).not.toEqual([]);
    expect(fhirSchemaErrors({ ...patient, birthYear: 1950 })).not.toEqual([]);
  });

  it('every reference resolves to a resource of the export', () => {
    const list = all(resources);
    const ids = new Set(list.map((r) => `${r.resourceType}/${r.id}`));
    expect(ids.size).toBe(list.length);
    const refs = list.flatMap(referencesOf);
    expect(refs.length).toBeGreaterThan(10);
    expect(refs.filter((r) => !ids.has(r))).toEqual([]);
  });

  it('maps each clinical node to its resource type, one per record, and puts case and demographics on the Patient', () => {
    const counts = Object.fromEntries([...resources].map(([type, list]) => [type, list.length]));
    expect(counts).toEqual({
      Patient: 2,
      ImagingStudy: 2,
      Endpoint: 2,
      Observation: 4,
      Condition: 2,
      MedicationStatement: 1,
      Procedure: 1,
      Encounter: 2,
      Immunization: 1,
    });
  });

  it('the Patient is pseudonymous: its id is the case pseudonym, no identifier, no birth date, an age above 89 only as ">= 90"', () => {
    const [patient, sparse] = resources.get('Patient')!;
    expect(patient!.id).toBe('HILUM-0123456789ABCDEF');
    expect(patient).not.toHaveProperty('identifier');
    expect(patient).not.toHaveProperty('birthDate');
    expect(patient).not.toHaveProperty('name');
    expect(patient!.gender).toBe('female');
    const ext = patient!.extension as { url: string; valueAge?: unknown; extension?: { url: string; valueCoding?: { code: string } }[] }[];
    expect(ext.find((e) => e.url === FHIR_EXTENSIONS.ageAtIndex)?.valueAge).toEqual({
      comparator: '>=',
      value: 90,
      unit: 'a',
      system: 'http://unitsofmeasure.org',
      code: 'a',
    });
    const race = ext.find((e) => e.url.endsWith('us-core-race'))!;
    expect(race.extension!.find((e) => e.url === 'ombCategory')!.valueCoding!.code).toBe('2028-9');
    const ethnicity = ext.find((e) => e.url.endsWith('us-core-ethnicity'))!;
    expect(ethnicity.extension!.find((e) => e.url === 'ombCategory')!.valueCoding!.code).toBe('2186-5');
    // "Other" has no OMB category: the text alone.
    const otherRace = (sparse!.extension as { url: string; extension?: { url: string }[] }[]).find((e) => e.url.endsWith('us-core-race'))!;
    expect(otherRace.extension!.map((e) => e.url)).toEqual(['text']);
    expect((sparse!.extension as { url: string; valueAge?: { value: number } }[]).find((e) => e.valueAge)!.valueAge!.value).toBe(47);
  });

  it('no resource carries a date: time is days from the index event', () => {
    const text = ndjson(all(resources));
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    const condition = resources.get('Condition')!.find((r) => r.code && JSON.stringify(r.code).includes('J12.89'))!;
    expect(condition.extension).toEqual([
      { url: FHIR_EXTENSIONS.daysFromIndex, valueInteger: 0 },
      { url: FHIR_EXTENSIONS.daysFromIndexEnd, valueInteger: 14 },
    ]);
    const immunization = resources.get('Immunization')![0]!;
    expect(immunization.occurrenceString).toBe('day -60 from the index event');
  });

  it('an ImagingStudy names its Endpoint, whose address is the study in DICOMweb, and counts only the instances the release holds', () => {
    const study = resources.get('ImagingStudy')!.find((r) => r.id === STUDY)!;
    const endpoint = resources
      .get('Endpoint')!
      .find((r) => `Endpoint/${r.id}` === (study.endpoint as { reference: string }[])[0]!.reference)!;
    expect(endpoint.address).toBe(`https://api.example.org/v1/dicomweb/studies/${STUDY}`);
    expect(study.subject).toEqual({ reference: 'Patient/HILUM-0123456789ABCDEF' });
    expect(study).not.toHaveProperty('started');
    expect(study.numberOfSeries).toBe(2);
    expect(study.numberOfInstances).toBe(41);
    const series = study.series as { uid: string; modality: { code: string }; numberOfInstances: number }[];
    expect(series.map((s) => [s.uid, s.modality.code, s.numberOfInstances])).toEqual([
      [SERIES_CT, 'CT', 40],
      [SERIES_SR, 'OT', 1],
    ]);
  });

  it('ids are valid FHIR ids whatever the input, and stable', () => {
    const id = fhirIdOf('wado', '1.2.'.repeat(16));
    expect(id).toMatch(/^[A-Za-z0-9\-.]{1,64}$/);
    expect(fhirIdOf('wado', '1.2.'.repeat(16))).toBe(id);
  });

  it('NDJSON is one resource a line', () => {
    const patients = resources.get('Patient')!;
    const lines = ndjson(patients).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(JSON.parse(lines[0]!)).toEqual(patients[0]);
    expect(ndjson([])).toBe('');
  });
});
