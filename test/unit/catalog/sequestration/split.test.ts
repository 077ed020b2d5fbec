import {
  assignCases,
  balanceReport,
  BALANCED_ATTRIBUTES,
  BALANCED_PAIRS,
  projectLedger,
  sequestrationShareOf,
  type CaseAssignment,
  type CaseProfile,
} from '../../../../layers/catalog/sequestration';

/** A seeded generator (mulberry32): the synthetic cohorts are the same on every run. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, weighted: readonly (readonly [T, number])[]): T {
  const total = weighted.reduce((s, [, w]) => s + w, 0);
  let r = random() * total;
  for (const [value, w] of weighted) {
    r -= w;
    if (r < 0) return value;
  }
  return weighted[weighted.length - 1]![0];
}

/** A synthetic cohort: skewed, correlated attributes over three sites of unequal size. */
function cohort(size: number, seed: number, firstId = 0): CaseProfile[] {
  const random = generator(seed);
  return Array.from({ length: size }, (_, i) => {
    const site = pick(random, [
      ['site-a', 6],
      ['site-b', 3],
      ['site-c', 1],
    ]);
    const covid19 = pick(random, [
      ['Yes', site === 'site-a' ? 4 : 2],
      ['No', 5],
      ['unknown', 1],
    ]);
    const caseId = `case-${String(firstId + i).padStart(5, '0')}`;
    return {
      caseId,
      project: 'p',
      site,
      studyUids: [`2.25.${firstId + i}.1`, `2.25.${firstId + i}.2`],
      attributes: {
        covid19,
        sex: pick(random, [
          ['Female', 5],
          ['Male', 5],
          ['unknown', 0.3],
        ]),
        ageBand: pick(random, [
          ['18-29', 1],
          ['30-39', 1.5],
          ['40-49', 2],
          ['50-64', 3],
          ['65-74', covid19 === 'Yes' ? 3 : 1.5],
          ['75-84', 1],
          ['85+', 0.4],
        ]),
        race: pick(random, [
          ['White', 6],
          ['Black or African American', 2],
          ['Asian', 1],
          ['American Indian or Alaska Native', 0.2],
          ['Other', 0.5],
          ['unknown', 0.5],
        ]),
        ethnicity: pick(random, [
          ['Hispanic or Latino', 2],
          ['Not Hispanic or Latino', 7],
          ['unknown', 1],
        ]),
        modality: pick(random, [
          ['CR', 4],
          ['DX', 3],
          ['CT', 2],
          ['CR+CT', 0.5],
        ]),
        site,
      },
    };
  });
}

const sequestered = (assignments: readonly CaseAssignment[]) => assignments.filter((a) => a.set === 'sequestered');

/**
 * The stated tolerance (docs/sequestration.md): on a cohort of 2000 cases split 80/20, the
 * Jensen-Shannon distance between the open and sequestered sets is at most 0.05 on every
 * attribute and at most 0.15 on every pair of attributes.
 */
const ATTRIBUTE_TOLERANCE = 0.05;
const PAIR_TOLERANCE = 0.15;

describe('the stratified split', () => {
  const cases = cohort(2000, 20);
  const assignments = assignCases({ project: 'p', release: 1, share: 0.2, cases, earlier: new Map() });

  it('sequesters the share of every site exactly (to one case), and of the whole', () => {
    expect(sequestered(assignments).length).toBeGreaterThanOrEqual(399);
    expect(sequestered(assignments).length).toBeLessThanOrEqual(401);
    const siteOf = new Map(cases.map((c) => [c.caseId, c.site]));
    for (const site of ['site-a', 'site-b', 'site-c']) {
      const n = cases.filter((c) => c.site === site).length;
      const s = sequestered(assignments).filter((a) => siteOf.get(a.caseId) === site).length;
      expect(Math.abs(s - 0.2 * n)).toBeLessThanOrEqual(1);
    }
  });

  it('balances every attribute and every pair within the stated tolerance', () => {
    const report = balanceReport(cases, assignments);
    expect(report.attributes.map((e) => e.attributes[0])).toEqual([...BALANCED_ATTRIBUTES]);
    expect(report.pairs).toHaveLength(BALANCED_PAIRS.length);
    expect(BALANCED_PAIRS).toHaveLength(21);
    for (const entry of report.attributes)
      expect({ [entry.attributes.join()]: entry.jsDistance! <= ATTRIBUTE_TOLERANCE }).toEqual({ [entry.attributes.join()]: true });
    for (const entry of report.pairs)
      expect({ [entry.attributes.join()]: entry.jsDistance! <= PAIR_TOLERANCE }).toEqual({ [entry.attributes.join()]: true });
  });

  it('balances better than a simple random draw of the same size on the attributes it sorts by first', () => {
    const random = generator(7);
    const draw = cases.map((c): CaseAssignment => ({ caseId: c.caseId, set: random() < 0.2 ? 'sequestered' : 'open', release: 1 }));
    const ours = balanceReport(cases, assignments);
    const theirs = balanceReport(cases, draw);
    for (const attribute of ['site', 'covid19', 'sex'] as const) {
      const of = (r: typeof ours) => r.attributes.find((e) => e.attributes[0] === attribute)!.jsDistance!;
      expect(of(ours)).toBeLessThan(of(theirs));
    }
  });

  it('is deterministic, and seeded by the project and the release', () => {
    expect(assignCases({ project: 'p', release: 1, share: 0.2, cases: [...cases].reverse(), earlier: new Map() })).toEqual(assignments);
    const other = assignCases({ project: 'p', release: 2, share: 0.2, cases, earlier: new Map() });
    expect(other).not.toEqual(assignments);
    const otherProject = assignCases({ project: 'q', release: 1, share: 0.2, cases, earlier: new Map() });
    expect(otherProject).not.toEqual(assignments);
  });

  it('keeps every earlier assignment at the next release and draws the share of the new cases only', () => {
    const first = projectLedger('p', 1, 0.2, cases, undefined);
    const added = cohort(500, 21, 2000);
    // A case of release 1 comes back with a new study: it keeps its set and takes the study with it.
    const grown = cases.map((c, i) => (i === 0 ? { ...c, studyUids: [...c.studyUids, '2.25.0.3'] } : c));
    const second = projectLedger('p', 2, 0.2, [...grown, ...added], first);
    const before = new Map(first.cases.map((c) => [c.caseId, c]));
    for (const c of second.cases) {
      const earlier = before.get(c.caseId);
      if (earlier) expect({ id: c.caseId, set: c.set, release: c.release }).toEqual({ id: c.caseId, set: earlier.set, release: 1 });
      else expect(c.release).toBe(2);
    }
    expect(second.cases.find((c) => c.caseId === cases[0]!.caseId)!.studyUids).toContain('2.25.0.3');
    const newSequestered = second.cases.filter((c) => c.release === 2 && c.set === 'sequestered').length;
    expect(Math.abs(newSequestered - 100)).toBeLessThanOrEqual(1);
    // A project that stops sequestering keeps what it sequestered.
    const third = projectLedger('p', 3, undefined, second.cases, second);
    expect(third.cases.filter((c) => c.set === 'sequestered').length).toBe(second.cases.filter((c) => c.set === 'sequestered').length);
  });

  it('splits strata too small to split by the carried fraction: ten one-case strata give two sequestered cases', () => {
    const singletons = cohort(10, 3).map((c, i) => ({
      ...c,
      site: 'site-a',
      attributes: { ...c.attributes, site: 'site-a', race: `r${i}` },
    }));
    for (let release = 1; release <= 20; release += 1) {
      const drawn = assignCases({ project: 'p', release, share: 0.2, cases: singletons, earlier: new Map() });
      expect(sequestered(drawn)).toHaveLength(2);
    }
  });

  it('refuses a share outside 0..1', () => {
    expect(() => assignCases({ project: 'p', release: 1, share: 1.5, cases, earlier: new Map() })).toThrow(RangeError);
  });
});

describe('a project turns sequestration on in its settings', () => {
  it('with a share, or the default 20% when the setting is true', () => {
    expect(sequestrationShareOf({ settings: { sequestrationShare: 0.25 } })).toBe(0.25);
    expect(sequestrationShareOf({ settings: { sequestrationShare: true } })).toBe(0.2);
    expect(sequestrationShareOf({ settings: {} })).toBeUndefined();
    expect(sequestrationShareOf(undefined)).toBeUndefined();
  });

  it('without it, every case is open and no balance is reported', () => {
    const ledger = projectLedger('p', 1, undefined, cohort(50, 5), undefined);
    expect(ledger.cases.every((c) => c.set === 'open')).toBe(true);
    expect(ledger.balance).toBeUndefined();
  });
});

describe("a project's own label stratifies the split instead of COVID-19 status", () => {
  // The label (a pneumonia diagnosis, say) is independent of the attributes sorted on, so only
  // sorting on it makes each site's positives a run that gives floor or ceil of its share.
  const labelRandom = generator(99);
  const cases = cohort(2000, 20).map((c) => ({
    ...c,
    attributes: { ...c.attributes, pneumonia: labelRandom() < 0.13 ? 'Yes' : labelRandom() < 0.9 ? 'No' : 'unknown' },
  }));
  /** Per site and label value, how far the sequestered count is from share x size. */
  const worstDeviation = (assignments: readonly CaseAssignment[]): number => {
    const setOf = new Map(assignments.map((a) => [a.caseId, a.set]));
    let worst = 0;
    for (const site of ['site-a', 'site-b', 'site-c'])
      for (const value of ['Yes', 'No', 'unknown']) {
        const stratum = cases.filter((c) => c.site === site && c.attributes.pneumonia === value);
        const held = stratum.filter((c) => setOf.get(c.caseId) === 'sequestered').length;
        worst = Math.max(worst, Math.abs(held - 0.2 * stratum.length));
      }
    return worst;
  };

  it("gives every site's positives and negatives their share to one case, which sorting on COVID-19 status does not", () => {
    const byLabel = assignCases({ project: 'p', release: 1, share: 0.2, cases, earlier: new Map(), stratifyBy: 'pneumonia' });
    const byCovid = assignCases({ project: 'p', release: 1, share: 0.2, cases, earlier: new Map() });
    expect(worstDeviation(byLabel)).toBeLessThanOrEqual(1);
    expect(worstDeviation(byCovid)).toBeGreaterThan(1);
  });

  it('records the label on the ledger and reports its balance after the balanced attributes', () => {
    const ledger = projectLedger('p', 1, 0.2, cases, undefined, 'pneumonia');
    expect(ledger.label).toBe('pneumonia');
    const report = ledger.balance!;
    expect(report.attributes.map((e) => e.attributes.join())).toEqual([...BALANCED_ATTRIBUTES, 'pneumonia']);
    expect(report.pairs).toHaveLength(BALANCED_PAIRS.length + BALANCED_ATTRIBUTES.length);
    expect(report.pairs.slice(-1)[0]!.attributes).toEqual(['site', 'pneumonia']);
    const entry = report.attributes.find((e) => e.attributes[0] === 'pneumonia')!;
    expect(entry.jsDistance!).toBeLessThanOrEqual(ATTRIBUTE_TOLERANCE);
    expect(projectLedger('p', 1, 0.2, cases, undefined).label).toBeUndefined();
  });
});
