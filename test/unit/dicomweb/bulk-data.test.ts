/**
 * Bulk data attribute paths: what metadata's BulkDataURIs name (json.ts) is what the bulk
 * data resource finds, at the top level and inside sequence items.
 */
import { bulkDataValue, datasetJson, parseBulkDataPath } from '../../../layers/dicomweb';
import type { DataSet } from '../../../layers/dicom';

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill).buffer;
const dict = {
  '00281201': { vr: 'OW', Value: [bytes(2048, 1)] },
  '00880200': {
    vr: 'SQ',
    Value: [{ '00280010': { vr: 'US', Value: [8] } }, { '7FE00010': { vr: 'OB', Value: [bytes(1500, 2), bytes(600, 3)] } }],
  },
  '00100010': { vr: 'PN', Value: [{ Alphabetic: 'ANON' }] },
} as unknown as DataSet;

describe('bulk data attribute paths', () => {
  it('reads tags and item indexes, upper-cases tags, and refuses anything else', () => {
    expect(parseBulkDataPath('00281201')).toEqual(['00281201']);
    expect(parseBulkDataPath('00880200.1.7fe00010')).toEqual(['00880200', 1, '7FE00010']);
    for (const bad of ['', '0028120', '00281201.', '00880200.x.7FE00010', '00880200.1', '../etc', '00281201.0.00280010.1'])
      expect(parseBulkDataPath(bad)).toBeUndefined();
  });

  it('finds the value behind every BulkDataURI metadata writes, nested ones included', () => {
    const uris: string[] = [];
    JSON.stringify(datasetJson(dict, { bulkDataUri: (path) => `bulk/${path}` }), (key, value: unknown) => {
      if (key === 'BulkDataURI') uris.push(String(value));
      return value;
    });
    expect(uris.sort()).toEqual(['bulk/00281201', 'bulk/00880200.1.7FE00010']);
    const found = uris.map((uri) => bulkDataValue(dict, parseBulkDataPath(uri.slice('bulk/'.length))!));
    expect(found.map((v) => v?.byteLength)).toEqual([2048, 2100]);
    expect(found[1]![1500]).toBe(3);
  });

  it('finds nothing at a missing attribute, a missing item, or a value that is not binary', () => {
    expect(bulkDataValue(dict, ['00281202'])).toBeUndefined();
    expect(bulkDataValue(dict, ['00880200', 5, '7FE00010'])).toBeUndefined();
    expect(bulkDataValue(dict, ['00100010'])).toBeUndefined();
    expect(bulkDataValue(dict, ['00880200', 0, '00280010'])).toBeUndefined();
  });
});
