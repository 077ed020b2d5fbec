/**
 * Study ownership end to end on the local commons (issue 11, S1). Two projects
 * (open, sequestered), two sites. Site A publishes a study to the sequestered
 * project. Site B, which de-identifies at the site and holds the open project's
 * key, crafts a file the way the reviewer did (de-identified with the open
 * project's key, then `dcmodify` sets the sequestered study's UID and case
 * pseudonym and fresh series/SOP UIDs) and submits it to the open project. The
 * file is otherwise valid, so only ownership can stop it: it must be quarantined
 * as an ownership conflict (audited), the study must keep its project and site,
 * and a researcher must still be refused the study's files, its DRS objects and
 * its DICOMweb entries. A curator's release of the quarantined file is refused too.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startLocalCommons, LocalCommons } from '../../local/commons';
import { HilumApi } from '../../cli/lib/api-client';
import { deidentify, parseDicom, profileForProject } from '../../layers/dicom';
import { makeSeries } from '../support/synthetic-dicom';

jest.setTimeout(240_000);
const run = promisify(execFile);

const OPEN = 'ownership-open';
const SEQUESTERED = 'ownership-sequestered';

interface Submitted {
  status: string;
  stagedCount: number;
  quarantinedCount: number;
  files: { status: string; reasonCode?: string; reason?: string }[];
}

describe("study ownership: a site cannot add instances to another project's study", () => {
  let dataDir: string;
  let commons: LocalCommons;
  let curator: HilumApi;
  let admin: HilumApi;
  let researcher: HilumApi;
  let researcherToken: string;
  let siteB: HilumApi;
  let studyUid: string;
  let pseudonym: string;
  let sequesteredSops: string[];
  let attackSubmission: string;
  const craftedSeries = '2.25.1'; // sorts before every other series of the study
  const craftedSop = '2.25.2';

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-ownership-'));
    commons = await startLocalCommons({
      dataDir: join(dataDir, 'commons'),
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'ERROR',
    });
    curator = new HilumApi(commons.apiUrl, await commons.issueToken(['curator'], 'curator-o'));
    admin = new HilumApi(commons.apiUrl, await commons.issueToken(['admin'], 'admin-o'));
    researcherToken = await commons.issueToken(['researcher'], 'researcher-o');
    researcher = new HilumApi(commons.apiUrl, researcherToken);
    const siteA = new HilumApi(commons.apiUrl, await commons.issueToken(['site-uploader:site-a'], 'uploader-a'));
    siteB = new HilumApi(commons.apiUrl, await commons.issueToken(['site-uploader:site-b'], 'uploader-b'));
    // Each site contributes to its own project only, as a curator set it up.
    await curator.request('POST', '/projects', { projectId: OPEN, name: 'open', availability: 'open', sites: ['site-b'] });
    await curator.request('POST', '/projects', {
      projectId: SEQUESTERED,
      name: 'sequestered',
      availability: 'sequestered',
      sites: ['site-a'],
    });

    // Site A publishes four instances to the sequestered project (the pipeline de-identifies them).
    const { submissionId } = await siteA.createSubmission(SEQUESTERED, 'site-a');
    await upload(siteA, submissionId, makeSeries(4, { modality: 'CT', rows: 64, columns: 64, patient: { id: 'MRN-SEQ-1' } }));
    expect(await siteA.getSubmission(submissionId)).toMatchObject({ status: 'published', stagedCount: 4 });
    const [study] = (await curator.listStudies({ project: SEQUESTERED })).studies;
    studyUid = study!.studyUid;
    sequesteredSops = (await curator.studyFiles(studyUid)).files.map((f) => f.sopUid);
    pseudonym = await curatorQidoPatientId(studyUid);
    expect(pseudonym).toMatch(/^HILUM-/);

    // Site B: de-identified at the site with the open project's key (which site B legitimately holds), then altered.
    const { key: secret } = await siteB.request<{ key: string }>('GET', `/projects/${OPEN}/site-key`);
    const [original] = makeSeries(1, { modality: 'CT', rows: 64, columns: 64, patient: { id: 'MRN-OPEN-9' } });
    const deid = deidentify(original!, { secret, project: OPEN, site: 'site-b', profile: profileForProject(OPEN) });
    const crafted = join(dataDir, 'crafted.dcm');
    await writeFile(crafted, deid.bytes);
    await run('dcmodify', [
      '-nb',
      '-m',
      `(0020,000D)=${studyUid}`,
      '-m',
      `(0020,000E)=${craftedSeries}`,
      '-m',
      `(0008,0018)=${craftedSop}`,
      '-m',
      `(0010,0020)=${pseudonym}`,
      '-i',
      `(0010,0010)=${pseudonym}`,
      crafted,
    ]);
    const bytes = new Uint8Array(await readFile(crafted));
    expect(parseDicom(bytes).summary).toMatchObject({
      studyInstanceUid: studyUid,
      seriesInstanceUid: craftedSeries,
      sopInstanceUid: craftedSop,
    });

    ({ submissionId: attackSubmission } = await siteB.createSubmission(OPEN, 'site-b', { deidentifiedAtSite: true }));
    await upload(siteB, attackSubmission, [bytes]);
  });

  afterAll(async () => {
    await commons?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('quarantines the crafted file as an ownership conflict with a value-free reason, and audits it', async () => {
    const submission = (await siteB.getSubmission(attackSubmission)) as unknown as Submitted;
    expect(submission).toMatchObject({ status: 'published', stagedCount: 0, quarantinedCount: 1 });
    expect(submission.files[0]).toMatchObject({ status: 'quarantined', reasonCode: 'OwnershipConflict' });
    for (const value of [studyUid, pseudonym, SEQUESTERED, 'site-a']) expect(submission.files[0]!.reason).not.toContain(value);

    const { events } = await admin.request<{
      events: { action: string; targetType: string; targetId: string; details?: Record<string, unknown> }[];
    }>('GET', '/audit?action=ingest.ownership-conflict');
    expect(events).toEqual([
      expect.objectContaining({
        targetType: 'study',
        targetId: studyUid,
        details: expect.objectContaining({ submissionId: attackSubmission, project: OPEN, site: 'site-b', conflict: 'study' }),
      }),
    ]);
  });

  it("keeps the sequestered study's project, site and instances", async () => {
    const [study] = (await curator.listStudies({ project: SEQUESTERED })).studies;
    expect(study).toMatchObject({ studyUid, project: SEQUESTERED, site: 'site-a', instanceCount: 4, seriesCount: 1 });
    expect((await curator.listStudies({ project: OPEN })).studies).toEqual([]);
    expect((await curator.studyFiles(studyUid)).files.map((f) => f.sopUid).sort()).toEqual([...sequesteredSops].sort());
  });

  it("still refuses a researcher the study's files, archive, DRS objects and DICOMweb entries", async () => {
    await expect(researcher.studyFiles(studyUid)).rejects.toMatchObject({ status: 404 });
    await expect(researcher.request('GET', `/studies/${studyUid}/archive`)).rejects.toMatchObject({ status: 404 });
    expect((await researcher.listStudies()).studies).toEqual([]);
    for (const sop of [...sequesteredSops, craftedSop]) {
      const drs = await fetch(`${commons.apiUrl}/ga4gh/drs/v1/objects/hilum:${sop}`, {
        headers: { authorization: `Bearer ${researcherToken}` },
      });
      expect(drs.status).toBe(404);
    }
    expect((await dicomweb(`/studies?StudyInstanceUID=${studyUid}`)).status).toBe(204);
    expect((await dicomweb(`/studies?PatientID=${pseudonym}`)).status).toBe(204);
    expect((await dicomweb(`/studies/${studyUid}/series`)).status).toBe(404);
    expect((await dicomweb(`/studies/${studyUid}/metadata`)).status).toBe(404);
  });

  it("refuses a curator's release of the quarantined file: the conflict cannot be overridden", async () => {
    const { items } = await curator.request<{ items: { quarantineId: string; reasonCode: string }[] }>(
      'GET',
      `/quarantine?submission=${attackSubmission}`,
    );
    expect(items).toEqual([expect.objectContaining({ reasonCode: 'OwnershipConflict' })]);
    await expect(
      curator.request('POST', `/quarantine/${items[0]!.quarantineId}/release`, { reason: 'looks fine to me' }),
    ).rejects.toMatchObject({ status: 409, message: expect.stringContaining('OwnershipConflict') });
    const [study] = (await curator.listStudies({ project: SEQUESTERED })).studies;
    expect(study).toMatchObject({ project: SEQUESTERED, site: 'site-a', instanceCount: 4 });
    await expect(researcher.studyFiles(studyUid)).rejects.toMatchObject({ status: 404 });
  });

  async function upload(api: HilumApi, submissionId: string, files: Uint8Array[]): Promise<void> {
    const named = files.map((bytes, i) => ({ name: `f${i}.dcm`, bytes }));
    const { uploads } = await api.requestUploads(
      submissionId,
      named.map((f) => ({ name: f.name, size: f.bytes.byteLength })),
    );
    for (const u of uploads)
      expect((await fetch(u.url!, { method: 'PUT', body: named.find((f) => f.name === u.name)!.bytes })).status).toBe(200);
    await api.completeSubmission(submissionId);
    await commons.idle();
  }

  /** The case pseudonym, as QIDO shows it to whoever may see the study (here a curator). */
  async function curatorQidoPatientId(uid: string): Promise<string> {
    const response = await fetch(`${commons.apiUrl}/dicomweb/studies?StudyInstanceUID=${uid}`, {
      headers: { authorization: `Bearer ${await commons.issueToken(['curator'], 'curator-q')}`, accept: 'application/dicom+json' },
    });
    const [entry] = (await response.json()) as Record<string, { Value?: string[] }>[];
    return entry!['00100020']!.Value![0]!;
  }

  function dicomweb(path: string): Promise<Response> {
    return fetch(`${commons.apiUrl}/dicomweb${path}`, {
      headers: { authorization: `Bearer ${researcherToken}`, accept: 'application/dicom+json' },
    });
  }
});
