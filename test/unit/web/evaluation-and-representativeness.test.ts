import { evaluationReport, evaluationSpec, type EvaluatedCase, type EvaluationReport } from '../../../layers/evaluation';
import { balanceReport, type CaseProfile } from '../../../layers/catalog/sequestration';
import { DEFAULT_EVALUATION_FORM, readStarted, specOf, withStarted } from '../../../web/src/lib/evaluation-form';
import {
  aucSentence,
  fairnessRows,
  reliabilityRows,
  rocPoints,
  subgroupBars,
  subgroupDescription,
  suppressedNote,
} from '../../../web/src/lib/evaluation-view';
import { formatSigned, linePath, spreadX, xOf, yOf, type PlotBox } from '../../../web/src/lib/plot';
import { balanceRows, dimensionName, pairedShares, trendOf } from '../../../web/src/lib/representativeness-view';

const BOX: PlotBox = { left: 40, top: 10, width: 200, height: 100 };

/** 34 cases: 20 F and 14 M (shown); 24 of one site, 5 + 5 of two small sites (hidden together); scores that separate the classes imperfectly. */
function report(): EvaluationReport {
  const cases: EvaluatedCase[] = [];
  for (let i = 0; i < 34; i++) {
    const label = i % 2 === 0;
    const score = Math.min(1, Math.max(0, (label ? 0.6 : 0.35) + ((i * 37) % 11) / 30 - 0.15));
    const site = i < 24 ? 'site-a' : i < 29 ? 'site-small-1' : 'site-small-2';
    cases.push({ score, label, attributes: { sex: i < 20 ? 'F' : 'M', site } });
  }
  const outcome = evaluationReport(cases, {
    thresholds: [0.5],
    minimumSubgroupSize: 10,
    calibrationBins: 10,
    bootstrapResamples: 200,
    bootstrapSeed: 1,
  });
  if (!outcome.ok) throw new Error(outcome.reason);
  return outcome.report;
}

describe('proportion chart geometry', () => {
  it('maps [0, 1] across and up the plot, clamping what a clipped interval leaves outside', () => {
    expect([xOf(BOX, 0), xOf(BOX, 0.5), xOf(BOX, 1), xOf(BOX, 1.2)]).toEqual([40, 140, 240, 240]);
    expect([yOf(BOX, 0), yOf(BOX, 1), yOf(BOX, -0.1)]).toEqual([110, 10, 110]);
  });

  it('draws a line through the points in order and spreads releases evenly', () => {
    expect(
      linePath(BOX, [
        { x: 0, y: 0 },
        { x: 0.25, y: 0.5 },
        { x: 1, y: 1 },
      ]),
    ).toBe('M40,110 L90,60 L240,10');
    expect(linePath(BOX, [])).toBe('');
    expect(spreadX(BOX, 3)).toEqual([40, 140, 240]);
    expect(spreadX(BOX, 1)).toEqual([140]);
  });

  it('writes differences with their sign and no sign on zero', () => {
    expect([formatSigned(0.05), formatSigned(-0.12), formatSigned(0), formatSigned(-0.0001), formatSigned(null)]).toEqual([
      '+0.050',
      '−0.120',
      '0.000',
      '0.000',
      '—',
    ]);
  });
});

describe('the evaluation report page', () => {
  const r = report();

  it('says the AUC with both 95% intervals and the case counts in one sentence', () => {
    const text = aucSentence(r);
    expect(text).toContain(`AUC ${r.auc.auc.toFixed(3)}`);
    expect(text).toContain(`DeLong 95% CI ${r.auc.lower.toFixed(3)} to ${r.auc.upper.toFixed(3)}`);
    expect(text).toContain(`bootstrap 95% CI ${r.bootstrap.lower.toFixed(3)} to ${r.bootstrap.upper.toFixed(3)}, 200 resamples`);
    expect(text).toContain('over 34 cases (17 positive, 17 negative)');
  });

  it('draws the ROC curve from the API points only (no thresholds exist to draw)', () => {
    expect(rocPoints(r)).toEqual(r.roc.map((p) => ({ x: p.fpr, y: p.tpr })));
    expect(Object.keys(r.roc[0]!).sort()).toEqual(['fpr', 'tpr']);
  });

  it('shows a bar with its interval per shown subgroup and hidden subgroups only as words', () => {
    const site = r.subgroups.find((t) => t.attribute === 'site')!;
    expect(site.suppressedSubgroups).toBe(2);
    expect(subgroupBars(site)).toEqual([
      expect.objectContaining({ kind: 'auc', label: 'site-a', cases: 24, auc: site.shown[0]!.auc!.auc, lower: site.shown[0]!.auc!.lower }),
    ]);
    const note = suppressedNote(site, r.minimumSubgroupSize)!;
    expect(note).toMatch(/^2 subgroups: suppressed \(fewer than 10 cases/);
    const description = subgroupDescription(site, r.minimumSubgroupSize);
    expect(description).not.toMatch(/site-small/);
    expect(
      suppressedNote(
        r.subgroups.find((t) => t.attribute === 'race')!,
        10,
      ),
    ).toBeUndefined();
  });

  it('names a subgroup of one class without an AUC and says why', () => {
    const table = {
      attribute: 'sex' as const,
      shown: [{ value: 'F', cases: 12, positives: 12, negatives: 0, auc: null, operatingPoints: [], expectedCalibrationError: null }],
      suppressedSubgroups: 0,
      reference: 'F',
      fairness: [],
    };
    expect(subgroupBars(table)).toEqual([{ kind: 'no-auc', label: 'F', cases: 12, why: 'no negative case' }]);
  });

  it('keeps only the count of a reliability bin below the minimum size', () => {
    const rows = reliabilityRows(
      {
        expectedCalibrationError: 0.1,
        bins: [
          { lower: 0, upper: 0.5, count: 3, meanScore: null, observedRate: null },
          { lower: 0.5, upper: 1, count: 12, meanScore: 0.7, observedRate: 0.75 },
          { lower: 1, upper: 1, count: 0, meanScore: null, observedRate: null },
        ],
      },
      10,
    );
    expect(rows.map((x) => [x.range, x.count, x.note])).toEqual([
      ['0.0 to 0.5', 3, 'fewer than 10 cases: count only'],
      ['0.5 to 1.0', 12, undefined],
      ['1.0 to 1.0', 0, 'empty'],
    ]);
  });

  it('lists the fairness measures per subgroup and threshold against the reference subgroup', () => {
    const sex = r.subgroups.find((t) => t.attribute === 'sex')!;
    expect(sex.reference).toBe('F');
    const rows = fairnessRows(sex);
    expect(rows).toEqual([expect.objectContaining({ subgroup: 'M', threshold: 0.5, aucDifference: sex.fairness[0]!.aucDifference })]);
  });
});

describe('the new-evaluation form', () => {
  const model = { bytes: 1234, sha256: 'a'.repeat(64) };

  it('builds a spec the API schema accepts', () => {
    const built = specOf({ ...DEFAULT_EVALUATION_FORM, project: 'covid-ct', operatingPoints: '0.3, 0.5 0.7' }, model);
    if (!('spec' in built)) throw new Error(built.problem);
    expect(evaluationSpec.parse(built.spec)).toEqual(built.spec);
    expect(built.spec.operatingPoints).toEqual([0.3, 0.5, 0.7]);
    const normalize = specOf({ ...DEFAULT_EVALUATION_FORM, project: 'p', preprocessing: 'normalize', first: '0', second: '1' }, model);
    expect('spec' in normalize && normalize.spec.preprocessing).toEqual({ kind: 'normalize', mean: 0, std: 1 });
  });

  it('says what is wrong instead of sending a bad spec', () => {
    expect(specOf({ ...DEFAULT_EVALUATION_FORM, project: '' }, model)).toHaveProperty('problem');
    expect(specOf({ ...DEFAULT_EVALUATION_FORM, project: 'p', width: '0' }, model)).toHaveProperty('problem');
    expect(specOf({ ...DEFAULT_EVALUATION_FORM, project: 'p', operatingPoints: 'half' }, model)).toHaveProperty('problem');
    expect(specOf({ ...DEFAULT_EVALUATION_FORM, project: 'p', modality: 'computed' }, model)).toHaveProperty('problem');
  });

  it('remembers started evaluations newest first without duplicates, and ignores unreadable storage', () => {
    const a = { evaluationId: 'a', project: 'p', createdAt: '2026-12-06T10:00:00Z' };
    const b = { evaluationId: 'b', project: 'p', createdAt: '2026-12-06T11:00:00Z' };
    expect(withStarted(withStarted([a], b), a).map((e) => e.evaluationId)).toEqual(['a', 'b']);
    expect(readStarted(JSON.stringify([a, { evaluationId: 3 }]))).toEqual([a]);
    expect(readStarted('{')).toEqual([]);
    expect(readStarted(null)).toEqual([]);
  });
});

describe('the representativeness page', () => {
  it("puts the cases' shares beside the reference's, in the reference's order", () => {
    expect(pairedShares({ Asian: 1, White: 3 }, { White: 60, Asian: 20, Other: 20 })).toEqual([
      { category: 'White', count: 3, share: 0.75, referenceShare: 0.6 },
      { category: 'Asian', count: 1, share: 0.25, referenceShare: 0.2 },
      { category: 'Other', count: 0, share: 0, referenceShare: 0.2 },
    ]);
    expect(pairedShares({}, { A: 1 })).toEqual([{ category: 'A', count: 0, share: 0, referenceShare: 1 }]);
  });

  it('orders a trend by release and keeps releases without a distance as gaps', () => {
    const trend = [
      { release: 2, cases: 5, distances: { race: 0.2 } },
      { release: 1, cases: 3, distances: { race: null } },
    ];
    expect(trendOf(trend, 'race')).toEqual([
      { release: 1, distance: null },
      { release: 2, distance: 0.2 },
    ]);
  });

  it('compares the open and sequestered sets per value, most cases first', () => {
    const profile = (caseId: string, sex: string): CaseProfile => ({
      caseId,
      project: 'p',
      site: 's',
      studyUids: [],
      attributes: { covid19: 'Yes', sex, ageBand: '50-64', race: 'White', ethnicity: 'unknown', modality: 'CT', site: 's' },
    });
    const cases = [profile('1', 'F'), profile('2', 'F'), profile('3', 'M'), profile('4', 'F')];
    const report = balanceReport(cases, [
      { caseId: '1', set: 'open', release: 1 },
      { caseId: '2', set: 'sequestered', release: 1 },
      { caseId: '3', set: 'open', release: 1 },
      { caseId: '4', set: 'open', release: 1 },
    ] as never);
    const sex = report.attributes.find((e) => e.attributes[0] === 'sex')!;
    expect(balanceRows(sex)).toEqual([
      { value: 'F', open: 2, sequestered: 1, openShare: 2 / 3, sequesteredShare: 1 },
      { value: 'M', open: 1, sequestered: 0, openShare: 1 / 3, sequesteredShare: 0 },
    ]);
  });

  it('names dimensions and intersections in words', () => {
    expect(['race|ethnicity', 'ageBand', 'covid19|sex', 'age'].map(dimensionName)).toEqual([
      'Race × ethnicity',
      'Age band',
      'COVID-19 × sex',
      'Age',
    ]);
  });
});
