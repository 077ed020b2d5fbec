import {
  fhirIdOf,
  fhirResources,
  FHIR_CODE_SYSTEMS,
  FHIR_EXTENSIONS,
  ndjson,
  referencesOf,
  type FhirCase,
  type FhirResource,
} from '../../../layers/catalog/fhir/resources';
import { loadDictionary, type ClinicalRecord, type ClinicalValue } from '../../../layers/clinical';
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

describe('FHIR resources of the case, imaging_study and a project’s own nodes', () => {
  const c = 'HILUM-00000000000000AA';
  const ct = (uid: string, modalities = ['CT']) => ({
    study: { studyUid: uid, project: 'covid', modalities },
    series: [{ seriesUid: `${uid}.1`, modality: modalities[0] }],
    instancesBySeries: new Map([[`${uid}.1`, 2]]),
  });
  const ext = (r: FhirResource | undefined, url: string) =>
    (r?.extension as ({ url: string } & Record<string, unknown>)[] | undefined)?.find((e) => e.url === url);

  it("puts the case's index event and COVID-19 status on the Patient, coded where HL7 has a code", () => {
    const [patient] = fhirResources({ apiBaseUrl: BASE, cases: [fullCase()] }).get('Patient')!;
    expect(ext(patient, FHIR_EXTENSIONS.indexEvent)).toEqual({ url: FHIR_EXTENSIONS.indexEvent, valueString: 'COVID-19 test' });
    expect(ext(patient, FHIR_EXTENSIONS.covid19Positive)).toEqual({
      url: FHIR_EXTENSIONS.covid19Positive,
      valueCodeableConcept: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0136', code: 'Y' }], text: 'Yes' },
    });
  });

  it('puts an imaging_study record on the one study of its modality; ambiguous or unmatched records are ImagingStudies of their own', () => {
    const records = [
      record('imaging_study', c, { study_modality: 'CR', days_to_study: 3, age_at_imaging: '90+', body_part_examined: 'CHEST' }),
      record('imaging_study', c, { study_modality: 'CT', days_to_study: 5 }, 1),
      record('imaging_study', c, { study_modality: 'MR', days_to_study: 9, body_part_examined: 'OTHER' }, 2),
    ];
    const resources = fhirResources({
      apiBaseUrl: BASE,
      cases: [{ project: 'covid', casePseudonym: c, studies: [ct('1.2.3.1', ['CR']), ct('1.2.3.2'), ct('1.2.3.3')], records }],
    });
    const studies = resources.get('ImagingStudy')!;
    expect(studies.flatMap(fhirSchemaErrors)).toEqual([]);
    const cr = studies.find((s) => s.id === '1.2.3.1')!;
    expect(cr.extension).toEqual([
      { url: FHIR_EXTENSIONS.daysFromIndex, valueInteger: 3 },
      {
        url: FHIR_EXTENSIONS.ageAtImaging,
        valueAge: { comparator: '>=', value: 90, unit: 'a', system: 'http://unitsofmeasure.org', code: 'a' },
      },
      {
        url: FHIR_EXTENSIONS.bodyPartExamined,
        valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '51185008' }], text: 'CHEST' },
      },
    ]);
    // Two CT studies: the CT record could be either, so it is neither; the MR record has no study here.
    for (const uid of ['1.2.3.2', '1.2.3.3']) expect(studies.find((s) => s.id === uid)).not.toHaveProperty('extension');
    const alone = studies.filter((s) => s.status === 'unknown');
    expect(alone.map((s) => (s.modality as { code: string }[])[0]!.code).sort()).toEqual(['CT', 'MR']);
    for (const s of alone) {
      expect(s).not.toHaveProperty('endpoint');
      expect(s.subject).toEqual({ reference: `Patient/${c}` });
    }
    expect(
      ext(
        alone.find((s) => JSON.stringify(s).includes('MR')),
        FHIR_EXTENSIONS.bodyPartExamined,
      ),
    ).toEqual({
      url: FHIR_EXTENSIONS.bodyPartExamined,
      valueCodeableConcept: { text: 'OTHER' },
    });
  });

  it("makes each record of a project's own node an Observation coded by the node, each property a typed component", () => {
    const dictionary = loadDictionary({
      nodes: [
        {
          node: 'smoking',
          version: '1.0.0',
          description: 'Smoking history',
          key: [],
          properties: [
            { name: 'case_id', type: 'string', required: true, description: 'case' },
            { name: 'pack_years', type: 'number', unit: 'pack-years', description: 'Pack-years' },
            { name: 'cigarettes_per_day', type: 'integer', description: 'Cigarettes a day' },
            { name: 'status', type: 'enum', values: ['Current', 'Former', 'Never'], description: 'Status' },
            { name: 'days_to_quit', type: 'days', description: 'Days to quitting' },
            { name: 'age_at_start', type: 'age', description: 'Age at starting' },
            { name: 'copd_code', type: 'code', codeSystem: 'ICD-10-CM', description: 'COPD code' },
            { name: 'note', type: 'string', description: 'A note' },
          ],
        },
      ],
    });
    const values = {
      pack_years: 12.5,
      cigarettes_per_day: 20,
      status: 'Former',
      days_to_quit: -400,
      age_at_start: 17,
      copd_code: 'J441',
      note: 'light',
    };
    const resources = fhirResources({
      apiBaseUrl: BASE,
      cases: [{ project: 'covid', casePseudonym: c, studies: [ct('1.2.3.9')], records: [record('smoking', c, values)] }],
      dictionaries: new Map([['covid', dictionary]]),
    });
    const [observation, ...more] = resources.get('Observation')!;
    expect(more).toEqual([]);
    expect(fhirSchemaErrors(observation)).toEqual([]);
    expect(observation!.code).toEqual({ coding: [{ system: FHIR_CODE_SYSTEMS.clinicalNode, code: 'smoking' }], text: 'smoking' });
    expect(observation!.subject).toEqual({ reference: `Patient/${c}` });
    expect(observation!.extension).toEqual([{ url: FHIR_EXTENSIONS.daysFromIndex, valueInteger: -400 }]);
    const components = observation!.component as ({ code: { coding: { code: string }[] } } & Record<string, unknown>)[];
    const value = (name: string) => {
      const { code: _code, ...rest } = components.find((x) => x.code.coding[0]!.code === `smoking.${name}`)!;
      return rest;
    };
    expect(value('pack_years')).toEqual({ valueQuantity: { value: 12.5, unit: 'pack-years' } });
    expect(value('cigarettes_per_day')).toEqual({ valueInteger: 20 });
    expect(value('status')).toEqual({ valueCodeableConcept: { text: 'Former' } });
    expect(value('days_to_quit')).toEqual({ valueQuantity: { value: -400, unit: 'd', system: 'http://unitsofmeasure.org', code: 'd' } });
    expect(value('age_at_start')).toEqual({ valueQuantity: { value: 17, unit: 'a', system: 'http://unitsofmeasure.org', code: 'a' } });
    expect(value('copd_code')).toEqual({
      valueCodeableConcept: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'J44.1' }] },
    });
    expect(value('note')).toEqual({ valueString: 'light' });
    expect(components).toHaveLength(7);
    // Without the project's dictionary the node is unknown: no resource, rather than a guess at its types.
    const unknown = fhirResources({
      apiBaseUrl: BASE,
      cases: [{ project: 'covid', casePseudonym: c, studies: [ct('1.2.3.9')], records: [record('smoking', c, values)] }],
    });
    expect(unknown.get('Observation')).toBeUndefined();
  });
});

describe("a shifted-dates project's records", () => {
  it('become days from the index event again (the dates and the index date shifted alike), and no date leaves', () => {
    const c = 'HILUM-00000000000000CC';
    const records = [
      record('case', c, { index_event: 'Hospital admission', index_date: '2020-02-27' }),
      record('measurement', c, { test_name: 'D-dimer', test_result_value: 2, test_units: 'mg/L', test_date: '2020-03-02' }),
      record('condition', c, { condition_code: 'U07.1', condition_start_date: '2020-02-20', condition_end_date: '2020-03-01' }),
      record('imaging_study', c, { study_modality: 'CT', study_date: '2020-02-28' }),
    ];
    const resources = fhirResources({
      apiBaseUrl: BASE,
      cases: [
        {
          project: 'covid',
          casePseudonym: c,
          studies: [
            {
              study: { studyUid: '1.2.6.1', project: 'covid', modalities: ['CT'] },
              series: [{ seriesUid: '1.2.6.1.1', modality: 'CT' }],
              instancesBySeries: new Map([['1.2.6.1.1', 1]]),
            },
          ],
          records,
        },
      ],
    });
    const list = [...resources.values()].flat();
    expect(ndjson(list)).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    expect(list.flatMap(fhirSchemaErrors)).toEqual([]);
    expect(resources.get('Observation')![0]!.extension).toEqual([{ url: FHIR_EXTENSIONS.daysFromIndex, valueInteger: 4 }]);
    expect(resources.get('Condition')![0]!.extension).toEqual([
      { url: FHIR_EXTENSIONS.daysFromIndex, valueInteger: -7 },
      { url: FHIR_EXTENSIONS.daysFromIndexEnd, valueInteger: 3 },
    ]);
    expect(resources.get('ImagingStudy')![0]!.extension).toEqual([{ url: FHIR_EXTENSIONS.daysFromIndex, valueInteger: 1 }]);
  });
});

describe('_since: only what changed after the instant', () => {
  const c = 'HILUM-00000000000000BB';
  const at = (day: number) => `2026-11-${String(day).padStart(2, '0')}T12:00:00.000Z`;
  const dated = (r: ClinicalRecord, day: number): ClinicalRecord => ({ ...r, updatedAt: at(day) });
  const study = (uid: string, published: number, indexed = published) => ({
    study: { studyUid: uid, project: 'covid', modalities: ['CT'], publishedAt: at(published), indexedAt: at(indexed) },
    series: [{ seriesUid: `${uid}.1`, modality: 'CT' }],
    instancesBySeries: new Map([[`${uid}.1`, 1]]),
  });
  const kase = (records: ClinicalRecord[], studies = [study('1.2.5.1', 1), study('1.2.5.2', 10)]): FhirCase => ({
    project: 'covid',
    casePseudonym: c,
    studies,
    records,
  });
  const ids = (m: Map<string, FhirResource[]>) => [...m].flatMap(([t, list]) => list.map((r) => `${t}/${r.id}`)).sort();

  it('keeps records updated and studies published or re-indexed after it, with their Endpoint and their Patient', () => {
    const records = [
      dated(record('demographics', c, { sex: 'Male' }), 1),
      dated(record('condition', c, { condition_code: 'U07.1' }), 2),
      dated(record('condition', c, { condition_code: 'J1289' }, 1), 9),
    ];
    const all = fhirResources({ apiBaseUrl: BASE, cases: [kase(records)] });
    const since = fhirResources({ apiBaseUrl: BASE, cases: [kase(records)], since: at(5) });
    const changed = ids(since);
    expect(changed).toEqual(
      [
        `Patient/${c}`,
        'ImagingStudy/1.2.5.2',
        `Endpoint/${fhirIdOf('wado', '1.2.5.2')}`,
        `Condition/${fhirIdOf('condition', 'covid', records[2]!.recordId)}`,
      ].sort(),
    );
    expect(ids(all)).toHaveLength(7);
    // References still resolve within the export.
    const list = [...since.values()].flat();
    expect(list.flatMap(referencesOf).filter((r) => !changed.includes(r))).toEqual([]);
    // A study re-indexed after the instant (more instances) counts as changed; one indexed but never published, by its index time.
    const unpublished = study('1.2.5.3', 1);
    const { publishedAt: _published, ...indexedOnly } = unpublished.study;
    const indexedCase: FhirCase = { ...kase([]), studies: [{ ...unpublished, study: indexedOnly }] };
    expect(ids(fhirResources({ apiBaseUrl: BASE, cases: [indexedCase], since: at(5) }))).toEqual([]);
    const reindexed = fhirResources({ apiBaseUrl: BASE, cases: [kase(records, [study('1.2.5.1', 1, 7)])], since: at(5) });
    expect(ids(reindexed)).toContain('ImagingStudy/1.2.5.1');
  });

  it('leaves a case with nothing changed out, and keeps a Patient whose demographics alone changed', () => {
    const old = [dated(record('demographics', c, { sex: 'Male' }), 1)];
    expect(fhirResources({ apiBaseUrl: BASE, cases: [kase(old, [study('1.2.5.1', 1)])], since: at(5) }).size).toBe(0);
    const changed = [dated(record('demographics', c, { sex: 'Female' }), 6)];
    expect(ids(fhirResources({ apiBaseUrl: BASE, cases: [kase(changed, [study('1.2.5.1', 1)])], since: at(5) }))).toEqual([`Patient/${c}`]);
  });

  it('counts a study carrying an imaging_study record as changed when the record is', () => {
    const context = dated(record('imaging_study', c, { study_modality: 'CT', days_to_study: 0 }), 8);
    const resources = fhirResources({ apiBaseUrl: BASE, cases: [kase([context], [study('1.2.5.1', 1)])], since: at(5) });
    expect(ids(resources)).toContain('ImagingStudy/1.2.5.1');
    const unchanged = fhirResources({
      apiBaseUrl: BASE,
      cases: [kase([{ ...context, updatedAt: at(2) }], [study('1.2.5.1', 1)])],
      since: at(5),
    });
    expect(ids(unchanged)).toEqual([]);
  });
});
