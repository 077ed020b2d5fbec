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

  it('accepts a whole spec and refuses an oversized model, an unknown label or an extra field', () => {
    expect(evaluationSpec.safeParse(valid).success).toBe(true);
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
