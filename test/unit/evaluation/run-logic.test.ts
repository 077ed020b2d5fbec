import {
  caseLabel,
  chooseInstance,
  evaluationCase,
  evaluationQuotaOf,
  evaluationSpec,
  freeQuotaSlot,
  quotaPeriodStart,
  quotaRefusal,
  windowed,
  type CandidateInstance,
} from '../../../layers/evaluation';
import { caseProfiles, projectLedger, sequesteredCasesOf, type CaseStudyRow } from '../../../layers/catalog/sequestration';
import { loadDictionary, type ClinicalRecord } from '../../../layers/clinical';
import { caseLabelValues, loadCaseLabel } from '../../../layers/clinical/case-label';

const instance = (series: string, n: number, modality = 'CT'): CandidateInstance => ({
  studyUid: '2.25.1',
  seriesUid: series,
  sopUid: `${series}.${n}`,
  objectKey: `studies/2.25.1/${series}/${series}.${n}.dcm`,
  modality,
  instanceNumber: n,
});

describe('which image of a case the model sees', () => {
  const instances = [
    instance('2.25.9', 1),
    instance('2.25.5', 3),
    instance('2.25.5', 1),
    instance('2.25.5', 2),
    instance('2.25.4', 1, 'DX'),
  ];

  it('takes the first series of the modality and its first or middle instance by Instance Number', () => {
    expect(chooseInstance(instances, { modality: 'CT', instance: 'first' })?.sopUid).toBe('2.25.5.1');
    expect(chooseInstance(instances, { modality: 'CT', instance: 'middle' })?.sopUid).toBe('2.25.5.2');
    expect(chooseInstance(instances, { modality: 'DX', instance: 'middle' })?.sopUid).toBe('2.25.4.1');
    expect(chooseInstance(instances, { modality: 'MR', instance: 'first' })).toBeUndefined();
  });
});

describe("a case's label and subgroups", () => {
  const record = { caseId: 'c1', site: 'site-a', attributes: { covid19: 'Yes', sex: 'Female', ageBand: '40-49', race: 'unknown' } };

  it('is positive when the attribute is the declared value, absent when unknown', () => {
    expect(caseLabel(record, { label: 'covid19', positive: 'Yes' })).toBe(true);
    expect(caseLabel({ ...record, attributes: { covid19: 'No' } }, { label: 'covid19', positive: 'Yes' })).toBe(false);
    expect(caseLabel({ ...record, attributes: { covid19: 'unknown' } }, { label: 'covid19', positive: 'Yes' })).toBeUndefined();
  });

  it('keeps known attributes only, with the site and the image manufacturer', () => {
    expect(evaluationCase(3, record, { ...instance('2.25.5', 1), manufacturer: 'ACME' }, true)).toEqual({
      caseIndex: 3,
      objectKey: 'studies/2.25.1/2.25.5/2.25.5.1.dcm',
      label: true,
      attributes: { sex: 'Female', ageBin: '40-49', site: 'site-a', manufacturer: 'ACME' },
    });
  });
});

describe("a task on the project's own label", () => {
  it("labels each sequestered case from the project's clinical records, through the release's ledger", () => {
    const dictionary = loadDictionary();
    const label = loadCaseLabel({ name: 'pneumonia', node: 'condition', property: 'condition_code', positive: ['J18'] }, dictionary);
    const condition = (casePseudonym: string, code: string): ClinicalRecord => ({
      project: 'p',
      node: 'condition',
      casePseudonym,
      recordId: `${casePseudonym}-${code}`,
      site: 'site-a',
      submissionId: 's1',
      values: { condition_code: code },
      updatedAt: '2026-12-01T00:00:00Z',
    });
    const valueOf = caseLabelValues(label, dictionary, [condition('k1', 'J18.9'), condition('k2', 'I10'), condition('k3', 'J18.0')]);
    const row = (i: number, casePseudonym?: string): CaseStudyRow => ({
      row: {
        studyUid: `2.25.${i}`,
        project: 'p',
        site: 'site-a',
        modalities: ['CT'],
        bodyParts: [],
        manufacturers: [],
        viewPositions: [],
        sliceThicknessBands: [],
        covid19: 'No',
        publishedAt: '2026-12-01T00:00:00Z',
      },
      ...(casePseudonym ? { casePseudonym } : {}),
    });
    const profiles = caseProfiles('p', [row(1, 'k1'), row(2, 'k2'), row(3, 'k3'), row(4, 'k4'), row(5)], { name: label.name, valueOf });
    // A share of 1 sequesters every case: the ledger is what the evaluation reads.
    const ledger = { release: 1, projects: [projectLedger('p', 1, 1, profiles, undefined, label.name)] };
    const task = { label: 'pneumonia', positive: 'Yes' };
    const labels = Object.fromEntries(sequesteredCasesOf(ledger, 'p').map((c) => [c.caseId, caseLabel(c, task)]));
    expect(labels).toEqual({ k1: true, k2: false, k3: true, k4: undefined, 'study:2.25.5': undefined });
    // The COVID-19 task still reads the case's COVID-19 status from the same ledger.
    expect(sequesteredCasesOf(ledger, 'p').map((c) => caseLabel(c, { label: 'covid19', positive: 'Yes' }))).toEqual(Array(5).fill(false));
  });
});

describe('the quota', () => {
  it('defaults to 3 per 30 days and reads the project settings', () => {
    expect(evaluationQuotaOf(undefined)).toEqual({ evaluations: 3, days: 30 });
    expect(evaluationQuotaOf({ evaluationQuota: 2, evaluationQuotaDays: '7' })).toEqual({ evaluations: 2, days: 7 });
    expect(evaluationQuotaOf({ evaluationQuota: 0, evaluationQuotaDays: true })).toEqual({ evaluations: 3, days: 30 });
  });

  it('allows evaluations below the quota and refuses the one that reaches past it', () => {
    const quota = { evaluations: 2, days: 7 };
    expect(quotaRefusal(1, quota)).toBeNull();
    expect(quotaRefusal(2, quota)).toMatch(/^evaluation quota reached: 2 evaluations per 7 days/);
    expect(quotaPeriodStart(new Date('2026-12-08T00:00:00Z'), quota)).toBe('2026-12-01T00:00:00.000Z');
  });

  it('offers a slot again once its claim is older than the period, and the lowest free one first', () => {
    const quota = { evaluations: 2, days: 7 };
    const claims = [
      { slot: 0, claimedAt: '2026-12-01T00:00:00.000Z' },
      { slot: 1, claimedAt: '2026-12-03T00:00:00.000Z' },
    ];
    expect(freeQuotaSlot(claims, quota, new Date('2026-12-08T00:00:00.000Z'))).toBeUndefined();
    expect(freeQuotaSlot(claims, quota, new Date('2026-12-08T00:00:00.001Z'))).toBe(0);
    expect(freeQuotaSlot(claims, quota, new Date('2026-12-10T00:00:00.001Z'))).toBe(0);
    expect(freeQuotaSlot(claims.slice(1), quota, new Date('2026-12-04T00:00:00.000Z'))).toBe(0);
    expect(freeQuotaSlot(claims.slice(0, 1), quota, new Date('2026-12-04T00:00:00.000Z'))).toBe(1);
  });

  it('offers no slot beyond a quota lowered since it was claimed', () => {
    const claims = [
      { slot: 1, claimedAt: '2026-11-01T00:00:00.000Z' },
      { slot: 0, claimedAt: '2026-12-05T00:00:00.000Z' },
    ];
    expect(freeQuotaSlot(claims, { evaluations: 1, days: 30 }, new Date('2026-12-08T00:00:00.000Z'))).toBeUndefined();
  });
});

describe('the declared spec', () => {
  const valid = {
    project: 'p',
    model: { bytes: 10, sha256: 'a'.repeat(64) },
    input: { width: 8, height: 8 },
    preprocessing: { kind: 'window', center: 40, width: 400 },
    series: { modality: 'CT', instance: 'middle' },
    task: { label: 'covid19', positive: 'Yes' },
    operatingPoints: [0.5],
  };

  it('accepts a whole spec and refuses an oversized model, a subgroup attribute as label or an extra field', () => {
    expect(evaluationSpec.safeParse(valid).success).toBe(true);
    expect(evaluationSpec.safeParse({ ...valid, task: { label: 'pneumonia', positive: 'Yes' } }).success).toBe(true);
    expect(evaluationSpec.safeParse({ ...valid, task: { label: 'Pneumonia!', positive: 'Yes' } }).success).toBe(false);
    expect(evaluationSpec.safeParse({ ...valid, model: { ...valid.model, bytes: 201 * 1024 * 1024 } }).success).toBe(false);
    expect(evaluationSpec.safeParse({ ...valid, task: { label: 'sex', positive: 'Female' } }).success).toBe(false);
    expect(evaluationSpec.safeParse({ ...valid, caseIds: ['c1'] }).success).toBe(false);
  });
});

describe('the linear VOI window (PS3.3 C.11.2.1.2.1)', () => {
  it('maps center - 0.5 to the middle and clips outside the width', () => {
    expect(windowed(39.5, 40, 401)).toBe(0.5);
    expect(windowed(-1000, 40, 400)).toBe(0);
    expect(windowed(1000, 40, 400)).toBe(1);
  });
});
