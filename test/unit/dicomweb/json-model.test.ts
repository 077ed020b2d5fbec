/**
 * The DICOM JSON model of WADO-RS metadata against PS3.18 Annex F: empty values
 * (F.2.5), person names (F.2.2), AT, IS/DS, sequences, InlineBinary and BulkDataURI
 * (F.2.7), and SpecificCharacterSet as the instance stores it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { datasetJson, MAX_INLINE_BINARY } from '../../../layers/dicomweb';
import { readDicomHeader, type DataSet } from '../../../layers/dicom';

const fixture = (path: string) => readFileSync(join(__dirname, '../../fixtures/dicom', path));
const uri = (path: string) => `https://hilum.example/dicomweb/studies/1/series/2/instances/3/bulkdata/${path}`;

describe('DICOM JSON model (PS3.18 Annex F)', () => {
  it('omits Value for empty attributes and writes null for an empty value among several (F.2.5)', () => {
    const json = datasetJson(readDicomHeader(fixture('ct/CT_small.dcm')).dict);
    expect(json['00080050']).toEqual({ vr: 'SH' }); // AccessionNumber, zero length
    expect(json['00080090']).toEqual({ vr: 'PN' }); // ReferringPhysicianName, zero length
    expect(json['00100030']).toEqual({ vr: 'DA' }); // PatientBirthDate, zero length
    const dict = {
      '00080008': { vr: 'CS', Value: ['ORIGINAL', '', 'AXIAL'] },
      '00081030': { vr: 'LO', Value: [''] },
      '00100010': { vr: 'PN', Value: [{}] },
      '00082112': { vr: 'SQ', Value: [] },
    } as unknown as DataSet;
    expect(datasetJson(dict)).toEqual({
      '00080008': { vr: 'CS', Value: ['ORIGINAL', null, 'AXIAL'] },
      '00081030': { vr: 'LO' },
      '00100010': { vr: 'PN' },
      '00082112': { vr: 'SQ' },
    });
    expect(JSON.stringify(datasetJson(readDicomHeader(fixture('ct/CT_small.dcm')).dict))).not.toContain('"Value":[""]');
  });

  it('writes person names as objects of their component groups (F.2.2)', () => {
    const json = datasetJson(readDicomHeader(fixture('charset/chrX1.dcm')).dict);
    expect(json['00100010']).toEqual({ vr: 'PN', Value: [{ Alphabetic: 'Wang^XiaoDong', Ideographic: '王^小東' }] });
    const rtplan = datasetJson(readDicomHeader(fixture('sequences/rtplan.dcm')).dict);
    expect(rtplan['00100010']).toEqual({ vr: 'PN', Value: [{ Alphabetic: 'Last^First^mid^pre' }] });
  });

  it('keeps SpecificCharacterSet as the instance stores it, not the ISO_IR 192 dcmjs rewrites', () => {
    expect(datasetJson(readDicomHeader(fixture('ct/CT_small.dcm')).dict)['00080005']).toEqual({ vr: 'CS', Value: ['ISO_IR 100'] });
    expect(datasetJson(readDicomHeader(fixture('charset/chrX1.dcm')).dict)['00080005']).toEqual({ vr: 'CS', Value: ['ISO_IR 192'] });
    const iso2022 = {
      '00080005': { vr: 'CS', Value: ['ISO_IR 192'], _rawValue: ['', 'ISO 2022 IR 87'] },
    } as unknown as DataSet;
    expect(datasetJson(iso2022)['00080005']).toEqual({ vr: 'CS', Value: [null, 'ISO 2022 IR 87'] });
  });

  it('writes IS and DS as numbers, AT as hex tags, and sequences as arrays of data sets', () => {
    const json = datasetJson(readDicomHeader(fixture('ct/CT_small.dcm')).dict);
    expect(json['00200013']).toEqual({ vr: 'IS', Value: [1] });
    expect(json['00180050']).toEqual({ vr: 'DS', Value: [5] });
    const items = json['00101002']?.Value as Record<string, { vr: string; Value?: unknown[] }>[];
    expect(items).toHaveLength(2);
    expect(items[0]!['00100020']?.vr).toBe('LO');
    const at = { '00209165': { vr: 'AT', Value: [0x00209111, 0x7fe00010] } } as unknown as DataSet;
    expect(datasetJson(at)).toEqual({ '00209165': { vr: 'AT', Value: ['00209111', '7FE00010'] } });
  });

  it('writes small binary values inline and large ones (and Pixel Data) as BulkDataURIs (F.2.7)', () => {
    const small = new Uint8Array([1, 2, 3]).buffer;
    const large = new Uint8Array(MAX_INLINE_BINARY + 2).fill(7).buffer;
    const dict = {
      '00091010': { vr: 'OB', Value: [small] },
      '00281201': { vr: 'OW', Value: [large] },
      '00880200': { vr: 'SQ', Value: [{ '7FE00010': { vr: 'OB', Value: [large] }, '00280010': { vr: 'US', Value: [64] } }] },
      '00091011': { vr: 'UN', Value: [] },
    } as unknown as DataSet;
    expect(datasetJson(dict, { bulkDataUri: uri, pixelDataVr: 'OW' })).toEqual({
      '00091010': { vr: 'OB', InlineBinary: 'AQID' },
      '00091011': { vr: 'UN' },
      '00281201': { vr: 'OW', BulkDataURI: uri('00281201') },
      '00880200': {
        vr: 'SQ',
        Value: [{ '00280010': { vr: 'US', Value: [64] }, '7FE00010': { vr: 'OB', BulkDataURI: uri('00880200.0.7FE00010') } }],
      },
      '7FE00010': { vr: 'OW', BulkDataURI: uri('7FE00010') },
    });
    // Without URIs (no resource to point at), large values are left out rather than inlined.
    expect(datasetJson(dict)['00281201']).toBeUndefined();
  });

  it('answers an overlay (OW) above the inline limit by BulkDataURI and leaves out the File Meta group', () => {
    const { dict } = readDicomHeader(fixture('graphics/examples_overlay.dcm'));
    const json = datasetJson(dict, { bulkDataUri: uri, pixelDataVr: 'OW' });
    expect(json['60003000']).toEqual({ vr: 'OW', BulkDataURI: uri('60003000') });
    expect(Object.keys(json).some((k) => k.startsWith('0002'))).toBe(false);
    expect(Object.values(json).every((e) => e.Value === undefined || e.Value.length > 0)).toBe(true);
  });
});
