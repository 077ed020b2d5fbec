import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drsObjectOf, sopUidOfObjectId } from '../../../layers/drs';
import { boundaryOf, datasetJson, multipartBody, multipartContentType, parseMultipart } from '../../../layers/dicomweb';
import { readManifest } from '../../../cli/lib/download-manifest';
import type { DataSet } from '../../../layers/dicom/dcmjs';

describe('DRS ids', () => {
  it('reads hilum ids, raw or percent-encoded, and nothing else', () => {
    expect(sopUidOfObjectId('hilum:2.25.12')).toBe('2.25.12');
    expect(sopUidOfObjectId('hilum%3A2.25.12')).toBe('2.25.12');
    for (const bad of ['2.25.12', 'hilum:', 'hilum:2.25.x', 'other:2.25.1', 'hilum%ZZ', `hilum:${'1.'.repeat(40)}1`])
      expect(sopUidOfObjectId(bad)).toBeUndefined();
  });

  it('maps an instance to a DRS object with a drs:// self URI and its sha-256', () => {
    expect(
      drsObjectOf({ sopUid: '2.25.7', size: 10, sha256: 'ab'.repeat(32), stagedAt: '2026-01-01T00:00:00.000Z' }, 'drs.example.org'),
    ).toMatchObject({
      id: 'hilum:2.25.7',
      self_uri: 'drs://drs.example.org/hilum:2.25.7',
      size: 10,
      checksums: [{ type: 'sha-256', checksum: 'ab'.repeat(32) }],
    });
  });
});

describe('multipart/related', () => {
  it("round-trips parts with any bytes, including CRLF and the boundary's prefix", () => {
    const boundary = 'b-123';
    const parts = [
      { contentType: 'application/dicom', body: Buffer.from('--b-12\r\n\r\nxyz') },
      { contentType: 'application/dicom', body: new Uint8Array([0, 13, 10, 255]) },
    ];
    const body = multipartBody(boundary, parts);
    expect(boundaryOf(multipartContentType(boundary))).toBe(boundary);
    const parsed = parseMultipart(body, boundary);
    expect(parsed.map((p) => [p.headers['content-type'], Buffer.from(p.body).toString('hex')])).toEqual(
      parts.map((p) => ['application/dicom', Buffer.from(p.body).toString('hex')]),
    );
  });
});

describe('DICOM JSON and QIDO queries', () => {
  it('writes a data set as DICOM JSON without pixel data or the meta group, with sequences, names and inline binary', () => {
    const dict = {
      '00100010': { vr: 'PN', Value: [{ Alphabetic: 'ANON' }] },
      '00280010': { vr: 'US', Value: [64] },
      '00082112': { vr: 'SQ', Value: [{ '00081150': { vr: 'UI', Value: ['1.2'] } }] },
      '00091010': { vr: 'OB', Value: [new Uint8Array([1, 2]).buffer] },
      '7fe00010': { vr: 'OW', Value: [new ArrayBuffer(8)] },
      '00020010': { vr: 'UI', Value: ['1.2.840.10008.1.2.1'] },
    } as unknown as DataSet;
    expect(datasetJson(dict)).toEqual({
      '00082112': { vr: 'SQ', Value: [{ '00081150': { vr: 'UI', Value: ['1.2'] } }] },
      '00091010': { vr: 'OB', InlineBinary: 'AQI=' },
      '00100010': { vr: 'PN', Value: [{ Alphabetic: 'ANON' }] },
      '00280010': { vr: 'US', Value: [64] },
    });
  });
});

describe('download manifests', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hilum-manifest-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const sha = 'a'.repeat(64);

  it('reads JSON and CSV manifests to the same objects', async () => {
    const object = { objectId: 'hilum:2.25.3', studyUid: '2.25.1', seriesUid: '2.25.2', sopUid: '2.25.3', size: 12, sha256: sha };
    await writeFile(join(dir, 'm.json'), JSON.stringify({ format: 'hilum-manifest/1', objects: [object, object] }));
    await writeFile(join(dir, 'm.csv'), `object_id,study_uid,series_uid,sop_uid,size,sha256\n${Object.values(object).join(',')}\n`);
    expect(await readManifest(join(dir, 'm.json'))).toEqual([object]);
    expect(await readManifest(join(dir, 'm.csv'))).toEqual([object]);
  });

  it('refuses values that would escape the output folder', async () => {
    await writeFile(
      join(dir, 'bad.json'),
      JSON.stringify({ objects: [{ objectId: 'x', studyUid: '../..', seriesUid: '1', sopUid: '1', size: 1, sha256: sha }] }),
    );
    await expect(readManifest(join(dir, 'bad.json'))).rejects.toThrow('UIDs must be dotted digits');
  });
});
