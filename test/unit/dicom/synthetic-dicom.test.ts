import { parseDicom } from '../../../layers/dicom';
import { readDicomFile } from '../../../layers/dicom/dcmjs';
import { makeDicom, makeSeries, SYNTHETIC_PHI } from '../../support/synthetic-dicom';
import { dcmdump, includesBytes } from './helpers';

describe('synthetic DICOM builder', () => {
  it('plants the documented PHI, a private block and a nested PatientID', () => {
    const bytes = makeDicom();
    for (const value of Object.values(SYNTHETIC_PHI))
      expect({ value, present: includesBytes(bytes, value) }).toEqual({ value, present: true });
    const dict = readDicomFile(bytes).dict;
    expect(dict['00091001']).toBeDefined();
    expect(dict['00101002']?.vr).toBe('SQ');
  });

  it('honours overrides', () => {
    const { summary } = parseDicom(
      makeDicom({ modality: 'MR', rows: 8, columns: 4, burnedInAnnotation: 'YES', studyInstanceUid: '1.2.3' }),
    );
    expect(summary).toMatchObject({
      modality: 'MR',
      rows: 8,
      columns: 4,
      burnedInAnnotation: 'YES',
      studyInstanceUid: '1.2.3',
      sopClassUid: '1.2.840.10008.5.1.4.1.1.4',
    });
    expect(includesBytes(makeDicom({ patient: { name: 'ROE^RICHARD' } }), 'ROE^RICHARD')).toBe(true);
  });

  it('is deterministic', () => {
    expect(Buffer.from(makeDicom()).equals(Buffer.from(makeDicom()))).toBe(true);
  });

  it('builds a series that shares study and series UIDs with distinct instances and pixels', () => {
    const series = makeSeries(3).map((b) => parseDicom(b).summary);
    expect(new Set(series.map((s) => s.seriesInstanceUid)).size).toBe(1);
    expect(new Set(series.map((s) => s.sopInstanceUid)).size).toBe(3);
    expect(series.map((s) => s.instanceNumber)).toEqual([1, 2, 3]);
    const [a, b] = makeSeries(2);
    expect(Buffer.from(a ?? []).equals(Buffer.from(b ?? []))).toBe(false);
  });

  it('writes files dcmdump reads cleanly', () => {
    const dump = dcmdump(makeDicom());
    expect(dump.status).toBe(0);
    expect(dump.stderr).toBe('');
    expect(dump.stdout).toContain('(7fe0,0010) OW');
  });
});
