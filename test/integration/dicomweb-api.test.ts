/**
 * DICOMweb reads on the local commons: QIDO-RS answers DICOM JSON for studies,
 * series and instances with the standard query keys; WADO-RS returns an instance as
 * multipart/related (read back with dcmjs and dcmtk's dcmdump), and a large one
 * through a 303 to a presigned multipart object; metadata is the de-identified
 * header, Pixel Data by BulkDataURI. Everything filtered by the caller's access.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startLocalCommons, LocalCommons } from '../../local/commons';
import { HilumApi } from '../../cli/lib/api-client';
import { boundaryOf, parseMultipart } from '../../layers/dicomweb';
import { readDicomFile } from '../../layers/dicom/dcmjs';
import { makeSeries } from '../support/synthetic-dicom';

jest.setTimeout(240_000);
const run = promisify(execFile);

type Json = Record<string, { vr: string; Value?: unknown[]; InlineBinary?: string }>;

describe('DICOMweb (QIDO-RS, WADO-RS)', () => {
  let dataDir: string;
  let commons: LocalCommons;
  let token: string;
  let curator: HilumApi;
  let openStudy: string;
  let restrictedStudy: string;

  const get = async (path: string, accept?: string, redirect: 'follow' | 'manual' = 'follow') => {
    const response = await fetch(`${commons.apiUrl}/dicomweb${path}`, {
      redirect,
      headers: { authorization: `Bearer ${token}`, ...(accept ? { accept } : {}) },
    });
    return {
      status: response.status,
      type: response.headers.get('content-type') ?? '',
      location: response.headers.get('location'),
      bytes: Buffer.from(await response.arrayBuffer()),
    };
  };
  const json = async (path: string) => {
    const res = await get(path, 'application/dicom+json');
    return { ...res, body: res.bytes.length ? (JSON.parse(res.bytes.toString('utf8')) as Json[]) : [] };
  };
  const value = (item: Json, tag: string) => item[tag]?.Value?.[0];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-dicomweb-'));
    commons = await startLocalCommons({
      dataDir: join(dataDir, 'commons'),
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'ERROR',
    });
    token = await commons.issueToken(['researcher'], 'viewer');
    curator = new HilumApi(commons.apiUrl, await commons.issueToken(['curator'], 'curator-w'));
    const site = new HilumApi(commons.apiUrl, await commons.issueToken(['site-uploader:site-a'], 'uploader-w'));
    await curator.request('POST', '/projects', { projectId: 'web-open', name: 'open', availability: 'open', sites: ['site-a'] });
    await curator.request('POST', '/projects', {
      projectId: 'web-restricted',
      name: 'restricted',
      availability: 'restricted',
      sites: ['site-a'],
    });
    for (const [project, n, study] of [
      ['web-open', 3, '1.2.826.0.1.3680043.8.498.8888.1'],
      ['web-restricted', 1, '1.2.826.0.1.3680043.8.498.8888.2'],
    ] as const) {
      const { submissionId } = await site.createSubmission(project, 'site-a');
      const files = makeSeries(n, { modality: 'CT', rows: 64, columns: 64, studyInstanceUid: study, seriesInstanceUid: `${study}.1` }).map(
        (bytes, i) => ({ name: `w${i}.dcm`, bytes }),
      );
      const { uploads } = await site.requestUploads(
        submissionId,
        files.map((f) => ({ name: f.name, size: f.bytes.byteLength })),
      );
      for (const u of uploads) await fetch(u.url!, { method: 'PUT', body: files.find((f) => f.name === u.name)!.bytes });
      await site.completeSubmission(submissionId);
      await commons.idle();
    }
    openStudy = (await curator.listStudies({ project: 'web-open' })).studies[0]!.studyUid;
    restrictedStudy = (await curator.listStudies({ project: 'web-restricted' })).studies[0]!.studyUid;
  });

  afterAll(async () => {
    delete process.env.WADO_INLINE_MAX_BYTES;
    await commons?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('QIDO-RS lists the studies the caller may get, in DICOM JSON, with standard matching, limit and offset', async () => {
    const all = await json('/studies');
    expect(all.status).toBe(200);
    expect(all.type).toBe('application/dicom+json');
    expect(all.body.map((s) => value(s, '0020000D'))).toEqual([openStudy]);
    expect(all.body[0]!['00080061']).toEqual({ vr: 'CS', Value: ['CT'] });
    expect(value(all.body[0]!, '00201208')).toBe(3);
    expect(value(all.body[0]!, '00081190')).toBe(`${commons.apiUrl}/dicomweb/studies/${openStudy}`);
    expect((await json(`/studies?StudyInstanceUID=${openStudy}`)).body).toHaveLength(1);
    expect((await json(`/studies?0020000D=${restrictedStudy}`)).status).toBe(204);
    expect((await json('/studies?ModalitiesInStudy=MR')).status).toBe(204);
    expect((await json('/studies?ModalitiesInStudy=CT&limit=1&offset=1')).status).toBe(204);
    // PatientName is matched (against the pseudonym de-identification wrote), no longer refused.
    expect((await json('/studies?PatientName=DOE*')).status).toBe(204);
  });

  it('QIDO-RS lists series and instances of a study; a study the caller may not get is 404', async () => {
    const series = await json(`/studies/${openStudy}/series`);
    expect(series.body).toHaveLength(1);
    const seriesUid = value(series.body[0]!, '0020000E') as string;
    expect(series.body[0]!).toMatchObject({ '00080060': { vr: 'CS', Value: ['CT'] }, '00201209': { vr: 'IS', Value: [3] } });
    const instances = await json(`/studies/${openStudy}/series/${seriesUid}/instances`);
    expect(instances.body.map((i) => value(i, '00200013'))).toEqual([1, 2, 3]);
    expect(instances.body.every((i) => value(i, '00080016') === '1.2.840.10008.5.1.4.1.1.2')).toBe(true);
    expect((await json(`/studies/${openStudy}/series/${seriesUid}/instances?limit=2&offset=2`)).body).toHaveLength(1);
    expect((await json(`/studies/${restrictedStudy}/series`)).status).toBe(404);
  });

  it('WADO-RS returns an instance as multipart/related that dcmjs and dcmdump read', async () => {
    const series = (await json(`/studies/${openStudy}/series`)).body[0]!;
    const seriesUid = value(series, '0020000E') as string;
    const instance = (await json(`/studies/${openStudy}/series/${seriesUid}/instances`)).body[0]!;
    const sop = value(instance, '00080018') as string;
    const res = await get(`/studies/${openStudy}/series/${seriesUid}/instances/${sop}`, 'multipart/related; type="application/dicom"');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^multipart\/related; type="application\/dicom"; boundary=/);
    const parts = parseMultipart(res.bytes, boundaryOf(res.type)!);
    expect(parts).toHaveLength(1);
    expect(parts[0]!.headers['content-type']).toBe('application/dicom; transfer-syntax=1.2.840.10008.1.2.1');
    const dicom = parts[0]!.body;
    expect(readDicomFile(dicom).dict['00080018']?.Value?.[0]).toBe(sop);
    const file = join(dataDir, 'wado.dcm');
    await writeFile(file, dicom);
    const { stdout } = await run('dcmdump', ['+P', '0008,0018', '+P', '0012,0062', file]);
    expect(stdout).toContain(`[${sop}]`);
    expect(stdout).toMatch(/\(0012,0062\) CS \[YES\]/);

    await expect(get(`/studies/${openStudy}/series/${seriesUid}/instances/${sop}`, 'application/json')).resolves.toMatchObject({
      status: 406,
    });
    expect((await get(`/studies/${restrictedStudy}/series/${seriesUid}/instances/${sop}`)).status).toBe(404);

    // Above the inline limit: a 303 to a presigned multipart object, with the same bytes.
    process.env.WADO_INLINE_MAX_BYTES = '1024';
    try {
      const redirect = await get(`/studies/${openStudy}/series/${seriesUid}/instances/${sop}`, undefined, 'manual');
      expect(redirect.status).toBe(303);
      expect(redirect.location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.*wado\//);
      const followed = await get(`/studies/${openStudy}/series/${seriesUid}/instances/${sop}`);
      expect(followed.type).toMatch(/^multipart\/related; type="application\/dicom"; boundary=/);
      const big = parseMultipart(followed.bytes, boundaryOf(followed.type)!);
      expect(big).toHaveLength(1);
      expect(Buffer.compare(big[0]!.body, dicom)).toBe(0);
    } finally {
      delete process.env.WADO_INLINE_MAX_BYTES;
    }
  });

  it('WADO-RS metadata is the de-identified header of each instance, Pixel Data by BulkDataURI', async () => {
    const metadata = await json(`/studies/${openStudy}/metadata`);
    expect(metadata.status).toBe(200);
    expect(metadata.body).toHaveLength(3);
    for (const item of metadata.body) {
      expect(item['7FE00010']).toEqual({ vr: 'OW', BulkDataURI: expect.stringMatching(/\/bulkdata\/7FE00010$/) });
      expect(value(item, '0020000D')).toBe(openStudy);
      expect(value(item, '00120062')).toBe('YES');
      expect(item['00280010']).toEqual({ vr: 'US', Value: [64] });
    }
    const seriesUid = value(metadata.body[0]!, '0020000E') as string;
    expect((await json(`/studies/${openStudy}/series/${seriesUid}/metadata`)).body).toHaveLength(3);
    expect((await json(`/studies/${restrictedStudy}/metadata`)).status).toBe(404);
  });
});
