/**
 * The gateway's STOW-RS endpoint on its own spool (no commons): what it commits, what it
 * refuses part by part (C000, 0122, A900) or as a request (404, 405, 415, 400), and that a
 * body cut short inside a part leaves nothing behind.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Spool } from '../../../cli/gateway/spool';
import { startStowServer } from '../../../cli/gateway/stow';
import { multipartBody, multipartContentType } from '../../../layers/dicomweb';
import { makeDicom } from '../../support/synthetic-dicom';

const STUDY = '1.2.826.0.1.3680043.8.498.7474.1';
const BOUNDARY = 'gateway-stow-test';
const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7';

type Item = Record<string, { Value?: unknown[] }>;

describe('the gateway STOW-RS endpoint', () => {
  let dir: string;
  let spool: Spool;
  let server: { port: number; close(): Promise<void> };
  const url = (path = '/dicomweb/studies') => `http://127.0.0.1:${server.port}${path}`;
  const post = (path: string, parts: { body: Uint8Array; contentType?: string }[]) =>
    fetch(url(path), {
      method: 'POST',
      headers: { 'content-type': multipartContentType(BOUNDARY) },
      body: multipartBody(
        BOUNDARY,
        parts.map((p) => ({ contentType: p.contentType ?? 'application/dicom', body: p.body })),
      ),
    });
  const spooledFiles = async () => {
    const files: string[] = [];
    for (const study of await readdir(spool.studiesDir)) files.push(...(await readdir(join(spool.studiesDir, study))));
    return files;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hilum-gateway-stow-unit-'));
    spool = new Spool(dir);
    await spool.init();
    server = await startStowServer({ spool, port: 0, log: () => undefined });
  });

  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('commits accepted instances and fails the others part by part, with the reason', async () => {
    const ct = makeDicom({ studyInstanceUid: STUDY, seriesInstanceUid: `${STUDY}.1` });
    const secondaryCapture = makeDicom({ modality: 'OT', studyInstanceUid: STUDY, seriesInstanceUid: `${STUDY}.2` });
    const otherStudy = makeDicom({ studyInstanceUid: `${STUDY}.9`, seriesInstanceUid: `${STUDY}.9.1` });
    const response = await post(`/dicomweb/studies/${STUDY}`, [
      { body: ct },
      { body: new TextEncoder().encode('not an instance') },
      { body: secondaryCapture },
      { body: otherStudy },
      { body: ct, contentType: 'application/dicom+json' },
    ]);
    expect(response.status).toBe(202);
    expect(response.headers.get('content-type')).toBe('application/dicom+json');
    const body = (await response.json()) as Record<string, { Value?: Item[] }>;
    expect(body['00081199']!.Value!.map((i) => i['00081155']!.Value![0])).toEqual([`${STUDY}.1.1`]);
    expect(body['00081198']!.Value!.map((i) => i['00081197']!.Value![0])).toEqual([0xc000, 0x0122, 0xa900, 0xc000]);
    expect(body['00081198']!.Value![1]!['00081150']!.Value![0]).toBe(SECONDARY_CAPTURE);
    expect(await spooledFiles()).toHaveLength(1);
    expect(await readdir(spool.incomingDir)).toEqual([]);
  });

  it('answers 409 when no part could be spooled', async () => {
    expect((await post('/dicomweb/studies', [{ body: new Uint8Array(300) }])).status).toBe(409);
  });

  it('refuses other paths, methods and media types as requests', async () => {
    expect((await fetch(url('/dicomweb/studies/x/series'), { method: 'POST' })).status).toBe(404);
    expect((await fetch(url(), { method: 'GET' })).status).toBe(405);
    const json = await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/dicom+json' }, body: '[]' });
    expect(json.status).toBe(415);
    const noParts = await fetch(url(), { method: 'POST', headers: { 'content-type': multipartContentType(BOUNDARY) }, body: 'nothing' });
    expect(noParts.status).toBe(400);
  });

  it('keeps nothing of a body cut short inside a part', async () => {
    const before = await spooledFiles();
    const whole = multipartBody(BOUNDARY, [{ contentType: 'application/dicom', body: makeDicom({ rows: 256, columns: 256 }) }]);
    await new Promise<void>((resolve) => {
      const req = http.request(url(), {
        method: 'POST',
        headers: { 'content-type': multipartContentType(BOUNDARY), 'content-length': String(whole.length) },
      });
      req.on('error', () => resolve());
      req.on('response', () => resolve());
      req.write(whole.subarray(0, 60_000));
      setTimeout(() => req.destroy(), 200);
    });
    // The server notices the reset and removes the part it was writing.
    for (let i = 0; i < 50 && (await readdir(spool.incomingDir)).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await readdir(spool.incomingDir)).toEqual([]);
    expect(await spooledFiles()).toEqual(before);
  });
});
