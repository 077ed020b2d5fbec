import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  deidentify,
  parseDicom,
  remapUid,
  verifyDeidentified,
  BASIC_PROFILE,
  DEFAULT_PROFILE,
  type DeidProfile,
} from '../../../layers/dicom';
import { readDicomFile, type DataSet } from '../../../layers/dicom/dcmjs';
import { sequenceItems, textValues } from '../../../layers/dicom/dataset';
import { makeDicom, SYNTHETIC_PHI } from '../../support/synthetic-dicom';
import { dcmdump, fixture, includesBytes, SECRET } from './helpers';
import { pixelBytes } from '../../support/dicom-inspect';

const first = (dict: DataSet, key: string): string => {
  const e = dict[key];
  return e ? (textValues(e)[0] ?? '').trim() : '';
};
const read = (bytes: Uint8Array): DataSet => readDicomFile(bytes).dict;
const withOptions = (options: Partial<DeidProfile['options']>, base: DeidProfile = DEFAULT_PROFILE): DeidProfile => ({
  ...base,
  name: 'test',
  options: { ...base.options, ...options },
});
const toDays = (da: string): number => Date.UTC(+da.slice(0, 4), +da.slice(4, 6) - 1, +da.slice(6, 8)) / 86_400_000;

describe('keyed and longitudinal: one patient, two uploads two days apart', () => {
  const shared = '1.2.826.0.1.3680043.8.498.7711.500'; // a UID both uploads reference
  const upload = (studyDate: string, study: string) =>
    makeDicom({
      studyInstanceUid: study,
      seriesInstanceUid: `${study}.1`,
      elements: {
        '00080020': { vr: 'DA', Value: [studyDate] },
        '00081140': {
          vr: 'SQ',
          Value: [{ '00081150': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.2'] }, '00081155': { vr: 'UI', Value: [shared] } }],
        },
      },
    });
  const a = deidentify(upload('20240315', '1.2.826.0.1.3680043.8.498.7711.601'), SECRET);
  const b = deidentify(upload('20240317', '1.2.826.0.1.3680043.8.498.7711.602'), SECRET);
  const [da, db] = [read(a.bytes), read(b.bytes)];

  it('gives both the same patient pseudonym', () => {
    expect(first(da, '00100020')).toMatch(/^HILUM-[0-9A-F]{16}$/);
    expect(first(da, '00100020')).toBe(first(db, '00100020'));
    expect(first(da, '00100010')).toBe(first(db, '00100010'));
  });

  it('shifts both study dates by the same number of days, keeping the two-day interval', () => {
    const [sa, sb] = [first(da, '00080020'), first(db, '00080020')];
    expect(sa).not.toBe('20240315');
    expect(toDays(sb) - toDays(sa)).toBe(2);
    const shift = toDays('20240315') - toDays(sa);
    expect(shift).toBeGreaterThanOrEqual(1);
    expect(shift).toBeLessThanOrEqual(3650);
    // The birth date is Z in the Basic Profile, not shifted.
    expect(first(da, '00100030')).toBe('');
  });

  it('remaps the shared referenced UID identically in both, and each study UID keyed', () => {
    const ref = (d: DataSet) => first(sequenceItems(d['00081140'] ?? { vr: 'SQ' })[0] ?? {}, '00081155');
    expect(ref(da)).toBe(remapUid(shared, SECRET));
    expect(ref(db)).toBe(ref(da));
    expect(a.summary.studyInstanceUid).toBe(remapUid('1.2.826.0.1.3680043.8.498.7711.601', SECRET));
    expect(a.summary.studyInstanceUid).toMatch(/^2\.25\.\d+$/);
    expect(a.summary.studyInstanceUid.length).toBeLessThanOrEqual(64);
  });

  it('keeps the real fixture patient consistent across his CR and CT studies', () => {
    const cr = read(deidentify(fixture('patient-77654033/cr-cspine/CR1_6154.dcm'), SECRET).bytes);
    const ct = read(deidentify(fixture('patient-77654033/ct-head-series/CT2_17106.dcm'), SECRET).bytes);
    const crIn = read(fixture('patient-77654033/cr-cspine/CR1_6154.dcm'));
    const ctIn = read(fixture('patient-77654033/ct-head-series/CT2_17106.dcm'));
    expect(toDays(first(cr, '00080020')) - toDays(first(ct, '00080020'))).toBe(
      toDays(first(crIn, '00080020')) - toDays(first(ctIn, '00080020')),
    );
  });

  it('shifts another project differently (keys are per project)', () => {
    const other = read(deidentify(upload('20240315', '1.2.826.0.1.3680043.8.498.7711.601'), { ...SECRET, project: 'project-b' }).bytes);
    expect(first(other, '00100020')).not.toBe(first(da, '00100020'));
  });
});

describe('dates by VR', () => {
  it('shifts DA and DT inside sequences, keeps a DT time and timezone, keeps TM', () => {
    const original = makeDicom({
      elements: {
        '0040A730': { vr: 'SQ', Value: [] },
        '00400275': { vr: 'SQ', Value: [{ '00400007': { vr: 'LO', Value: ['PROC'] }, '00400244': { vr: 'DA', Value: ['20240310'] } }] },
        '0008002A': { vr: 'DT', Value: ['20240315101530.25+0100'] },
      },
    });
    const out = deidentify(original, SECRET);
    const dict = read(out.bytes);
    const shift = toDays('20240315') - toDays(first(dict, '00080020'));
    expect(first(dict, '0008002A')).toMatch(/^\d{8}101530\.25\+0100$/);
    expect(toDays('20240315') - toDays(first(dict, '0008002A').slice(0, 8))).toBe(shift);
    const item = sequenceItems(dict['00400275'] ?? { vr: 'SQ' })[0] ?? {};
    expect(toDays('20240310') - toDays(first(item, '00400244'))).toBe(shift);
    expect(first(dict, '00080030')).toBe('101500');
    expect(out.actionCounts['StudyDate:shift']).toBe(1);
    expect(verifyDeidentified(original, out.bytes).passed).toBe(true);
  });

  it('empties dates and times under the Basic Profile alone', () => {
    const dict = read(deidentify(makeDicom(), { ...SECRET, profile: BASIC_PROFILE }).bytes);
    expect(first(dict, '00080020')).toBe('');
    expect(dict['00080021']).toBeUndefined(); // SeriesDate X/D: removed
    expect(first(dict, '00080030')).toBe('');
    expect(first(dict, '00280303')).toBe('REMOVED');
  });
});

describe('patient characteristics', () => {
  it('caps ages over 89 at 090Y and counts it', () => {
    const out = deidentify(makeDicom({ patient: { age: '095Y' } }), SECRET);
    expect(first(read(out.bytes), '00101010')).toBe('090Y');
    expect(out.actionCounts['PatientAge:capped']).toBe(1);
    expect(first(read(deidentify(makeDicom({ patient: { age: '1100M' } }), SECRET).bytes), '00101010')).toBe('');
    expect(first(read(deidentify(makeDicom({ patient: { age: '089Y' } }), SECRET).bytes), '00101010')).toBe('089Y');
  });

  it('keeps sex, age, size and weight by default and removes age under Basic', () => {
    const original = makeDicom({ elements: { '00101020': { vr: 'DS', Value: [1.7] }, '00101030': { vr: 'DS', Value: [64] } } });
    const kept = read(deidentify(original, SECRET).bytes);
    expect([first(kept, '00100040'), first(kept, '00101010'), first(kept, '00101020'), first(kept, '00101030')]).toEqual([
      'F',
      '054Y',
      '1.7',
      '64',
    ]);
    const basic = read(deidentify(original, { ...SECRET, profile: BASIC_PROFILE }).bytes);
    expect(basic['00101010']).toBeUndefined();
    expect(first(basic, '00100040')).toBe('');
  });
});

describe('clean descriptors', () => {
  const description = `CT CHEST for Doe, Jane (Quinn) ${SYNTHETIC_PHI.patientId} acc ${SYNTHETIC_PHI.accessionNumber} at synthetic general hospital on ${SYNTHETIC_PHI.studyDate}`;
  const original = makeDicom({
    elements: { '00081030': { vr: 'LO', Value: [description] }, '00204000': { vr: 'LT', Value: ['Seen by Dr House. No comparison.'] } },
  });

  it('removes every identifier of the data set from kept descriptions, case-insensitively, and keeps the rest', () => {
    const out = deidentify(original, SECRET);
    const dict = read(out.bytes);
    // "Doe, Jane" goes as one name; the study date written in the text moves with the header's (issue 18).
    expect(first(dict, '00081030')).toBe(`CT CHEST for () acc at on ${first(dict, '00080020')}`);
    expect(first(dict, '00080020')).not.toBe(SYNTHETIC_PHI.studyDate);
    expect(first(dict, '00204000')).toBe('Seen by Dr. No comparison.');
    expect(out.actionCounts['identifierInText:removed']).toBeGreaterThanOrEqual(6);
    expect(out.actionCounts['dateInText:shift']).toBe(1);
    expect(verifyDeidentified(original, out.bytes).passed).toBe(true);
  });

  it('does not match inside longer words', () => {
    const named = makeDicom({
      patient: { name: 'LEE^ANN' },
      elements: { '00081030': { vr: 'LO', Value: ['SLEEP STUDY ANNUAL for Lee'] } },
    });
    expect(first(read(deidentify(named, SECRET).bytes), '00081030')).toBe('SLEEP STUDY ANNUAL for');
  });

  it('removes descriptions entirely under the Basic Profile', () => {
    const dict = read(deidentify(original, { ...SECRET, profile: BASIC_PROFILE }).bytes);
    expect(dict['00081030']).toBeUndefined();
    expect(dict['00204000']).toBeUndefined();
  });
});

describe('allow-list posture and opt-in options', () => {
  it('removes a public attribute that is neither in the table nor on the keep-list, unless the profile keeps it', () => {
    const original = makeDicom({ elements: { '00181030': { vr: 'LO', Value: ['PROTO'] }, '00540081': { vr: 'US', Value: [3] } } });
    const out = deidentify(original, SECRET);
    expect(read(out.bytes)['00540081']).toBeUndefined();
    expect(out.actionCounts['NumberOfSlices:X']).toBe(1);
    const profile = { ...DEFAULT_PROFILE, keep: ['(0054,0081)'] };
    const kept = deidentify(original, { ...SECRET, profile });
    expect(read(kept.bytes)['00540081']?.Value).toEqual([3]);
    expect(verifyDeidentified(original, kept.bytes, profile).passed).toBe(true);
    // The default profile's verifier does not allow what only the custom profile keeps.
    expect(verifyDeidentified(original, kept.bytes).failures).toContainEqual({ check: 'allowed-attributes', keyword: '(0054,0081)' });
  });

  it('keeps only the safe private elements under Retain Safe Private, matched by creator and low byte', () => {
    const profile = withOptions({ retainSafePrivate: true });
    const original = fixture('ct/CT_small.dcm');
    const out = deidentify(original, { ...SECRET, profile });
    const dict = read(out.bytes);
    const privateKeys = Object.keys(dict).filter((k) => (parseInt(k.slice(0, 4), 16) & 1) === 1);
    expect(privateKeys).toEqual(expect.arrayContaining(['00191023', '00191024', '00191027', '00431027']));
    expect(privateKeys).not.toContain('00091001'); // GEMS_IDEN_01 (identifying block) is not on the list
    expect(out.actionCounts['private:K']).toBeGreaterThanOrEqual(4);
    expect(
      first(read(out.bytes), '00120064') === '' && sequenceItems(dict['00120064'] ?? { vr: 'SQ' }).map((i) => first(i, '00080100')),
    ).toContain('113111');
    expect(verifyDeidentified(original, out.bytes, profile)).toMatchObject({ passed: true });
    expect(verifyDeidentified(original, out.bytes).passed).toBe(false);
  });

  it('keeps the station name only under Retain Device Identity, and the institution only under Retain Institution Identity', () => {
    const original = fixture('ct/CT_small.dcm');
    const before = read(original);
    expect(read(deidentify(original, SECRET).bytes)['00081010']).toBeUndefined();
    const device = read(deidentify(original, { ...SECRET, profile: withOptions({ retainDeviceIdentity: true }) }).bytes);
    expect(first(device, '00081010')).toBe(first(before, '00081010'));
    const institution = withOptions({ retainInstitutionIdentity: true });
    const out = deidentify(original, { ...SECRET, profile: institution });
    expect(first(read(out.bytes), '00080080')).toBe(first(before, '00080080'));
    expect(verifyDeidentified(original, out.bytes, institution).passed).toBe(true);
  });
});

describe('encodings', () => {
  it('de-identifies a Deflated Explicit VR Little Endian file (made by dcmconv) that dcmdump re-reads', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hilum-deflate-'));
    writeFileSync(join(dir, 'in.dcm'), fixture('ct/CT_small.dcm'));
    const conv = spawnSync('dcmconv', ['+td', join(dir, 'in.dcm'), join(dir, 'deflated.dcm')], { encoding: 'utf8' });
    expect(conv.status).toBe(0);
    const deflated = new Uint8Array(readFileSync(join(dir, 'deflated.dcm')));
    expect(parseDicom(deflated).summary.transferSyntaxUid).toBe('1.2.840.10008.1.2.1.99');
    const out = deidentify(deflated, SECRET);
    const dump = dcmdump(out.bytes);
    expect(dump.stderr).toBe('');
    expect(dump.stdout).toContain('(0012,0062) CS [YES]');
    expect(includesBytes(out.bytes, 'JFK')).toBe(false);
    expect(pixelBytes(out.bytes)?.equals(pixelBytes(deflated) as Buffer)).toBe(true);
    expect(verifyDeidentified(deflated, out.bytes).passed).toBe(true);
  });

  it('writes the header then the input Pixel Data bytes as a view (no copy of the pixels)', () => {
    const original = makeDicom({ rows: 64, columns: 64 });
    const out = deidentify(original, SECRET);
    const pixelChunk = out.chunks.find((c) => c.byteLength === 64 * 64 * 2);
    expect(pixelChunk?.buffer).toBe(original.buffer);
    expect(out.byteLength).toBe(out.bytes.byteLength);
  });
});
