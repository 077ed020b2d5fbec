/**
 * WADO-RS on the local commons, driven by dicomweb-client (the client OHIF uses): study,
 * series and instance retrieve with transfer syntax negotiation (as stored, Explicit VR
 * Little Endian decoded from JPEG Lossless and JPEG 2000 with pixel values equal to
 * dcmtk's and gdcm's decode, 406 for what cannot be produced), frames (native and as
 * stored), bulk data behind metadata's BulkDataURIs, study/series/instance metadata in
 * the Annex F model, large answers through a 303 to S3, restricted studies 404, audit.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startLocalCommons, type LocalCommons } from '../../local/commons';
import { HilumApi } from '../../cli/lib/api-client';
import { submitFiles } from '../support/projects';
import { readDicomFile, storedFrames } from '../../layers/dicom';
import { boundaryOf, parseMultipart } from '../../layers/dicomweb';
import { makeDicom, makeSeries } from '../support/synthetic-dicom';
import { dicomwebClient, isDicomwebClientError, type DicomJson, type DicomwebClient } from '../support/dicomweb-client';

jest.setTimeout(240_000);
const run = promisify(execFile);
const FIXTURES = join(__dirname, '../fixtures/dicom');
const fixture = (path: string) => new Uint8Array(readFileSync(join(FIXTURES, path)));
const value = (item: DicomJson, tag: string) => item[tag]?.Value?.[0] as string;

const EXPLICIT = '1.2.840.10008.1.2.1';
const JPEG_LOSSLESS = '1.2.840.10008.1.2.4.70';
const J2K_LOSSLESS = '1.2.840.10008.1.2.4.90';
const syntaxOf = (part10: ArrayBuffer | Uint8Array) =>
  readDicomFile(part10 instanceof Uint8Array ? part10 : new Uint8Array(part10)).meta['00020010']?.Value?.[0];
const bytesOf = (part: ArrayBuffer | Uint8Array) => Buffer.from(part instanceof Uint8Array ? part : new Uint8Array(part));

describe('DICOMweb WADO-RS (retrieve, frames, bulk data, metadata)', () => {
  let dataDir: string;
  let commons: LocalCommons;
  let client: DicomwebClient;
  let token: string;
  let closedStudy: string;
  /** A JPEG Lossless instance whose header says 64 rows while its bitstream holds 128: stored fine, not decodable. */
  let undecodable: { study: string; series: string; sop: string };
  /** Published instances by what they were uploaded as. */
  const sop: Record<'ct' | 'multi' | 'jpegLossless' | 'j2k', { study: string; series: string; sop: string }> = {} as never;
  let ctStudyInstances = 0;
  const multiFrame = new Uint16Array(8 * 8 * 3).map((_, i) => (i * 37) % 4096);
  const palette = new Uint8Array(2048).map((_, i) => i % 251);

  async function rejection(promise: Promise<unknown>): Promise<number> {
    try {
      await promise;
    } catch (error) {
      if (isDicomwebClientError(error)) return error.status;
      throw error;
    }
    return 200;
  }

  /**
   * Retrieve with a named transfer syntax. dicomweb-client 0.11.3's retrieveStudy/Series/Instance
   * refuse every `mediaTypes` option (its _getCommonMediaType yields "application/", which it then
   * compares with "application/dicom"), so its own Accept builder and multipart reader are called
   * as those methods would call them.
   */
  async function retrieveAs(path: string, transferSyntaxUID: string): Promise<ArrayBuffer[]> {
    const internal = client as unknown as {
      _httpGetMultipartApplicationDicom(url: string, mediaTypes: object[], params: boolean, request: object): Promise<ArrayBuffer[]>;
    };
    return internal._httpGetMultipartApplicationDicom(
      `${commons.apiUrl}/dicomweb${path}`,
      [{ mediaType: 'application/dicom', transferSyntaxUID }],
      false,
      {
        instance: new (globalThis as unknown as { XMLHttpRequest: new () => object }).XMLHttpRequest(),
        progressCallback: false,
        withCredentials: false,
      },
    );
  }
  const instancePath = (at: { study: string; series: string; sop: string }) =>
    `/studies/${at.study}/series/${at.series}/instances/${at.sop}`;

  /** A reference decode of a stored instance by a command-line tool, as a Part 10 file's bytes. */
  async function reference(stored: Uint8Array, tool: 'dcmdjpeg' | 'gdcmconv'): Promise<Uint8Array> {
    const input = join(dataDir, `in-${tool}.dcm`);
    const output = join(dataDir, `out-${tool}.dcm`);
    await writeFile(input, stored);
    await run(tool, tool === 'gdcmconv' ? ['--raw', input, output] : [input, output]);
    return new Uint8Array(await readFile(output));
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-wado-'));
    commons = await startLocalCommons({
      dataDir: join(dataDir, 'commons'),
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'ERROR',
    });
    token = await commons.issueToken(['researcher'], 'viewer-w');
    const curator = new HilumApi(commons.apiUrl, await commons.issueToken(['curator'], 'curator-wado'));
    const site = new HilumApi(commons.apiUrl, await commons.issueToken(['site-uploader:site-a'], 'uploader-wado'));
    await curator.request('POST', '/projects', { projectId: 'wado-open', name: 'open', availability: 'open', sites: ['site-a'] });
    await curator.request('POST', '/projects', { projectId: 'wado-closed', name: 'closed', availability: 'restricted', sites: ['site-a'] });
    await curator.request('POST', '/projects', { projectId: 'wado-broken', name: 'broken', availability: 'open', sites: ['site-a'] });
    const brokenFile = join(dataDir, 'undecodable.dcm');
    await writeFile(brokenFile, fixture('ct/CT_small_jpeg_lossless.dcm'));
    await run('dcmodify', [
      '-nb',
      '-m',
      '(0028,0010)=64',
      '-m',
      '(0020,000D)=1.2.826.0.1.3680043.8.498.7171.3',
      '-m',
      '(0008,0018)=1.2.826.0.1.3680043.8.498.7171.3.1.1',
      brokenFile,
    ]);
    await curator.request('PUT', '/projects/wado-open/qa-config', {
      modalities: ['CT', 'MR', 'OT'],
      pixelReviewSopClasses: [],
      rules: { 'deid.pixel-review': 'warn', 'scope.sop-class': 'warn' },
    });
    const study = '1.2.826.0.1.3680043.8.498.7171.1';
    const uploads: Record<string, Record<string, Uint8Array>> = {
      'wado-open': {
        ...Object.fromEntries(
          makeSeries(2, { modality: 'CT', rows: 32, columns: 32, studyInstanceUid: study, seriesInstanceUid: `${study}.1` }).map((b, i) => [
            `ct${i}.dcm`,
            b,
          ]),
        ),
        // Three native 16-bit frames, and a palette LUT above the inline limit (bulk data).
        'multi.dcm': makeDicom({
          modality: 'OT',
          rows: 8,
          columns: 8,
          studyInstanceUid: study,
          seriesInstanceUid: `${study}.2`,
          seriesNumber: 2,
          elements: {
            '00280008': { vr: 'IS', Value: [3] },
            '00280100': { vr: 'US', Value: [16] },
            '00280101': { vr: 'US', Value: [12] },
            '00280102': { vr: 'US', Value: [11] },
            '00280103': { vr: 'US', Value: [0] },
            '00281201': { vr: 'OW', Value: [palette.buffer] },
            '7FE00010': { vr: 'OW', Value: [multiFrame.buffer] },
          },
        }),
        'jpeg-lossless.dcm': fixture('ct/CT_small_jpeg_lossless.dcm'),
        'j2k.dcm': fixture('transfer-syntax/MR_small_jp2klossless.dcm'),
      },
      'wado-closed': { 'closed.dcm': makeDicom({ studyInstanceUid: '1.2.826.0.1.3680043.8.498.7171.2', rows: 16, columns: 16 }) },
      'wado-broken': { 'undecodable.dcm': new Uint8Array(await readFile(brokenFile)) },
    };
    for (const [project, files] of Object.entries(uploads)) {
      await submitFiles(site, project, 'site-a', files);
      await commons.idle();
    }
    closedStudy = (await curator.listStudies({ project: 'wado-closed' })).studies[0]!.studyUid;
    const brokenStudy = (await curator.listStudies({ project: 'wado-broken' })).studies[0]!.studyUid;

    client = dicomwebClient(commons.apiUrl, token);
    for (const s of await client.searchForStudies()) {
      const studyUid = value(s, '0020000D');
      if (studyUid === brokenStudy) {
        const [instance] = await client.searchForInstances({ studyInstanceUID: studyUid });
        undecodable = { study: studyUid, series: value(instance!, '0020000E'), sop: value(instance!, '00080018') };
        continue;
      }
      for (const instance of await client.searchForInstances({ studyInstanceUID: studyUid })) {
        const at = { study: studyUid, series: value(instance, '0020000E'), sop: value(instance, '00080018') };
        const syntax = value(instance, '00083002');
        const modality = value(instance, '00080060');
        if (syntax === JPEG_LOSSLESS) sop.jpegLossless = at;
        else if (syntax === J2K_LOSSLESS) sop.j2k = at;
        else if (modality === 'OT') sop.multi = at;
        else if (modality === 'CT') {
          sop.ct = at;
          ctStudyInstances = (await client.searchForInstances({ studyInstanceUID: studyUid })).length;
        }
      }
    }
  });

  afterAll(async () => {
    delete process.env.WADO_INLINE_MAX_BYTES;
    await commons?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('publishes what the test retrieves: a CT series with a multi-frame instance beside it, JPEG Lossless and JPEG 2000 as stored', () => {
    expect(Object.keys(sop).sort()).toEqual(['ct', 'j2k', 'jpegLossless', 'multi']);
    expect(sop.multi.study).toBe(sop.ct.study);
    expect(ctStudyInstances).toBe(3);
  });

  it('retrieves a study and a series as one DICOM part per instance, in Explicit VR Little Endian by default', async () => {
    const study = await client.retrieveStudy({ studyInstanceUID: sop.ct.study });
    expect(study).toHaveLength(3);
    const uids = study.map((part) => readDicomFile(new Uint8Array(part)).dict['00080018']?.Value?.[0]);
    expect(uids).toEqual(expect.arrayContaining([sop.ct.sop, sop.multi.sop]));
    expect(study.every((part) => syntaxOf(part) === EXPLICIT)).toBe(true);
    const series = await client.retrieveSeries({ studyInstanceUID: sop.ct.study, seriesInstanceUID: sop.multi.series });
    expect(series.map((part) => readDicomFile(new Uint8Array(part)).dict['00080018']?.Value?.[0])).toEqual([sop.multi.sop]);
    // Each part says its transfer syntax.
    const response = await fetch(`${commons.apiUrl}/dicomweb/studies/${sop.ct.study}`, {
      headers: { authorization: `Bearer ${token}`, accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' },
    });
    expect(response.headers.get('content-type')).toMatch(/^multipart\/related; type="application\/dicom"; boundary=/);
    expect(Buffer.from(await response.arrayBuffer()).toString('latin1')).toContain(
      `Content-Type: application/dicom; transfer-syntax=${EXPLICIT}`,
    );
  });

  it('retrieves JPEG Lossless and JPEG 2000 as stored, and as Explicit VR Little Endian with the pixel values of dcmtk and gdcm', async () => {
    for (const [at, syntax, tool] of [
      [sop.jpegLossless, JPEG_LOSSLESS, 'dcmdjpeg'],
      [sop.j2k, J2K_LOSSLESS, 'gdcmconv'],
    ] as const) {
      const ids = { studyInstanceUID: at.study, seriesInstanceUID: at.series, sopInstanceUID: at.sop };
      const stored = bytesOf((await retrieveAs(instancePath(at), syntax))[0]!);
      expect(syntaxOf(stored)).toBe(syntax);
      const any = bytesOf((await retrieveAs(instancePath(at), '*'))[0]!);
      expect(Buffer.compare(any, stored)).toBe(0);
      const explicit = bytesOf((await retrieveAs(instancePath(at), EXPLICIT))[0]!);
      expect(syntaxOf(explicit)).toBe(EXPLICIT);
      const ours = storedFrames(explicit);
      const theirs = storedFrames(await reference(stored, tool));
      expect(ours.frames).toHaveLength(1);
      expect(Buffer.compare(Buffer.from(ours.frames[0]!), Buffer.from(theirs.frames[0]!))).toBe(0);
      expect(readDicomFile(explicit).dict['00080018']?.Value?.[0]).toBe(at.sop);
      // The default of application/dicom is Explicit VR Little Endian.
      expect(syntaxOf(await client.retrieveInstance(ids))).toBe(EXPLICIT);
    }
  });

  it('answers 406 for a transfer syntax or media type it cannot produce, and 404 for a study the caller may not get', async () => {
    const ids = { studyInstanceUID: sop.ct.study, seriesInstanceUID: sop.ct.series, sopInstanceUID: sop.ct.sop };
    expect(await rejection(retrieveAs(instancePath(sop.ct), '1.2.840.10008.1.2.4.50'))).toBe(406);
    expect(await rejection(client.retrieveInstanceFrames({ ...ids, frameNumbers: '1', mediaTypes: [{ mediaType: 'image/jpeg' }] }))).toBe(
      406,
    );
    const q = await fetch(`${commons.apiUrl}/dicomweb/studies/${sop.jpegLossless.study}`, {
      headers: {
        authorization: `Bearer ${token}`,
        accept: `multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.4.50, multipart/related; type="application/dicom"; transfer-syntax=${JPEG_LOSSLESS}; q=0.5`,
      },
    });
    expect(q.status).toBe(200);
    expect(q.headers.get('content-type')).toMatch(/type="application\/dicom"/);
    expect(await rejection(client.retrieveStudy({ studyInstanceUID: closedStudy }))).toBe(404);
    expect(await rejection(client.retrieveStudyMetadata({ studyInstanceUID: closedStudy }))).toBe(404);
  });

  it('answers 406 with a value-free message, not 500, when stored pixel data cannot be decoded for the representation asked', async () => {
    const ask = (path: string, accept: string) =>
      fetch(`${commons.apiUrl}/dicomweb${path}`, { headers: { authorization: `Bearer ${token}`, accept } });
    const asExplicit = await ask(instancePath(undecodable), `multipart/related; type="application/dicom"; transfer-syntax=${EXPLICIT}`);
    expect(asExplicit.status).toBe(406);
    const { message } = (await asExplicit.json()) as { message: string };
    expect(message).toContain('transfer-syntax=*');
    expect(message).not.toMatch(/128|64|rows|columns/i);
    const nativeFrame = await ask(`${instancePath(undecodable)}/frames/1`, 'multipart/related; type="application/octet-stream"');
    expect(nativeFrame.status).toBe(406);
    // As stored it is still served.
    expect((await ask(instancePath(undecodable), 'multipart/related; type="application/dicom"; transfer-syntax=*')).status).toBe(200);
  });

  it('retrieves frames: native ones as octet-stream, compressed ones as stored or decoded; a frame beyond the last is 404', async () => {
    const multi = { studyInstanceUID: sop.multi.study, seriesInstanceUID: sop.multi.series, sopInstanceUID: sop.multi.sop };
    const frames = await client.retrieveInstanceFrames({ ...multi, frameNumbers: '1,3' });
    const frameBytes = 8 * 8 * 2;
    const native = Buffer.from(multiFrame.buffer);
    expect(frames.map((f) => bytesOf(f).toString('hex'))).toEqual([
      native.subarray(0, frameBytes).toString('hex'),
      native.subarray(2 * frameBytes, 3 * frameBytes).toString('hex'),
    ]);
    expect(await rejection(client.retrieveInstanceFrames({ ...multi, frameNumbers: '4' }))).toBe(404);

    const j2k = { studyInstanceUID: sop.j2k.study, seriesInstanceUID: sop.j2k.series, sopInstanceUID: sop.j2k.sop };
    const stored = bytesOf((await retrieveAs(instancePath(sop.j2k), '*'))[0]!);
    const [asStored] = await client.retrieveInstanceFrames({ ...j2k, frameNumbers: '1', mediaTypes: [{ mediaType: 'image/jp2' }] });
    expect(Buffer.compare(bytesOf(asStored!), Buffer.from(storedFrames(stored).frames[0]!))).toBe(0);
    // The Accept OHIF's image loader sends: the stored bitstream in an octet-stream part naming its syntax.
    const ohif = await fetch(`${commons.apiUrl}/dicomweb${instancePath(sop.j2k)}/frames/1`, {
      headers: { authorization: `Bearer ${token}`, accept: 'multipart/related; type=application/octet-stream; transfer-syntax=*' },
    });
    expect(ohif.headers.get('content-type')).toMatch(/^multipart\/related; type="application\/octet-stream"; boundary=/);
    const ohifParts = parseMultipart(new Uint8Array(await ohif.arrayBuffer()), boundaryOf(ohif.headers.get('content-type')!)!);
    expect(ohifParts.map((p) => p.headers['content-type'])).toEqual([`application/octet-stream; transfer-syntax=${J2K_LOSSLESS}`]);
    expect(Buffer.compare(ohifParts[0]!.body, Buffer.from(storedFrames(stored).frames[0]!))).toBe(0);
    const [decoded] = await client.retrieveInstanceFrames({ ...j2k, frameNumbers: '1' });
    const reference_ = storedFrames(await reference(stored, 'gdcmconv'));
    expect(Buffer.compare(bytesOf(decoded!), Buffer.from(reference_.frames[0]!))).toBe(0);
  });

  it('answers study, series and instance metadata in the Annex F model with BulkDataURIs that retrieve the bulk data', async () => {
    const study = await client.retrieveStudyMetadata({ studyInstanceUID: sop.ct.study });
    expect(study).toHaveLength(3);
    const series = await client.retrieveSeriesMetadata({ studyInstanceUID: sop.ct.study, seriesInstanceUID: sop.ct.series });
    expect(series).toHaveLength(2);
    const [multi] = await client.retrieveInstanceMetadata({
      studyInstanceUID: sop.multi.study,
      seriesInstanceUID: sop.multi.series,
      sopInstanceUID: sop.multi.sop,
    });
    expect(value(multi!, '00080018')).toBe(sop.multi.sop);
    for (const item of [...study, multi!]) {
      expect(JSON.stringify(item)).not.toContain('"Value":[""]');
      expect(item['7FE00010']).toEqual({ vr: 'OW', BulkDataURI: expect.stringMatching(/\/bulkdata\/7FE00010$/) });
    }
    // Pixel Data bulk data: the native frames, one value.
    const pixels = await client.retrieveBulkData({ BulkDataURI: multi!['7FE00010']!.BulkDataURI! });
    expect(pixels).toHaveLength(1);
    expect(bytesOf(pixels[0]!).toString('hex')).toBe(Buffer.from(multiFrame.buffer).toString('hex'));
    // A binary value above the inline limit, kept by de-identification: its own bulk data resource.
    expect(multi!['00281201']?.BulkDataURI).toMatch(/\/bulkdata\/00281201$/);
    const lut = await client.retrieveBulkData({ BulkDataURI: multi!['00281201']!.BulkDataURI! });
    expect(bytesOf(lut[0]!).toString('hex')).toBe(Buffer.from(palette).toString('hex'));

    // SpecificCharacterSet is the one the released instance stores, whatever dcmjs would rewrite it to.
    const ids = {
      studyInstanceUID: sop.jpegLossless.study,
      seriesInstanceUID: sop.jpegLossless.series,
      sopInstanceUID: sop.jpegLossless.sop,
    };
    const file = join(dataDir, 'charset.dcm');
    await writeFile(file, bytesOf((await retrieveAs(instancePath(sop.jpegLossless), '*'))[0]!));
    const { stdout } = await run('dcmdump', ['+P', '0008,0005', file]);
    const [ct] = await client.retrieveInstanceMetadata(ids);
    expect(stdout).toContain(`[${value(ct!, '00080005')}]`);
    expect(ct!['7FE00010']).toEqual({ vr: 'OB', BulkDataURI: expect.any(String) });
  });

  it('answers large retrieve, frames and metadata by a 303 to a body built once in S3, with the same content', async () => {
    const inline = await retrieveAs(`/studies/${sop.ct.study}`, '*');
    const inlineMetadata = await client.retrieveStudyMetadata({ studyInstanceUID: sop.ct.study });
    process.env.WADO_INLINE_MAX_BYTES = '1024';
    try {
      const path = `${commons.apiUrl}/dicomweb/studies/${sop.ct.study}`;
      const redirect = await fetch(path, { redirect: 'manual', headers: { authorization: `Bearer ${token}`, accept: '*/*' } });
      expect(redirect.status).toBe(303);
      expect(redirect.headers.get('location')).toMatch(/wado\//);
      const followed = await retrieveAs(`/studies/${sop.ct.study}`, '*');
      expect(followed.map((p) => bytesOf(p).toString('hex'))).toEqual(inline.map((p) => bytesOf(p).toString('hex')));
      expect(await client.retrieveStudyMetadata({ studyInstanceUID: sop.ct.study })).toEqual(inlineMetadata);
      const frames = await client.retrieveInstanceFrames({
        studyInstanceUID: sop.multi.study,
        seriesInstanceUID: sop.multi.series,
        sopInstanceUID: sop.multi.sop,
        frameNumbers: '1,2,3',
      });
      expect(Buffer.concat(frames.map(bytesOf)).toString('hex')).toBe(Buffer.from(multiFrame.buffer).toString('hex'));
    } finally {
      delete process.env.WADO_INLINE_MAX_BYTES;
    }
  });

  it('audits every retrieve with the instance, series or study it served', async () => {
    const admin = new HilumApi(commons.apiUrl, await commons.issueToken(['admin'], 'admin-wado'));
    const actions = async (action: string) =>
      (await admin.request<{ events: { action: string; targetType: string }[] }>('GET', `/audit?action=${action}&limit=200`)).events;
    expect((await actions('wado.retrieve')).map((e) => e.targetType)).toEqual(expect.arrayContaining(['study', 'series', 'object']));
    expect((await actions('wado.frames')).length).toBeGreaterThan(0);
    expect((await actions('wado.bulkdata')).length).toBeGreaterThan(0);
  });
});
