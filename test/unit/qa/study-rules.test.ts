/** One test per series/study rule, over instance facts: a set that passes and one that triggers it. */
import { evaluateStudies, type InstanceFacts } from '../../../layers/qa';
import { config } from './support';

let n = 0;
function instance(overrides: Partial<InstanceFacts> = {}): InstanceFacts {
  n += 1;
  return {
    fileId: `file-${n}`,
    order: String(n).padStart(4, '0'),
    studyUid: '1.2.3',
    seriesUid: '1.2.3.1',
    sopUid: `1.2.3.1.${n}`,
    sha256: `sha-${n}`,
    modality: 'CT',
    patientId: 'HILUM-A',
    instanceNumber: n,
    frameOfReferenceUid: '1.2.3.9',
    pixelSha256: `px-${n}`,
    ...overrides,
  };
}
const series = (count: number, overrides: Partial<InstanceFacts> = {}) => {
  const start = n;
  return Array.from({ length: count }, (_, i) => instance({ instanceNumber: i + 1, ...overrides, sopUid: `1.2.3.1.${start + i + 1}` }));
};
const rules = (instances: InstanceFacts[]) => evaluateStudies(instances).map((f) => f.ruleId);

describe('series and study rules', () => {
  it('a clean series has no finding', () => {
    expect(evaluateStudies(series(4))).toEqual([]);
  });

  it('study.one-patient quarantines every instance of a study that holds two patients', () => {
    const mixed = [...series(2), instance({ patientId: 'HILUM-B', instanceNumber: 3 })];
    const findings = evaluateStudies(mixed).filter((f) => f.ruleId === 'study.one-patient');
    expect(findings.map((f) => f.fileId)).toEqual(mixed.map((i) => i.fileId));
    expect(findings[0]).toMatchObject({ severity: 'quarantine', message: 'the study holds instances of 2 different patients' });
  });

  it('series.one-study quarantines a series UID found in two studies', () => {
    const split = [...series(2), instance({ studyUid: '1.2.4', instanceNumber: 3 })];
    expect(rules(split)).toContain('series.one-study');
    expect(rules(series(3))).not.toContain('series.one-study');
  });

  it('uids.duplicate-sop: identical bytes are idempotent, different bytes flag the later file', () => {
    const first = instance({ sopUid: '1.2.3.1.500', sha256: 'same' });
    const repeat = instance({ sopUid: '1.2.3.1.500', sha256: 'same', instanceNumber: first.instanceNumber });
    expect(rules([first, repeat])).not.toContain('uids.duplicate-sop');
    const conflict = instance({ sopUid: '1.2.3.1.500', sha256: 'other', instanceNumber: first.instanceNumber });
    const findings = evaluateStudies([conflict, first]).filter((f) => f.ruleId === 'uids.duplicate-sop');
    expect(findings).toEqual([
      expect.objectContaining({
        fileId: conflict.fileId,
        severity: 'quarantine',
        message: `SOPInstanceUID already received with different content (first in file ${first.fileId})`,
      }),
    ]);
  });

  it('pixel.duplicate warns on identical pixel data under a different SOP Instance UID', () => {
    const a = instance({ pixelSha256: 'px-same', instanceNumber: 1 });
    const b = instance({ pixelSha256: 'px-same', instanceNumber: 2 });
    expect(evaluateStudies([a, b]).filter((f) => f.ruleId === 'pixel.duplicate')).toEqual([
      expect.objectContaining({ fileId: b.fileId, severity: 'warn' }),
    ]);
    expect(rules(series(2))).not.toContain('pixel.duplicate');
  });

  it('series.instance-gaps warns when instance numbers skip', () => {
    const gappy = [instance({ instanceNumber: 1 }), instance({ instanceNumber: 2 }), instance({ instanceNumber: 5 })];
    expect(evaluateStudies(gappy)).toEqual([
      expect.objectContaining({
        ruleId: 'series.instance-gaps',
        severity: 'warn',
        seriesUid: '1.2.3.1',
        message: '2 InstanceNumber value(s) missing between the first and last of 3 instances',
      }),
    ]);
    expect(rules(series(3))).not.toContain('series.instance-gaps');
  });

  it('series.mixed-modality and series.mixed-frame-of-reference warn on a mixed series', () => {
    const mixed = [instance({ instanceNumber: 1 }), instance({ instanceNumber: 2, modality: 'MR', frameOfReferenceUid: '1.2.3.10' })];
    expect(rules(mixed)).toEqual(['series.mixed-modality', 'series.mixed-frame-of-reference']);
  });

  it('project severities apply to study rules too', () => {
    const gappy = [instance({ instanceNumber: 1 }), instance({ instanceNumber: 9 })];
    expect(evaluateStudies(gappy, config({ rules: { 'series.instance-gaps': 'off' } }))).toEqual([]);
    expect(evaluateStudies(gappy, config({ rules: { 'series.instance-gaps': 'quarantine' } }))[0]?.severity).toBe('quarantine');
  });
});
