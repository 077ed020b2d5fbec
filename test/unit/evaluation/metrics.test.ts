import {
  ageBin,
  aucWithDelongCi,
  bootstrapAucCi,
  calibration,
  evaluationReport,
  midranks,
  minimumSubgroupSizeOf,
  minimumSubgroupSizeProblem,
  operatingPoint,
  rocCurve,
  subgroupTable,
  suppressedValues,
  type EvaluatedCase,
  type ScoredCase,
} from '../../../layers/evaluation';

const scored = (positives: readonly number[], negatives: readonly number[]): ScoredCase[] => [
  ...positives.map((score) => ({ score, label: true })),
  ...negatives.map((score) => ({ score, label: false })),
];

/**
 * DeLong's structural components from their definition, comparing every positive with every
 * negative (O(mn)): an independent reference for the fast midrank algorithm.
 */
function delongByPairs(cases: readonly ScoredCase[]): { auc: number; variance: number } {
  const x = cases.filter((c) => c.label).map((c) => c.score);
  const y = cases.filter((c) => !c.label).map((c) => c.score);
  const psi = (a: number, b: number): number => (a > b ? 1 : a === b ? 0.5 : 0);
  const v10 = x.map((a) => y.reduce((s, b) => s + psi(a, b), 0) / y.length);
  const v01 = y.map((b) => x.reduce((s, a) => s + psi(a, b), 0) / x.length);
  const auc = v10.reduce((s, v) => s + v, 0) / x.length;
  const s10 = v10.reduce((s, v) => s + (v - auc) ** 2, 0) / (x.length - 1);
  const s01 = v01.reduce((s, v) => s + (v - auc) ** 2, 0) / (y.length - 1);
  return { auc, variance: s10 / x.length + s01 / y.length };
}

/** Hanley & McNeil (1982), Table 1: 109 CT images rated 1 (definitely normal) to 5 (definitely abnormal). */
function hanleyMcNeilRatings(): ScoredCase[] {
  const normal = [33, 6, 6, 11, 2];
  const abnormal = [3, 2, 2, 11, 33];
  const expand = (counts: number[], label: boolean): ScoredCase[] =>
    counts.flatMap((n, i) => Array.from({ length: n }, () => ({ score: i + 1, label })));
  return [...expand(abnormal, true), ...expand(normal, false)];
}

describe('midranks', () => {
  it('gives tied values the mean of the ranks they span', () => {
    expect(midranks([3, 1, 3, 2, 3])).toEqual([4, 1, 4, 2, 4]);
  });
});

describe('ROC AUC and the DeLong CI', () => {
  it('equals the hand-computed Mann-Whitney AUC and DeLong variance on a tiny set with a tie', () => {
    // Positives 0.9, 0.8, 0.4; negatives 0.7, 0.4, 0.2. Pairs won: 3 + 3 + 1.5 (0.4 ties 0.4) = 7.5 of 9.
    // V10 = [1, 1, 0.5], S10 = 1/12; V01 = [2/3, 5/6, 1], S01 = 1/36; var = S10/3 + S01/3 = 1/27.
    const result = aucWithDelongCi(scored([0.9, 0.8, 0.4], [0.7, 0.4, 0.2]))!;
    expect(result.auc).toBeCloseTo(7.5 / 9, 12);
    expect(result.standardError).toBeCloseTo(Math.sqrt(1 / 27), 12);
    expect(result.lower).toBeCloseTo(7.5 / 9 - 1.959963984540054 * Math.sqrt(1 / 27), 12);
    expect(result.upper).toBe(1); // clipped
  });

  it("reproduces Hanley & McNeil's 1982 rating example: W = 2642 / 2958 (0.893 in the paper)", () => {
    // By hand: each abnormal rating k wins against normals rated below k and half of those rated k:
    // 3*(33/2) + 2*(33+6/2) + 2*(39+6/2) + 11*(45+11/2) + 33*(56+2/2) = 2642 of 51*58 = 2958 pairs.
    const result = aucWithDelongCi(hanleyMcNeilRatings())!;
    expect(result.auc).toBeCloseTo(2642 / 2958, 12);
    expect(result.auc.toFixed(3)).toBe('0.893');
  });

  it('gives the same variance as the pairwise definition of the structural components, ties included', () => {
    const cases = hanleyMcNeilRatings();
    const reference = delongByPairs(cases);
    expect(aucWithDelongCi(cases)!.standardError).toBeCloseTo(Math.sqrt(reference.variance), 12);
  });

  it('is undefined without positives or without negatives', () => {
    expect(aucWithDelongCi(scored([0.2, 0.4], []))).toBeNull();
    expect(aucWithDelongCi(scored([], [0.2]))).toBeNull();
  });

  it('draws the ROC curve one point per distinct score, without thresholds', () => {
    expect(rocCurve(scored([0.9, 0.4], [0.4, 0.1]))).toEqual([
      { fpr: 0, tpr: 0 },
      { fpr: 0, tpr: 0.5 },
      { fpr: 0.5, tpr: 1 },
      { fpr: 1, tpr: 1 },
    ]);
  });
});

describe('bootstrap CI of the AUC', () => {
  const cases = hanleyMcNeilRatings();

  it('is the same for the same seed and differs for another seed', () => {
    const first = bootstrapAucCi(cases, { resamples: 200, seed: 7 });
    expect(bootstrapAucCi(cases, { resamples: 200, seed: 7 })).toEqual(first);
    expect(bootstrapAucCi(cases, { resamples: 200, seed: 8 })).not.toEqual(first);
  });

  it('brackets the AUC with about the width of the DeLong interval', () => {
    const ci = bootstrapAucCi(cases, { resamples: 1000, seed: 1 })!;
    const delong = aucWithDelongCi(cases)!;
    expect(ci.lower).toBeLessThan(delong.auc);
    expect(ci.upper).toBeGreaterThan(delong.auc);
    const width = ci.upper - ci.lower;
    expect(width / (2 * 1.96 * delong.standardError)).toBeGreaterThan(0.8);
    expect(width / (2 * 1.96 * delong.standardError)).toBeLessThan(1.2);
  });
});

describe('operating points', () => {
  it('calls scores at or above the threshold positive', () => {
    // Positives 0.9, 0.5, 0.2 -> 2 of 3 at >= 0.5; negatives 0.6, 0.4, 0.1, 0.0 -> 3 of 4 below.
    expect(operatingPoint(scored([0.9, 0.5, 0.2], [0.6, 0.4, 0.1, 0]), 0.5)).toEqual({
      threshold: 0.5,
      sensitivity: 2 / 3,
      specificity: 3 / 4,
    });
  });
});

describe('calibration', () => {
  it('computes the expected calibration error over equal-width bins', () => {
    // Bin [0,0.1): 0.05, rate 0 -> 0.05; bin [0.1,0.2): 0.15, 0.15, rate 1/2 -> 0.35; bin [0.9,1]: 0.95, rate 1 -> 0.05.
    // ECE = (1*0.05 + 2*0.35 + 1*0.05) / 4 = 0.2.
    const result = calibration(scored([0.15, 0.95], [0.05, 0.15]), { bins: 10, minimumBinSize: 1 })!;
    expect(result.expectedCalibrationError).toBeCloseTo(0.2, 12);
    expect(result.bins[1]).toEqual({ lower: 0.1, upper: 0.2, count: 2, meanScore: 0.15, observedRate: 0.5 });
    expect(result.bins[9]!.count).toBe(1);
  });

  it("hides a bin's means below the minimum size but keeps its count", () => {
    const result = calibration(scored([0.15, 0.95], [0.05, 0.15]), { bins: 10, minimumBinSize: 2 })!;
    expect(result.bins[9]).toMatchObject({ count: 1, meanScore: null, observedRate: null });
    expect(result.bins[1]!.meanScore).toBeCloseTo(0.15, 12);
  });

  it('is not computed when a score is not a probability', () => {
    expect(calibration(scored([1.5], [0.2]), { bins: 10, minimumBinSize: 1 })).toBeNull();
  });
});

describe('subgroup suppression', () => {
  it('hides nothing when every subgroup reaches the minimum', () => {
    expect([
      ...suppressedValues(
        new Map([
          ['a', 10],
          ['b', 12],
        ]),
        10,
      ),
    ]).toEqual([]);
  });

  it('hides the next smallest subgroup too when only one is below the minimum (no subtraction)', () => {
    expect(
      [
        ...suppressedValues(
          new Map([
            ['a', 30],
            ['b', 12],
            ['c', 3],
          ]),
          10,
        ),
      ].sort(),
    ).toEqual(['b', 'c']);
  });

  it('hides more until the hidden subgroups hold at least the minimum together', () => {
    // c and d are small (3 + 4 = 7 < 10): b (12) is hidden as well.
    expect(
      [
        ...suppressedValues(
          new Map([
            ['a', 30],
            ['b', 12],
            ['c', 3],
            ['d', 4],
          ]),
          10,
        ),
      ].sort(),
    ).toEqual(['b', 'c', 'd']);
    // e and f are small but hold 11 together: nothing more is hidden.
    expect(
      [
        ...suppressedValues(
          new Map([
            ['a', 30],
            ['e', 5],
            ['f', 6],
          ]),
          10,
        ),
      ].sort(),
    ).toEqual(['e', 'f']);
  });
});

describe('subgroup table and fairness', () => {
  const member = (sex: string | undefined, score: number, label: boolean): EvaluatedCase => ({
    score,
    label,
    attributes: sex === undefined ? {} : { sex },
  });
  // F (6 cases): positives 0.9, 0.8, 0.3; negatives 0.6, 0.2, 0.1. AUC 8/9. At 0.5: TPR 2/3, FPR 1/3.
  // M (4 cases): positives 0.7, 0.6; negatives 0.65, 0.2. AUC 3/4. At 0.5: TPR 1, FPR 1/2.
  const cases = [
    member('F', 0.9, true),
    member('F', 0.8, true),
    member('F', 0.3, true),
    member('F', 0.6, false),
    member('F', 0.2, false),
    member('F', 0.1, false),
    member('M', 0.7, true),
    member('M', 0.6, true),
    member('M', 0.65, false),
    member('M', 0.2, false),
  ];

  it('compares each subgroup with the largest: AUC difference, equal opportunity and average absolute odds', () => {
    const table = subgroupTable('sex', cases, { minimumSize: 4, thresholds: [0.5], calibrationBins: 10 });
    expect(table.reference).toBe('F');
    expect(table.shown.map((g) => [g.value, g.cases])).toEqual([
      ['F', 6],
      ['M', 4],
    ]);
    expect(table.shown[0]!.auc!.auc).toBeCloseTo(8 / 9, 12);
    const [male] = table.fairness;
    expect(male!.value).toBe('M');
    expect(male!.aucDifference).toBeCloseTo(3 / 4 - 8 / 9, 12);
    expect(male!.atOperatingPoints[0]!.equalOpportunityDifference).toBeCloseTo(1 - 2 / 3, 12);
    // (|1/2 - 1/3| + |1 - 2/3|) / 2 = (1/6 + 1/3) / 2 = 1/4.
    expect(male!.atOperatingPoints[0]!.averageAbsoluteOddsDifference).toBeCloseTo(1 / 4, 12);
  });

  it('counts cases without the attribute as the subgroup unknown, and suppresses it like any other', () => {
    const withUnknown = [...cases, member(undefined, 0.5, true)];
    const table = subgroupTable('sex', withUnknown, { minimumSize: 4, thresholds: [0.5], calibrationBins: 10 });
    // unknown (1 case) is below 4: M (4) is hidden with it, so the pair holds 5 >= 4.
    expect(table.shown.map((g) => g.value)).toEqual(['F']);
    expect(table.suppressedSubgroups).toBe(2);
    expect(JSON.stringify(table)).not.toContain('unknown');
  });
});

describe('age bins', () => {
  it('bins whole years and the dictionary\'s "90+"', () => {
    expect([ageBin(5), ageBin('18'), ageBin(64), ageBin(65), ageBin('90+'), ageBin(undefined), ageBin('x')]).toEqual([
      '0-17',
      '18-39',
      '40-64',
      '65-79',
      '80+',
      undefined,
      undefined,
    ]);
  });
});

describe('evaluation report', () => {
  const options = { thresholds: [0.5], minimumSubgroupSize: 4, calibrationBins: 10, bootstrapResamples: 50, bootstrapSeed: 1 };

  it('refuses a set smaller than the minimum subgroup size', () => {
    const outcome = evaluationReport([{ score: 0.3, label: true, attributes: {} }], options);
    expect(outcome).toEqual({ ok: false, reason: 'the evaluation set holds fewer cases than the minimum subgroup size' });
  });

  it('refuses a set without negatives', () => {
    const all = Array.from({ length: 5 }, (_, i) => ({ score: i / 10, label: true, attributes: {} }));
    expect(evaluationReport(all, options).ok).toBe(false);
  });

  it('holds no case score: the report of distinct scores names none of them', () => {
    const odd = [0.123457, 0.234568, 0.345679, 0.456781, 0.567891, 0.678912];
    const cases = odd.map((score, i) => ({ score, label: i % 2 === 0, attributes: { site: 'A' } }));
    const outcome = evaluationReport(cases, options);
    expect(outcome.ok).toBe(true);
    const text = JSON.stringify(outcome);
    for (const score of odd) expect(text).not.toContain(String(score).slice(2));
  });
});

describe("a project's minimum subgroup size", () => {
  it('is the setting when it is a whole number from 5 to 1000, else the default of 10', () => {
    expect(minimumSubgroupSizeOf(undefined)).toBe(10);
    expect(minimumSubgroupSizeOf({ evaluationMinimumSubgroupSize: 6 })).toBe(6);
    expect(minimumSubgroupSizeOf({ evaluationMinimumSubgroupSize: '25' })).toBe(25);
    for (const value of [4, 0, -10, 5.5, 'five', true, 1001]) {
      expect(minimumSubgroupSizeOf({ evaluationMinimumSubgroupSize: value })).toBe(10);
      expect(minimumSubgroupSizeProblem({ evaluationMinimumSubgroupSize: value })).toBe(
        'evaluationMinimumSubgroupSize must be a whole number from 5 to 1000',
      );
    }
    expect(minimumSubgroupSizeProblem({ evaluationMinimumSubgroupSize: 5 })).toBeNull();
    expect(minimumSubgroupSizeProblem({ sequestrationShare: 0.2 })).toBeNull();
  });

  it("drives the report's primary and secondary suppression and its reliability bins", () => {
    // Site A 8 cases, B 6, C 5: the default (10) hides all three; 6 hides C (5) and, so that C
    // is not the only one hidden, B too; 5 shows all three.
    const sites = [...Array(8).fill('A'), ...Array(6).fill('B'), ...Array(5).fill('C')] as string[];
    const cases: EvaluatedCase[] = sites.map((site, i) => ({
      score: (i % 2 === 0 ? 0.7 : 0.2) + (i % 3) * 0.02,
      label: i % 3 !== 1,
      attributes: { site },
    }));
    const siteTable = (settings: Record<string, number> | undefined) => {
      const outcome = evaluationReport(cases, {
        thresholds: [0.5],
        minimumSubgroupSize: minimumSubgroupSizeOf(settings),
        calibrationBins: 10,
        bootstrapResamples: 20,
        bootstrapSeed: 1,
      });
      if (!outcome.ok) throw new Error(outcome.reason);
      return { report: outcome.report, table: outcome.report.subgroups.find((t) => t.attribute === 'site')! };
    };
    const byDefault = siteTable(undefined);
    expect(byDefault.table.shown).toEqual([]);
    expect(byDefault.table.suppressedSubgroups).toBe(3);
    expect(byDefault.report.minimumSubgroupSize).toBe(10);
    const six = siteTable({ evaluationMinimumSubgroupSize: 6 });
    expect(six.table.shown.map((g) => g.value)).toEqual(['A']);
    expect(six.table.suppressedSubgroups).toBe(2);
    const five = siteTable({ evaluationMinimumSubgroupSize: 5 });
    expect(five.table.shown.map((g) => [g.value, g.cases])).toEqual([
      ['A', 8],
      ['B', 6],
      ['C', 5],
    ]);
    expect(five.report.minimumSubgroupSize).toBe(5);
    // Reliability bins: 9 cases score about 0.2, 10 about 0.7; a bin below the minimum keeps its count only.
    const shownBins = (report: typeof five.report) =>
      report.calibration!.bins.filter((bin) => bin.meanScore !== null).map((bin) => bin.count);
    expect(shownBins(byDefault.report)).toEqual([10]);
    expect(shownBins(five.report)).toEqual([9, 10]);
  });
});
