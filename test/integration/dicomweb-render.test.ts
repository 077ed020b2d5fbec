/**
 * Rendered resources and thumbnails on the local commons, driven by dicomweb-client (the
 * client OHIF uses) where it has the call and by fetch where it has none (series and study
 * rendered and thumbnails): a thumbnail for every published series; rendered instances and
 * frames compared with dcmtk's dcmj2pnm on the published (de-identified) instance as WADO-RS
 * returns it; series rendered as multipart, one image per frame; JPEG and PNG by Accept; 406,
 * 400, 404 like the rest of the API; a large answer through a 303 to S3; every render audited.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decode as decodeJpeg } from 'jpeg-js';
import { startLocalCommons, type LocalCommons } from '../../local/commons';
import { HilumApi } from '../../cli/lib/api-client';
import { submitFiles } from '../support/projects';
import { boundaryOf, parseMultipart } from '../../layers/dicomweb';
import { readDicomFile, writeDicomFile } from '../../layers/dicom';
import { SYNTHETIC_PHI, makeDicom, makeSeries } from '../support/synthetic-dicom';
import { dicomwebClient, type DicomJson, type DicomwebClient } from '../support/dicomweb-client';
import { decodePng, decodePnm, difference } from '../support/images';

jest.setTimeout(240_000);
const run = promisify(execFile);
const FIXTURES = join(__dirname, '../fixtures/dicom');
const fixture = (path: string) => new Uint8Array(readFileSync(join(FIXTURES, path)));

/** The SR sample moved into a study as its first series (Series Number 0): an object without pixels among images. */
function reportInStudy(studyUid: string): Uint8Array {
  const sr = readDicomFile(fixture('sequences/test-SR.dcm'));
  sr.dict['0020000D'] = { vr: 'UI', Value: [studyUid] };
  sr.dict['00200011'] = { vr: 'IS', Value: [0] };
  sr.dict['00100020'] = { vr: 'LO', Value: [SYNTHETIC_PHI.patientId] };
  sr.dict['00100010'] = { vr: 'PN', Value: [{ Alphabetic: SYNTHETIC_PHI.patientName }] };
  return writeDicomFile(sr);
}

const value = (item: DicomJson, tag: string) => item[tag]?.Value?.[0] as string;

describe('DICOMweb rendered resources and thumbnails', () => {
  let dataDir: string;
  let commons: LocalCommons;
  let token: string;
  let client: DicomwebClient;
  let restrictedStudy: string;
  /** Every published series the researcher may see: study, series and its instances (SOP UIDs, in instance order). */
  const published: { study: string; series: string; modality: string; instances: string[] }[] = [];

  const get = async (path: string, accept?: string, redirect: 'follow' | 'manual' = 'follow') => {
    const response = await fetch(`${commons.apiUrl}/dicomweb${path}`, {
      redirect,
      headers: { authorization: `Bearer ${token}`, ...(accept ? { accept } : {}) },
    });
    return {
      status: response.status,
      type: response.headers.get('content-type') ?? '',
      location: response.headers.get('location'),
      bytes: new Uint8Array(await response.arrayBuffer()),
    };
  };

  /** The published instance as WADO-RS returns it, for dcmj2pnm. */
  async function publishedFile(study: string, series: string, sop: string): Promise<string> {
    const res = await get(`/studies/${study}/series/${series}/instances/${sop}`, 'multipart/related; type="application/dicom"');
    const part = parseMultipart(res.bytes, boundaryOf(res.type)!)[0]!;
    const file = join(dataDir, `${sop}.dcm`);
    await writeFile(file, part.body);
    return file;
  }

  async function dcmj2pnm(file: string, args: readonly string[]) {
    const out = join(dataDir, 'ref.pnm');
    await run('dcmj2pnm', ['-q', '-O', ...args, '+op', file, out]);
    return decodePnm(await readFile(out));
  }

  /** The one image of a rendered or thumbnail answer, as dicomweb-client hands it over (a list of parts). */
  const single = (parts: ArrayBuffer[]): Uint8Array => {
    expect(parts).toHaveLength(1);
    return new Uint8Array(parts[0]!);
  };

  /** A published series by modality; CT has two: the synthetic one (three instances) and the JPEG Lossless sample (one). */
  const seriesOf = (modality: string, instances?: number) =>
    published.find((p) => p.modality === modality && (instances === undefined || p.instances.length === instances))!;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-render-'));
    commons = await startLocalCommons({
      dataDir: join(dataDir, 'commons'),
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'ERROR',
    });
    token = await commons.issueToken(['researcher'], 'viewer');
    const curator = new HilumApi(commons.apiUrl, await commons.issueToken(['curator'], 'curator-r'));
    const site = new HilumApi(commons.apiUrl, await commons.issueToken(['site-uploader:site-a'], 'uploader-r'));
    await curator.request('POST', '/projects', { projectId: 'render-open', name: 'open', availability: 'open', sites: ['site-a'] });
    await curator.request('POST', '/projects', {
      projectId: 'render-closed',
      name: 'closed',
      availability: 'restricted',
      sites: ['site-a'],
    });
    // MR, secondary captures and a report (no pixels) in scope; the CR sample declares burned-in annotation: reviewed pixels are not this test's subject.
    await curator.request('PUT', '/projects/render-open/qa-config', {
      modalities: ['CR', 'CT', 'MR', 'OT', 'SR'],
      pixelReviewSopClasses: [],
      rules: { 'deid.pixel-review': 'warn', 'scope.sop-class': 'warn', 'iod.type1': 'warn', 'pixel.present': 'warn' },
    });

    const study = '1.2.826.0.1.3680043.8.498.9191.1';
    const rgb = new Uint8Array(32 * 32 * 3).map((_, i) => (i * 5) % 256);
    const uploads: Record<string, Record<string, Uint8Array>> = {
      'render-open': {
        // One study of two series: CT (three slices) and an RGB secondary capture.
        ...Object.fromEntries(
          makeSeries(3, { modality: 'CT', rows: 64, columns: 48, studyInstanceUid: study, seriesInstanceUid: `${study}.1` }).map((b, i) => [
            `ct${i}.dcm`,
            b,
          ]),
        ),
        'report.dcm': reportInStudy(study),
        'rgb.dcm': makeDicom({
          modality: 'OT',
          rows: 32,
          columns: 32,
          studyInstanceUid: study,
          seriesInstanceUid: `${study}.2`,
          seriesNumber: 2,
          elements: {
            '00280002': { vr: 'US', Value: [3] },
            '00280004': { vr: 'CS', Value: ['RGB'] },
            '00280006': { vr: 'US', Value: [0] },
            '00280100': { vr: 'US', Value: [8] },
            '00280101': { vr: 'US', Value: [8] },
            '00280102': { vr: 'US', Value: [7] },
            '7FE00010': { vr: 'OB', Value: [rgb.buffer] },
          },
        }),
        // Public samples, each its own study: MONOCHROME1 CR with rescale and a window; RLE-compressed MR with a window.
        'cr.dcm': fixture('patient-77654033/cr-cspine/CR1_6154.dcm'),
        'mr-rle.dcm': fixture('transfer-syntax/MR_small_RLE.dcm'),
        'ct-jpeg-lossless.dcm': fixture('ct/CT_small_jpeg_lossless.dcm'),
      },
      'render-closed': { 'closed.dcm': makeDicom({ studyInstanceUid: '1.2.826.0.1.3680043.8.498.9191.2', rows: 32, columns: 32 }) },
    };
    for (const [project, files] of Object.entries(uploads)) {
      await submitFiles(site, project, 'site-a', files);
      await commons.idle();
    }
    restrictedStudy = (await curator.listStudies({ project: 'render-closed' })).studies[0]!.studyUid;

    client = dicomwebClient(commons.apiUrl, token);
    for (const s of await client.searchForStudies()) {
      const studyUid = value(s, '0020000D');
      for (const series of await client.searchForSeries({ studyInstanceUID: studyUid })) {
        const seriesUid = value(series, '0020000E');
        const instances = await client.searchForInstances({ studyInstanceUID: studyUid, seriesInstanceUID: seriesUid });
        published.push({
          study: studyUid,
          series: seriesUid,
          modality: value(series, '00080060'),
          instances: instances.map((i) => value(i, '00080018')),
        });
      }
    }
  });

  afterAll(async () => {
    delete process.env.WADO_INLINE_MAX_BYTES;
    await commons?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('publishes the six series the test needs (two CT, OT, CR, MR, SR; the restricted one hidden)', () => {
    expect(published.map((p) => p.modality).sort()).toEqual(['CR', 'CT', 'CT', 'MR', 'OT', 'SR']);
    expect(seriesOf('CT', 3)).toBeDefined();
    expect(seriesOf('CT', 1)).toBeDefined();
  });

  it('answers a thumbnail for every published series with pixels, and for its study and instances', async () => {
    for (const { study, series, instances } of published.filter((p) => p.modality !== 'SR')) {
      const thumb = await get(`/studies/${study}/series/${series}/thumbnail`);
      expect(thumb.status).toBe(200);
      expect(thumb.type).toBe('image/jpeg');
      const image = decodeJpeg(thumb.bytes, { useTArray: true });
      expect(Math.max(image.width, image.height)).toBeLessThanOrEqual(128);
      expect(image.width * image.height).toBeGreaterThan(0);

      const viaClient = single(
        await client.retrieveInstanceThumbnail({
          studyInstanceUID: study,
          seriesInstanceUID: series,
          sopInstanceUID: instances[0]!,
          mediaTypes: [{ mediaType: 'image/png' }],
        }),
      );
      expect(decodePng(viaClient).width).toBeLessThanOrEqual(128);
      expect((await get(`/studies/${study}/thumbnail`, 'image/png')).type).toBe('image/png');
    }
  });

  it('renders an instance as dcmj2pnm renders the published file: header window, MONOCHROME1, RLE, JPEG Lossless, RGB', async () => {
    for (const [modality, count, args, tolerance] of [
      ['CR', 1, ['+Wi', '1'], 1],
      ['MR', 1, ['+Wi', '1'], 0],
      ['CT', 3, ['+Wm'], 0],
      ['CT', 1, ['+Wm'], 0],
      ['OT', 1, [], 0],
    ] as const) {
      const { study, series, instances } = seriesOf(modality, count);
      const rendered = single(
        await client.retrieveInstanceRendered({
          studyInstanceUID: study,
          seriesInstanceUID: series,
          sopInstanceUID: instances[0]!,
          mediaTypes: [{ mediaType: 'image/png' }],
        }),
      );
      const reference = await dcmj2pnm(await publishedFile(study, series, instances[0]!), args);
      expect(difference(decodePng(rendered), reference).max).toBeLessThanOrEqual(tolerance);
    }
  });

  it('applies a requested window and viewport, and renders frames by number', async () => {
    const { study, series, instances } = seriesOf('MR');
    const file = await publishedFile(study, series, instances[0]!);
    const windowed = single(
      await client.retrieveInstanceFramesRendered({
        studyInstanceUID: study,
        seriesInstanceUID: series,
        sopInstanceUID: instances[0]!,
        frameNumbers: [1],
        mediaTypes: [{ mediaType: 'image/png' }],
        queryParams: { window: '300,800,linear' },
      }),
    );
    expect(difference(decodePng(windowed), await dcmj2pnm(file, ['+Ww', '300', '800'])).max).toBe(0);

    const region = await get(
      `/studies/${study}/series/${series}/instances/${instances[0]}/rendered?viewport=20,10,8,16,20,10`,
      'image/png',
    );
    expect(difference(decodePng(region.bytes), await dcmj2pnm(file, ['+Wi', '1', '+C', '8', '16', '20', '10'])).max).toBeLessThanOrEqual(1);

    const small = await get(`/studies/${study}/series/${series}/instances/${instances[0]}/rendered?viewport=32,32&quality=60`);
    expect(small.type).toBe('image/jpeg');
    expect(decodeJpeg(small.bytes, { useTArray: true })).toMatchObject({ width: 32, height: 32 });
    expect((await get(`/studies/${study}/series/${series}/instances/${instances[0]}/frames/2/rendered`)).status).toBe(404);
  });

  it('renders a series and a study as multipart/related, one image per frame in instance order, and several frames as several parts', async () => {
    const { study, series, instances } = seriesOf('CT', 3);
    const res = await get(`/studies/${study}/series/${series}/rendered`, 'multipart/related; type="image/png"');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^multipart\/related; type="image\/png"; boundary=/);
    const parts = parseMultipart(res.bytes, boundaryOf(res.type)!);
    expect(parts).toHaveLength(3);
    for (const [i, part] of parts.entries()) {
      expect(part.headers['content-type']).toBe('image/png');
      const reference = await dcmj2pnm(await publishedFile(study, series, instances[i]!), ['+Wm']);
      expect(difference(decodePng(part.body), reference).max).toBe(0);
    }

    // The study: its CT series (three instances) then its RGB secondary capture, as JPEG by default; its report has no image.
    const wholeStudy = await get(`/studies/${study}/rendered`);
    expect(wholeStudy.type).toMatch(/^multipart\/related; type="image\/jpeg"; boundary=/);
    const studyParts = parseMultipart(wholeStudy.bytes, boundaryOf(wholeStudy.type)!);
    expect(studyParts).toHaveLength(4);
    expect(decodeJpeg(studyParts[3]!.body, { useTArray: true })).toMatchObject({ width: 32, height: 32 });

    // Several frame numbers: one part each, in the order asked.
    const frames = await get(`/studies/${study}/series/${series}/instances/${instances[0]}/frames/1,1/rendered`, 'image/png');
    expect(parseMultipart(frames.bytes, boundaryOf(frames.type)!).map((p) => p.headers['content-type'])).toEqual([
      'image/png',
      'image/png',
    ]);
  });

  it('skips an object without pixels: its study still has a thumbnail and its render, the object itself is 422', async () => {
    const report = seriesOf('SR');
    // The report is the study's first series (Series Number 0), yet the study's thumbnail is an image.
    const thumb = await get(`/studies/${report.study}/thumbnail`, 'image/png');
    expect(thumb.status).toBe(200);
    expect(decodePng(thumb.bytes).width).toBeGreaterThan(0);
    expect((await get(`/studies/${report.study}/series/${report.series}/instances/${report.instances[0]}/rendered`)).status).toBe(422);
    expect((await get(`/studies/${report.study}/series/${report.series}/thumbnail`)).status).toBe(422);
  });

  it('refuses what it cannot answer like the rest of the API: 406, 400, 404', async () => {
    const { study, series, instances } = seriesOf('CT', 3);
    const instance = `/studies/${study}/series/${series}/instances/${instances[0]}`;
    expect((await get(`${instance}/rendered`, 'image/gif')).status).toBe(406);
    expect((await get(`${instance}/rendered?window=40`)).status).toBe(400);
    expect((await get(`${instance}/rendered?viewport=0,0`)).status).toBe(400);
    expect((await get(`${instance}/frames/0/rendered`)).status).toBe(400);
    expect((await get(`/studies/${restrictedStudy}/thumbnail`)).status).toBe(404);
    expect((await get(`/studies/${restrictedStudy}/series/${series}/instances/${instances[0]}/rendered`)).status).toBe(404);
  });

  it('answers a render above the inline limit with a 303 to the same image in S3', async () => {
    const { study, series, instances } = seriesOf('CT', 3);
    const path = `/studies/${study}/series/${series}/instances/${instances[0]}/rendered`;
    const inline = await get(path, 'image/png');
    process.env.WADO_INLINE_MAX_BYTES = '64';
    try {
      const redirect = await get(path, 'image/png', 'manual');
      expect(redirect.status).toBe(303);
      expect(redirect.location).toMatch(/\/rendered\//);
      const followed = await get(path, 'image/png');
      expect(followed.type).toBe('image/png');
      expect(Buffer.compare(Buffer.from(followed.bytes), Buffer.from(inline.bytes))).toBe(0);
    } finally {
      delete process.env.WADO_INLINE_MAX_BYTES;
    }
  });

  it('audits every render with the instance or series it served', async () => {
    const admin = new HilumApi(commons.apiUrl, await commons.issueToken(['admin'], 'admin-r'));
    const { events } = await admin.request<{ events: { action: string; targetType: string }[] }>(
      'GET',
      '/audit?action=wado.thumbnail&limit=100',
    );
    expect(events.length).toBeGreaterThanOrEqual(published.length - 1);
    const rendered = await admin.request<{ events: { action: string }[] }>('GET', '/audit?action=wado.rendered&limit=100');
    expect(rendered.events.length).toBeGreaterThan(0);
  });
});
