/**
 * STOW-RS on the local commons, driven by dicomweb-client (the client OHIF uses): a site
 * uploader stores instances into its open submission; they go through the pipeline like any
 * upload and end up published where the Retrieve URLs of the Store Instances Response said.
 * A part that is not DICOM, or of another study than the path's, is reported in the Failed
 * SOP Sequence while the others are stored; the request limits (hilum's 4 MiB, API Gateway's
 * 10 MB) and refusals answer as docs/dicomweb.md says.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCommons, LocalCommons } from '../../local/commons';
import { HilumApi } from '../../cli/lib/api-client';
import { multipartBody, multipartContentType, newBoundary, STOW_MAX_BODY_BYTES } from '../../layers/dicomweb';
import { readDicomFile } from '../../layers/dicom/dcmjs';
import { makeDicom, makeSeries } from '../support/synthetic-dicom';
import { dicomwebClient, isDicomwebClientError, type DicomJson } from '../support/dicomweb-client';
import { XhrOverFetch } from '../support/xhr-over-fetch';

jest.setTimeout(120_000);

const PROJECT = 'stow-open';
const SITE = 'site-stow';
const CT = '1.2.840.10008.5.1.4.1.1.2';
const STUDY_A = '1.2.826.0.1.3680043.8.498.7001';
const STUDY_B = '1.2.826.0.1.3680043.8.498.7002';
const STUDY_C = '1.2.826.0.1.3680043.8.498.7003';
const STUDY_D = '1.2.826.0.1.3680043.8.498.7004';

const PORTAL_ORIGIN = 'http://localhost:5173';

const FAILED_SOP_SEQUENCE = '00081198';
const REFERENCED_SOP_SEQUENCE = '00081199';
const RETRIEVE_URL = '00081190';
const SOP_CLASS = '00081150';
const SOP_INSTANCE = '00081155';
const FAILURE_REASON = '00081197';

const arrayBuffer = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer as ArrayBuffer;
const items = (response: DicomJson, tag: string) => (response[tag]?.Value ?? []) as DicomJson[];
const first = (item: DicomJson, tag: string) => item[tag]?.Value?.[0];
const sopOf = (bytes: Uint8Array) => readDicomFile(bytes).dict['00080018']?.Value?.[0] as string;

describe('DICOMweb STOW-RS', () => {
  let dataDir: string;
  let commons: LocalCommons;
  let site: HilumApi;
  let siteToken: string;
  let researcherToken: string;

  /** STOW-RS through dicomweb-client into a submission; its own XHR instance keeps the HTTP status. */
  const store = async (submissionId: string, datasets: Uint8Array[], studyInstanceUID?: string) => {
    const xhr = new XhrOverFetch();
    const client = dicomwebClient(commons.apiUrl, siteToken, { 'X-Hilum-Submission': submissionId });
    let text: unknown;
    try {
      text = await client.storeInstances({
        datasets: datasets.map(arrayBuffer),
        ...(studyInstanceUID ? { studyInstanceUID } : {}),
        request: { instance: xhr },
      });
    } catch (error) {
      if (!isDicomwebClientError(error)) throw error;
      text = error.response;
    }
    expect(xhr.getResponseHeader('content-type')).toBe('application/dicom+json');
    return { status: xhr.status, body: JSON.parse(String(text)) as DicomJson };
  };

  /** STOW-RS by hand, for what dicomweb-client cannot send (other media types, bodies too large). */
  const post = async (path: string, body: Uint8Array, contentType: string, token = siteToken, accept?: string) => {
    const response = await fetch(`${commons.apiUrl}/dicomweb${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType, ...(accept ? { accept } : {}) },
      body,
    });
    return { status: response.status, text: await response.text() };
  };

  /** Seals the submission and waits for the pipeline; an S3 event may still be on its way when the commons first looks idle. */
  const published = async (submissionId: string) => {
    await site.completeSubmission(submissionId);
    for (const deadline = Date.now() + 60_000; ;) {
      await commons.idle();
      const submission = await site.getSubmission(submissionId);
      if (submission.status === 'published' || Date.now() > deadline) return submission;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-stow-'));
    commons = await startLocalCommons({
      dataDir: join(dataDir, 'commons'),
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'ERROR',
      corsOrigins: [PORTAL_ORIGIN],
    });
    const curator = new HilumApi(commons.apiUrl, await commons.issueToken(['curator'], 'curator-stow'));
    await curator.request('POST', '/projects', { projectId: PROJECT, name: 'stow', availability: 'open', sites: [SITE] });
    siteToken = await commons.issueToken([`site-uploader:${SITE}`], 'pacs-stow');
    site = new HilumApi(commons.apiUrl, siteToken);
    researcherToken = await commons.issueToken(['researcher'], 'viewer-stow');
  });

  afterAll(async () => {
    await commons?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('stores several instances (200) that end up published where their Retrieve URLs say', async () => {
    const { submissionId } = await site.createSubmission(PROJECT, SITE);
    const series = makeSeries(3, { modality: 'CT', rows: 32, columns: 32, studyInstanceUid: STUDY_A, seriesInstanceUid: `${STUDY_A}.1` });

    const { status, body } = await store(submissionId, series, STUDY_A);

    expect(status).toBe(200);
    expect(body[FAILED_SOP_SEQUENCE]).toBeUndefined();
    const referenced = items(body, REFERENCED_SOP_SEQUENCE);
    expect(referenced.map((item) => first(item, SOP_INSTANCE))).toEqual(series.map(sopOf));
    expect(referenced.every((item) => first(item, SOP_CLASS) === CT)).toBe(true);
    const studyUrl = first(body, RETRIEVE_URL) as string;
    expect(studyUrl).toMatch(new RegExp(`^${commons.apiUrl}/dicomweb/studies/2\\.25\\.\\d+$`));
    const urls = referenced.map((item) => first(item, RETRIEVE_URL) as string);
    for (const url of urls) expect(url.startsWith(`${studyUrl}/series/2.25.`)).toBe(true);

    const submission = await published(submissionId);
    expect(submission).toMatchObject({ status: 'published', fileCount: 3, stagedCount: 3, quarantinedCount: 0 });

    // A researcher finds them by QIDO-RS and retrieves each by WADO-RS at the Retrieve URL it was given.
    const researcher = dicomwebClient(commons.apiUrl, researcherToken);
    const [studyInstanceUID, , seriesInstanceUID] = urls[0]!.slice(`${commons.apiUrl}/dicomweb/studies/`.length).split('/');
    const found = await researcher.searchForInstances({ studyInstanceUID, seriesInstanceUID });
    expect(found.map((item) => first(item, '00080018')).sort()).toEqual(urls.map((url) => url.split('/').pop()).sort());
    for (const url of urls) {
      const sopInstanceUID = url.split('/').pop();
      const instance = await researcher.retrieveInstance({ studyInstanceUID, seriesInstanceUID, sopInstanceUID });
      const retrieved = readDicomFile(new Uint8Array(instance)).dict;
      expect(retrieved['00080018']?.Value?.[0]).toBe(sopInstanceUID);
      expect(retrieved['00120062']?.Value?.[0]).toBe('YES'); // de-identified on the way in
    }
  });

  it('reports a part that is not DICOM and an instance of another study in the Failed SOP Sequence (202) and stores the others', async () => {
    const { submissionId } = await site.createSubmission(PROJECT, SITE);
    const good = makeSeries(2, { modality: 'CT', rows: 32, columns: 32, studyInstanceUid: STUDY_B, seriesInstanceUid: `${STUDY_B}.1` });
    const otherStudy = makeDicom({ modality: 'CT', rows: 32, columns: 32, studyInstanceUid: STUDY_C, seriesInstanceUid: `${STUDY_C}.1` });
    const notDicom = new TextEncoder().encode('this is a scanned referral letter, not a DICOM instance');

    const { status, body } = await store(submissionId, [good[0]!, notDicom, otherStudy, good[1]!], STUDY_B);

    expect(status).toBe(202);
    expect(items(body, REFERENCED_SOP_SEQUENCE).map((item) => first(item, SOP_INSTANCE))).toEqual(good.map(sopOf));
    expect(items(body, FAILED_SOP_SEQUENCE)).toEqual([
      { [FAILURE_REASON]: { vr: 'US', Value: [0xc000] } },
      {
        [SOP_CLASS]: { vr: 'UI', Value: [CT] },
        [SOP_INSTANCE]: { vr: 'UI', Value: [sopOf(otherStudy)] },
        [FAILURE_REASON]: { vr: 'US', Value: [0xa900] },
      },
    ]);

    // Only the stored two became files of the submission, and they are published.
    const submission = await published(submissionId);
    expect(submission).toMatchObject({ status: 'published', fileCount: 2, stagedCount: 2, quarantinedCount: 0 });
    const url = first(items(body, REFERENCED_SOP_SEQUENCE)[0]!, RETRIEVE_URL) as string;
    const [studyInstanceUID, , seriesInstanceUID] = url.slice(`${commons.apiUrl}/dicomweb/studies/`.length).split('/');
    expect(first(body, RETRIEVE_URL)).toBe(`${commons.apiUrl}/dicomweb/studies/${studyInstanceUID}`);
    const researcher = dicomwebClient(commons.apiUrl, researcherToken);
    expect(await researcher.searchForInstances({ studyInstanceUID, seriesInstanceUID })).toHaveLength(2);
  });

  it('answers 409 with the Failed SOP Sequence when no part can be stored, and announces nothing', async () => {
    const { submissionId } = await site.createSubmission(PROJECT, SITE);
    const otherStudy = makeDicom({ studyInstanceUid: STUDY_C });

    const { status, body } = await store(submissionId, [otherStudy, new Uint8Array(200)], STUDY_B);

    expect(status).toBe(409);
    expect(body[REFERENCED_SOP_SEQUENCE]).toBeUndefined();
    expect(body[RETRIEVE_URL]).toEqual({ vr: 'UR' });
    expect(items(body, FAILED_SOP_SEQUENCE).map((item) => first(item, FAILURE_REASON))).toEqual([0xa900, 0xc000]);
    expect((await site.getSubmission(submissionId)).fileCount).toBe(0);
  });

  it("refuses a body above 4 MiB (413, naming the site gateway's STOW-RS and presigned uploads, which take the instance into the same submission) and API Gateway refuses one above 10 MB", async () => {
    const { submissionId } = await site.createSubmission(PROJECT, SITE);
    const boundary = newBoundary();
    const stowOf = (bytes: Uint8Array) => multipartBody(boundary, [{ contentType: 'application/dicom', body: bytes }]);
    const large = makeDicom({ modality: 'CT', rows: 1450, columns: 1450, studyInstanceUid: STUDY_D, seriesInstanceUid: `${STUDY_D}.1` });
    expect(large.byteLength).toBeGreaterThan(STOW_MAX_BODY_BYTES);

    const aboveHilum = await post(`/studies?submission=${submissionId}`, stowOf(large), multipartContentType(boundary));
    expect(aboveHilum.status).toBe(413);
    expect(aboveHilum.text).toContain('/submissions/{id}/uploads');
    expect(aboveHilum.text).toContain('hilum gateway --stow-port');
    const aboveGateway = await post(
      `/studies?submission=${submissionId}`,
      stowOf(new Uint8Array(10 * 1024 * 1024 + 1)),
      multipartContentType(boundary),
    );
    expect(aboveGateway.status).toBe(413);
    expect((await site.getSubmission(submissionId)).fileCount).toBe(0);

    // The way out the 413 names: the same submission, a STOW-RS of the small ones and a presigned upload of the large one.
    const small = makeDicom({
      modality: 'CT',
      rows: 32,
      columns: 32,
      studyInstanceUid: STUDY_D,
      seriesInstanceUid: `${STUDY_D}.1`,
      instanceNumber: 2,
    });
    expect((await store(submissionId, [small], STUDY_D)).status).toBe(200);
    const { uploads } = await site.requestUploads(submissionId, [{ name: 'large.dcm', size: large.byteLength }]);
    expect((await fetch(uploads[0]!.url!, { method: 'PUT', body: large })).status).toBe(200);
    expect(await published(submissionId)).toMatchObject({ status: 'published', fileCount: 2, stagedCount: 2 });
  });

  it('lets the portal origin the commons names (corsOrigins, apiOrigins in AWS) send STOW-RS from a browser and read the answers, and no other origin', async () => {
    const { submissionId } = await site.createSubmission(PROJECT, SITE);
    const boundary = newBoundary();
    const one = multipartBody(boundary, [{ contentType: 'application/dicom', body: makeDicom() }]);
    const preflight = (origin: string) =>
      fetch(`${commons.apiUrl}/dicomweb/studies`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type,x-hilum-submission',
        },
      });
    const stow = (origin: string, query = `?submission=${submissionId}`) =>
      fetch(`${commons.apiUrl}/dicomweb/studies${query}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${siteToken}`, 'content-type': multipartContentType(boundary), origin },
        body: one,
      });

    const allowed = await preflight(PORTAL_ORIGIN);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(PORTAL_ORIGIN);
    expect(allowed.headers.get('access-control-allow-methods')?.split(',')).toEqual(expect.arrayContaining(['GET', 'POST']));
    expect(allowed.headers.get('access-control-allow-headers')).toContain('X-Hilum-Submission');
    const stored = await stow(PORTAL_ORIGIN);
    expect(stored.status).toBe(200);
    expect(stored.headers.get('access-control-allow-origin')).toBe(PORTAL_ORIGIN);
    expect(stored.headers.get('access-control-expose-headers')).toContain('Location');
    expect(stored.headers.get('vary')).toBe('Origin');
    const refused = await stow(PORTAL_ORIGIN, '');
    expect(refused.status).toBe(400);
    expect(refused.headers.get('access-control-allow-origin')).toBe(PORTAL_ORIGIN);

    const elsewhere = 'https://elsewhere.example.org';
    const denied = await preflight(elsewhere);
    expect(denied.status).toBe(403);
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
    expect((await stow(elsewhere)).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses what is not a STOW-RS request of a site into its own open submission', async () => {
    const { submissionId } = await site.createSubmission(PROJECT, SITE);
    const boundary = newBoundary();
    const one = multipartBody(boundary, [{ contentType: 'application/dicom', body: makeDicom() }]);
    const type = multipartContentType(boundary);

    // No submission named.
    expect((await post('/studies', one, type)).status).toBe(400);
    // DICOM JSON metadata with bulk data is not taken: Part 10 instances only.
    expect((await post(`/studies?submission=${submissionId}`, one, multipartContentType(boundary, 'application/dicom+json'))).status).toBe(
      415,
    );
    expect((await post(`/studies?submission=${submissionId}`, one, 'application/dicom')).status).toBe(415);
    // The Store Instances Response is DICOM JSON only (no XML).
    expect((await post(`/studies?submission=${submissionId}`, one, type, siteToken, 'application/dicom+xml')).status).toBe(406);
    // Researchers read; only site uploaders store.
    expect((await post(`/studies?submission=${submissionId}`, one, type, researcherToken)).status).toBe(403);
    // Another site's token cannot find the submission.
    const otherSite = await commons.issueToken(['site-uploader:site-other'], 'pacs-other');
    expect((await post(`/studies?submission=${submissionId}`, one, type, otherSite)).status).toBe(404);
    // A sealed submission takes nothing more.
    const stored = await post(`/studies?submission=${submissionId}`, one, type);
    expect(stored.status).toBe(200);
    await site.completeSubmission(submissionId);
    expect((await post(`/studies?submission=${submissionId}`, one, type)).status).toBe(403);
    await commons.idle();
  });
});
