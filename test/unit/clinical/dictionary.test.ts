/**
 * The clinical dictionary as data: every base node well formed, a project's extension applied
 * or refused with every problem named, and the generated JSON Schema agreeing with the intake
 * (ajv validates the samples the intake accepts and refuses the ones it refuses).
 */
import Ajv2020 from 'ajv/dist/2020';
import {
  BASE_DICTIONARY,
  BASE_NODES,
  CASE_ID,
  DictionaryConfigError,
  loadDictionary,
  mergedNode,
  nodeJsonSchema,
  parseClinicalSheet,
} from '../../../layers/clinical';

describe('the base dictionary', () => {
  it('has the MIDRC nodes, each versioned, with case_id first', () => {
    expect(BASE_NODES.map((n) => n.node)).toEqual([
      'case',
      'demographics',
      'imaging_study',
      'measurement',
      'condition',
      'medication',
      'procedure',
      'visit',
      'vital_sign',
      'covid19_vaccination',
    ]);
    for (const n of BASE_NODES) {
      expect(n.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(n.properties[0]!.name).toBe('case_id');
    }
  });
});

describe('a project extension', () => {
  it('adds a node and a property to an existing node', () => {
    const dictionary = loadDictionary({
      nodes: [
        {
          node: 'smoking_history',
          version: '0.1.0',
          description: 'Tobacco use.',
          key: [],
          properties: [
            { name: 'case_id', type: 'string', required: true, description: 'The case.' },
            { name: 'pack_years', type: 'number', minimum: 0, description: 'Pack-years.' },
          ],
        },
      ],
      properties: [
        { node: 'measurement', property: { name: 'specimen', type: 'enum', values: ['Nasal swab', 'Blood'], description: 'Specimen.' } },
      ],
    });
    expect(dictionary.node('smoking_history')?.properties.map((p) => p.name)).toEqual(['case_id', 'pack_years']);
    expect(dictionary.node('measurement')?.properties.at(-1)?.name).toBe('specimen');
    expect(BASE_DICTIONARY.node('measurement')?.properties.some((p) => p.name === 'specimen')).toBe(false);
    const sheet = parseClinicalSheet({
      node: dictionary.node('smoking_history')!,
      text: 'case_id,pack_years\nA,12.5\n',
      format: 'csv',
      file: 'smoking_history.csv',
    });
    expect(sheet).toMatchObject({ ok: true, rows: [{ values: { pack_years: 12.5 } }] });
  });

  it('is refused with every problem named: shape, clashes, unknown nodes, identifiers and dates', () => {
    const bad = {
      nodes: [
        {
          node: 'case',
          version: '1.0.0',
          description: 'again',
          key: [],
          properties: [{ name: 'case_id', type: 'string', description: 'x' }],
        },
        {
          node: 'allergy',
          version: '1.0.0',
          description: 'no case id',
          key: ['substance'],
          properties: [{ name: 'reaction', type: 'string', description: 'x' }],
        },
      ],
      properties: [
        { node: 'no_such_node', property: { name: 'x', type: 'string', description: 'x' } },
        { node: 'measurement', property: { name: 'test_name', type: 'string', description: 'x' } },
      ],
    };
    let error: unknown;
    try {
      loadDictionary(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DictionaryConfigError);
    expect((error as DictionaryConfigError).problems).toEqual([
      'nodes.0.node: node "case" exists already; add properties to it instead',
      'properties.0.node: no node "no_such_node" (the nodes: case, demographics, imaging_study, measurement, condition, medication, procedure, visit, vital_sign, covid19_vaccination, allergy)',
      'properties.1.property.name: node "measurement" has a property "test_name" already',
      'node "allergy": its first property must be case_id',
      'node "allergy": key "substance" names no property',
    ]);
    expect(() =>
      loadDictionary({ properties: [{ node: 'case', property: { name: 'birth_date', type: 'days', description: 'x' } }] }),
    ).toThrow(/properties\.0\.property\.name: names a date or an identifier/);
    expect(() => loadDictionary({ properties: [{ node: 'case', property: { name: 'grade', type: 'enum', description: 'x' } }] })).toThrow(
      /properties\.0\.property\.values: an enum needs its values/,
    );
    expect(() => loadDictionary({ nodez: [] })).toThrow(DictionaryConfigError);
  });
});

describe('the generated JSON Schema', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const samples: { node: string; record: Record<string, unknown>; valid: boolean }[] = [
    { node: 'demographics', record: { case_id: 'A', age_at_index: 47, sex: 'Female', race: 'Asian' }, valid: true },
    { node: 'demographics', record: { case_id: 'A', age_at_index: '90+' }, valid: true },
    { node: 'demographics', record: { case_id: 'A', age_at_index: 'old' }, valid: false },
    { node: 'demographics', record: { case_id: 'A', sex: 'Femme' }, valid: false },
    { node: 'demographics', record: { sex: 'Female' }, valid: false },
    { node: 'measurement', record: { case_id: 'A', test_name: 'D-dimer', days_to_test: -3, test_result_value: 0.7 }, valid: true },
    { node: 'measurement', record: { case_id: 'A', test_name: 'D-dimer', test_date: '2021-03-01', index_date: '2021-02-27' }, valid: true },
    { node: 'measurement', record: { case_id: 'A', test_name: 'D-dimer' }, valid: false },
    { node: 'measurement', record: { case_id: 'A', test_name: 'D-dimer', days_to_test: 1, unknown: 1 }, valid: false },
    { node: 'condition', record: { case_id: 'A', condition_code: 'U07.1' }, valid: true },
    { node: 'condition', record: { case_id: 'A', condition_code: '123' }, valid: false },
    { node: 'covid19_vaccination', record: { case_id: 'A', vaccine_dose: 0, days_to_vaccination: 1 }, valid: false },
    { node: 'covid19_vaccination', record: { case_id: 'A', vaccine_dose: 3, days_to_vaccination: 1, vaccine_cvx: '208' }, valid: true },
  ];
  it.each(samples)('$node $record is valid: $valid, by ajv and by the intake alike', ({ node, record, valid }) => {
    const def = BASE_DICTIONARY.node(node)!;
    const schema = nodeJsonSchema(def);
    const validate = ajv.getSchema(String(schema.$id)) ?? ajv.compile(schema);
    expect(validate(record)).toBe(valid);
    const intake = parseClinicalSheet({ node: def, text: JSON.stringify([record]), format: 'json', file: `${node}.json` });
    expect(intake.ok).toBe(valid);
  });
  it('compiles for every node', () => {
    for (const n of BASE_NODES)
      expect(() =>
        new Ajv2020({ strict: true, strictTypes: false, strictRequired: false, keywords: ['x-code-system'] }).compile(nodeJsonSchema(n)),
      ).not.toThrow();
  });
});

describe('a node across dictionaries (a cohort spanning projects with extensions)', () => {
  const extra = (name: string) => ({ name, type: 'number', description: `${name}.` });
  const a = loadDictionary({ properties: [{ node: 'measurement', property: extra('ct_value') }] });
  const b = loadDictionary({
    properties: [
      { node: 'measurement', property: extra('ct_value') },
      { node: 'measurement', property: extra('viral_load') },
    ],
    nodes: [{ node: 'smoking', version: '0.1.0', description: 'Tobacco.', key: [], properties: [CASE_ID, extra('pack_years')] }],
  });

  it("has every dictionary's added properties once, after the base ones, and an added node where one project adds it", () => {
    const names = mergedNode([BASE_DICTIONARY, a, b], 'measurement')!.properties.map((p) => p.name);
    const base = BASE_DICTIONARY.node('measurement')!.properties.map((p) => p.name);
    expect(names).toEqual([...base, 'ct_value', 'viral_load']);
    expect(mergedNode([BASE_DICTIONARY, b], 'smoking')!.properties.map((p) => p.name)).toEqual(['case_id', 'pack_years']);
    expect(mergedNode([BASE_DICTIONARY, a], 'smoking')).toBeUndefined();
  });
});
