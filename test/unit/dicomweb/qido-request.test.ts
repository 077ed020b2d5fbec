import {
  InvalidQidoQuery,
  matchesKeys,
  parseQido,
  qidoResult,
  warningHeader,
  type QidoLevel,
  type QidoRecord,
} from '../../../layers/dicomweb';
import type { Instance, Study } from '../../../layers/catalog/entities';
import type { Series } from '../../../layers/catalog/commons-entities';

const BASE = 'https://api.example/v1/dicomweb';
const params = (p: Record<string, string | string[]>) =>
  Object.fromEntries(Object.entries(p).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
const q = (p: Record<string, string | string[]>, level: QidoLevel = 'study', scope = {}) => parseQido(params(p), level, scope);

const study: Study = {
  studyUid: '2.25.1',
  project: 'p',
  site: 's',
  status: 'published',
  modalities: ['CT', 'SR'],
  seriesCount: 2,
  instanceCount: 3,
  totalBytes: 10,
  submissionIds: ['sub'],
  indexedAt: '2026-01-01T00:00:00Z',
  publishedAt: '2026-01-02T00:00:00Z',
  studyDescription: 'CT CHEST, W CONTRAST',
  studyYear: 2019,
  patientAge: 54,
  patientSex: 'Female',
  patientPseudonym: 'HILUM-00112233aabbccdd',
};
const series: Series = {
  studyUid: '2.25.1',
  seriesUid: '2.25.11',
  project: 'p',
  site: 's',
  modality: 'CT',
  bodyPart: 'CHEST',
  seriesDescription: 'AXIAL 1MM',
  seriesNumber: 3,
  instanceCount: 2,
  totalBytes: 5,
  indexedAt: '2026-01-01T00:00:00Z',
  manufacturer: 'ACME',
};
const instance: Instance = {
  project: 'p',
  site: 's',
  submissionId: 'sub',
  fileId: 'f',
  objectKey: 'k',
  size: 5,
  sha256: 'x',
  stagedAt: '2026-01-01T00:00:00Z',
  studyUid: '2.25.1',
  seriesUid: '2.25.11',
  sopUid: '2.25.111',
  sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
  transferSyntaxUid: '1.2.840.10008.1.2.4.70',
  instanceNumber: 7,
  modality: 'CT',
  imageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
};
const studyRecord: QidoRecord = { study };
const seriesRecord: QidoRecord = { study, series };
const instanceRecord: QidoRecord = { study, series, instance };

describe('QIDO-RS requests', () => {
  it('matches the required study keys against the catalog: StudyDate by the year kept, names by the pseudonym, UIDs, modalities', () => {
    const yes = (p: Record<string, string>) => matchesKeys(q(p), studyRecord, ['study']);
    expect(yes({ StudyDate: '20190301' })).toBe(true);
    expect(yes({ StudyDate: '20200101-20201231' })).toBe(false);
    expect(yes({ StudyDate: '-20190101' })).toBe(true);
    expect(yes({ PatientName: 'HILUM-0011*' })).toBe(true);
    expect(yes({ PatientName: 'hilum-0011*' })).toBe(false);
    expect(matchesKeys(q({ PatientName: 'hilum-0011*', fuzzymatching: 'true' }), studyRecord, ['study'])).toBe(true);
    expect(yes({ PatientID: 'HILUM-00112233aabbccdd' })).toBe(true);
    expect(yes({ StudyInstanceUID: '2.25.9,2.25.1' })).toBe(true);
    expect(yes({ '0020000D': '2.25.9' })).toBe(false);
    expect(yes({ ModalitiesInStudy: 'SR' })).toBe(true);
    expect(yes({ ModalitiesInStudy: 'MR\\DX' })).toBe(false);
    expect(yes({ StudyDescription: '*CHEST*' })).toBe(true);
    expect(yes({ PatientSex: 'F' })).toBe(true);
    expect(yes({ PatientSex: 'M' })).toBe(false);
    expect(yes({ StudyDate: '20190301', ModalitiesInStudy: 'MR' })).toBe(false);
    const timed: QidoRecord = { study: { ...study, studyTime: '101500' } };
    const at = (StudyTime: string) => matchesKeys(q({ StudyTime }), timed, ['study']);
    expect([at('1000-1030'), at('10'), at('1015'), at('-0959'), at('1016-'), at('0800-0900\\1015')]).toEqual([
      true,
      true,
      true,
      false,
      false,
      true,
    ]);
    expect(yes({ StudyTime: '1000-1030' })).toBe(false); // a study indexed without a time
    expect(yes({ StudyTime: '*' })).toBe(true);
  });

  it('matches series and instance keys, including the study keys of a top-level search', () => {
    expect(matchesKeys(q({ Modality: 'CT', SeriesNumber: '3' }, 'series'), seriesRecord, ['study', 'series'])).toBe(true);
    expect(matchesKeys(q({ SeriesNumber: '4' }, 'series'), seriesRecord, ['series'])).toBe(false);
    expect(matchesKeys(q({ PatientID: 'HILUM-*', Modality: 'C?' }, 'series'), seriesRecord, ['study', 'series'])).toBe(true);
    expect(
      matchesKeys(q({ SOPClassUID: '1.2.840.10008.5.1.4.1.1.2', InstanceNumber: '6,7' }, 'instance'), instanceRecord, ['instance']),
    ).toBe(true);
    expect(matchesKeys(q({ SOPInstanceUID: '2.25.112' }, 'instance'), instanceRecord, ['instance'])).toBe(false);
    expect(matchesKeys(q({ SeriesDescription: 'AXIAL*' }, 'instance'), instanceRecord, ['series', 'instance'])).toBe(true);
  });

  it('ignores unknown keys, keys hilum does not keep and keys of deeper levels, and names each in a warning', () => {
    const request = q({ PatientWeight: '70', PatientBirthDate: '19700101', AccessionNumber: 'A1', SOPInstanceUID: '1.2', 'a"b': 'x' });
    expect(request.keys).toEqual([]);
    expect(request.warnings).toEqual([
      'The following attributes were not supported and were ignored: PatientWeight, 1 parameter(s) with other characters.',
      "The following attributes are not kept in hilum's catalog and were not matched: PatientBirthDate, AccessionNumber.",
      'The following attributes are not matching keys at the study level and were ignored: SOPInstanceUID.',
    ]);
    expect(warningHeader(request, BASE)).toBe(request.warnings.map((w) => `299 ${BASE}: "${w}"`).join(', '));
    expect(warningHeader(q({ StudyDate: '20190101' }), BASE)).toBeUndefined();
  });

  it('refuses a value it cannot read with 400 naming the key, never the value', () => {
    expect(() => q({ StudyDate: '201901' })).toThrow(new InvalidQidoQuery('StudyDate: a date is YYYYMMDD'));
    expect(() => q({ StudyInstanceUID: 'SECRET*' })).toThrow(InvalidQidoQuery);
    try {
      q({ StudyInstanceUID: 'SECRET*' });
    } catch (error) {
      expect((error as Error).message).not.toContain('SECRET');
    }
  });

  it('reads limit and offset; a limit above the maximum is reduced with a warning, 0 or a fraction refused', () => {
    expect(q({ limit: '5', offset: '10' })).toMatchObject({ limit: 5, offset: 10, warnings: [] });
    expect(q({})).toMatchObject({ limit: 1000, offset: 0 });
    expect(q({ limit: '5000' })).toMatchObject({ limit: 1000 });
    expect(q({ limit: '5000' }).warnings).toEqual(['The limit was reduced to 1000, the most results this origin server returns at once.']);
    for (const bad of [{ limit: '0' } as Record<string, string>, { limit: '1.5' }, { offset: '-1' }, { offset: 'x' }])
      expect(() => q(bad)).toThrow(InvalidQidoQuery);
  });

  it('returns the default study attributes in DICOM JSON: no Value when empty, PN as an object, numbers as numbers', () => {
    expect(qidoResult(q({}), studyRecord, BASE)).toEqual({
      '00080020': { vr: 'DA' },
      '00080030': { vr: 'TM' },
      '00080050': { vr: 'SH' },
      '00080056': { vr: 'CS', Value: ['ONLINE'] },
      '00080061': { vr: 'CS', Value: ['CT', 'SR'] },
      '00080090': { vr: 'PN' },
      '00081030': { vr: 'LO', Value: ['CT CHEST, W CONTRAST'] },
      '00081190': { vr: 'UR', Value: [`${BASE}/studies/2.25.1`] },
      '00100010': { vr: 'PN', Value: [{ Alphabetic: 'HILUM-00112233aabbccdd' }] },
      '00100020': { vr: 'LO', Value: ['HILUM-00112233aabbccdd'] },
      '00100030': { vr: 'DA' },
      '00100040': { vr: 'CS', Value: ['F'] },
      '0020000D': { vr: 'UI', Value: ['2.25.1'] },
      '00200010': { vr: 'SH' },
      '00201206': { vr: 'IS', Value: [2] },
      '00201208': { vr: 'IS', Value: [3] },
    });
  });

  it('adds what includefield names (by keyword or tag, repeated or comma-separated), and everything it knows for all', () => {
    const some = qidoResult(q({ includefield: ['PatientAge', '00080070,bogus'] }, 'series', { study: '2.25.1' }), seriesRecord, BASE);
    expect(some['00101010']).toEqual({ vr: 'AS', Value: ['054Y'] });
    expect(some['00080070']).toEqual({ vr: 'LO', Value: ['ACME'] });
    expect(q({ includefield: 'bogus' }).warnings).toEqual(['The following attributes were not supported and were ignored: bogus.']);
    const all = qidoResult(q({ includefield: 'all' }, 'instance', { study: '2.25.1', series: '2.25.11' }), instanceRecord, BASE);
    expect(all['00080008']).toEqual({ vr: 'CS', Value: ['ORIGINAL', 'PRIMARY', 'AXIAL'] });
    expect(all['00101010']).toEqual({ vr: 'AS', Value: ['054Y'] });
    expect(all['00080060']).toEqual({ vr: 'CS', Value: ['CT'] });
    expect(all['00081190']).toEqual({ vr: 'UR', Value: [`${BASE}/studies/2.25.1/series/2.25.11/instances/2.25.111`] });
  });

  it('answers a top-level series search with the study attributes, a study-level instance search with the series ones', () => {
    const topSeries = qidoResult(q({}, 'series'), seriesRecord, BASE);
    expect(topSeries['00100020']).toEqual({ vr: 'LO', Value: ['HILUM-00112233aabbccdd'] });
    expect(topSeries['00080061']).toEqual({ vr: 'CS', Value: ['CT', 'SR'] });
    expect(topSeries['00081190']).toEqual({ vr: 'UR', Value: [`${BASE}/studies/2.25.1/series/2.25.11`] });
    expect(topSeries['00200011']).toEqual({ vr: 'IS', Value: [3] });

    const inStudy = qidoResult(q({}, 'series', { study: '2.25.1' }), seriesRecord, BASE);
    expect(inStudy['00100020']).toBeUndefined();
    expect(inStudy['0020000D']).toEqual({ vr: 'UI', Value: ['2.25.1'] });

    const studyInstances = qidoResult(q({}, 'instance', { study: '2.25.1' }), instanceRecord, BASE);
    expect(studyInstances['0008103E']).toEqual({ vr: 'LO', Value: ['AXIAL 1MM'] });
    expect(studyInstances['00100020']).toBeUndefined();
    expect(studyInstances['0020000E']).toEqual({ vr: 'UI', Value: ['2.25.11'] });
    expect(studyInstances['00200013']).toEqual({ vr: 'IS', Value: [7] });

    const seriesInstances = qidoResult(q({}, 'instance', { study: '2.25.1', series: '2.25.11' }), instanceRecord, BASE);
    expect(seriesInstances['0008103E']).toBeUndefined();
    expect(Object.keys(seriesInstances)).toEqual([
      '00080016',
      '00080018',
      '00080056',
      '00081190',
      '00083002',
      '0020000D',
      '0020000E',
      '00200013',
    ]);

    const topInstances = qidoResult(q({}, 'instance'), instanceRecord, BASE);
    expect(topInstances['00100010']).toEqual({ vr: 'PN', Value: [{ Alphabetic: 'HILUM-00112233aabbccdd' }] });
    expect(topInstances['00080060']).toEqual({ vr: 'CS', Value: ['CT'] });
  });

  it('returns a matching key it applied even when it is not a default attribute', () => {
    const result = qidoResult(q({ Manufacturer: 'AC*' }, 'series', { study: '2.25.1' }), seriesRecord, BASE);
    expect(result['00080070']).toEqual({ vr: 'LO', Value: ['ACME'] });
  });
});
