/**
 * Hidden data stays hidden from researchers on the local commons, in two places that
 * answered from everything: a cohort access request (201 or 409 depending on whether a
 * restricted project with hidden counts had matching studies) and GET /releases (totals
 * over every project). Four projects: open (2 studies), restricted with hidden counts (1),
 * restricted with visible counts (1), sequestered (1).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { parquetReadObjects } from 'hyparquet';
import { HilumApi } from '../../cli/lib/api-client';
import { AccessRepository } from '../../layers/adapters/aws/dynamodb/access-repository';
import { ReleaseRepository } from '../../layers/adapters/aws/dynamodb/release-repository';
import { localSubject } from '../../local/auth/local-issuer';
import { startLocalCommons, LocalCommons } from '../../local/commons';
import { createProject } from '../support/projects';
import { makeDicom } from '../support/synthetic-dicom';

jest.setTimeout(300_000);

const ROOT = '1.2.826.0.1.3680043.8.498.7711';
const REQUEST = { purpose: 'Evaluate a triage model on the whole cohort', duaVersion: '2026-1', duaAccepted: true };

interface Counts {
  studyCount: number;
  seriesCount: number;
  instanceCount: number;
  totalBytes: number;
}
interface ReleaseView extends Partial<Counts> {
  releaseNumber: number;
  projects?: (Counts & { project: string })[];
  countsWithheld?: boolean;
}

describe('hidden data is not counted, listed or probed through requests and releases', () => {
  let dataDir: string;
  let commons: LocalCommons;
  let documents: DynamoDBDocumentClient;
  let curator: HilumApi;
  let researcher: HilumApi;
  let grantedResearcher: HilumApi;
  let dac: HilumApi;
  let studySeq = 0;

  beforeAll(async () => {
    process.env.SEARCH_SNAPSHOT_TTL_MS = '0';
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-hidden-'));
    commons = await startLocalCommons({
      dataDir,
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'ERROR',
    });
    documents = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: commons.dynamodbEndpoint,
        region: 'us-east-1',
        credentials: commons.credentials,
      }),
    );
    const curatorToken = await commons.issueToken(['curator'], 'curator-h');
    curator = new HilumApi(commons.apiUrl, curatorToken);
    researcher = new HilumApi(commons.apiUrl, await commons.issueToken(['researcher'], 'researcher-h'));
    grantedResearcher = new HilumApi(commons.apiUrl, await commons.issueToken(['researcher'], 'researcher-granted-h'));
    dac = new HilumApi(commons.apiUrl, await commons.issueToken(['dac'], 'dac-h'));
    const site = new HilumApi(commons.apiUrl, await commons.issueToken(['site-uploader:site-a'], 'uploader-h'));

    await createProject(commons.apiUrl, curatorToken, 'open-a', ['site-a'], 'open');
    await createProject(commons.apiUrl, curatorToken, 'hidden-r', ['site-a'], 'restricted');
    await createProject(commons.apiUrl, curatorToken, 'counted-r', ['site-a'], 'restricted');
    await curator.request('POST', '/projects', {
      projectId: 'counted-r',
      name: 'counted-r',
      availability: 'restricted',
      settings: { countsVisible: true },
    });
    await createProject(commons.apiUrl, curatorToken, 'seq-s', ['site-a'], 'sequestered');

    const publish = async (project: string, studies: { modality: string; instances: number }[]) => {
      const files = studies.flatMap((s) => {
        studySeq += 1;
        const study = `${ROOT}.${studySeq}`;
        return Array.from({ length: s.instances }, (_, i) => ({
          name: `${project}-${studySeq}-${i}.dcm`,
          bytes: makeDicom({
            modality: s.modality,
            studyInstanceUid: study,
            seriesInstanceUid: `${study}.1`,
            instanceNumber: i + 1,
            patient: { id: `${project}-P${studySeq}` },
          }),
        }));
      });
      const { submissionId } = await site.createSubmission(project, 'site-a');
      const { uploads } = await site.requestUploads(
        submissionId,
        files.map((f) => ({ name: f.name, size: f.bytes.byteLength })),
      );
      for (const u of uploads)
        expect((await fetch(u.url!, { method: 'PUT', body: files.find((f) => f.name === u.name)!.bytes })).status).toBe(200);
      await site.completeSubmission(submissionId);
      await commons.idle();
      expect(await site.getSubmission(submissionId)).toMatchObject({ status: 'published', stagedCount: files.length });
    };
    await publish('open-a', [
      { modality: 'CT', instances: 2 },
      { modality: 'CT', instances: 2 },
    ]);
    await publish('hidden-r', [{ modality: 'DX', instances: 1 }]);
    await publish('counted-r', [{ modality: 'CT', instances: 1 }]);
    await publish('seq-s', [{ modality: 'CR', instances: 1 }]);
    await curator.request('POST', '/releases', { notes: 'hidden data test' });

    // A project grant on the hidden project: for this researcher nothing restricted is hidden.
    await new AccessRepository(documents, commons.tableName).putGrant({
      subject: localSubject('researcher-granted-h'),
      project: 'hidden-r',
      grantedBy: 'test',
      grantedAt: new Date().toISOString(),
    });
  });

  afterAll(async () => {
    delete process.env.SEARCH_SNAPSHOT_TTL_MS;
    await commons?.stop();
    documents?.destroy();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  describe('S9: a cohort access request is no oracle on hidden studies', () => {
    const cohortOf = async (who: HilumApi, modality: string) =>
      await who.request<{ cohortId: string; studyCount: number }>('POST', '/cohorts', {
        name: `only ${modality}`,
        filters: { facets: { modality: [modality] } },
      });
    const attempt = async (who: HilumApi, cohortId: string) => {
      try {
        return { status: 201, body: await who.request<Record<string, unknown>>('POST', '/access-requests', { cohortId, ...REQUEST }) };
      } catch (error) {
        return { status: (error as { status: number }).status, body: (error as { body: Record<string, unknown> }).body };
      }
    };

    it('answers the same whether or not the cohort matches studies of a restricted project with hidden counts, and the DAC sees what each covers', async () => {
      const matchesHidden = await cohortOf(researcher, 'DX'); // only the hidden restricted project has DX
      const matchesNothing = await cohortOf(researcher, 'CR'); // only the sequestered project has CR
      expect([matchesHidden.studyCount, matchesNothing.studyCount]).toEqual([0, 0]);

      const hidden = await attempt(researcher, matchesHidden.cohortId);
      const nothing = await attempt(researcher, matchesNothing.cohortId);
      expect({ hidden: hidden.status, nothing: nothing.status }).toEqual({ hidden: 201, nothing: 201 });
      expect(Object.keys(hidden.body).sort()).toEqual(Object.keys(nothing.body).sort());
      expect(hidden.body).not.toHaveProperty('cohortProjects');
      expect(hidden.body).toMatchObject({ status: 'pending', cohortId: matchesHidden.cohortId });

      const { requests: mine } = await researcher.request<{ requests: Record<string, unknown>[] }>('GET', '/access-requests');
      expect(mine).toHaveLength(2);
      for (const r of mine) expect(r).not.toHaveProperty('cohortProjects');

      const { requests: queue } = await dac.request<{ requests: { cohortId?: string; cohortProjects?: string[] }[] }>(
        'GET',
        '/access-requests?status=pending',
      );
      const covered = (cohortId: string) => queue.find((r) => r.cohortId === cohortId)?.cohortProjects;
      expect(covered(matchesHidden.cohortId)).toEqual(['hidden-r']);
      expect(covered(matchesNothing.cohortId)).toEqual([]);
    });

    it('still says no request is needed when nothing restricted is hidden from the requester (the answer tells them nothing new)', async () => {
      const cohort = await cohortOf(grantedResearcher, 'CR');
      const answer = await attempt(grantedResearcher, cohort.cohortId);
      expect(answer).toMatchObject({ status: 409, body: { message: expect.stringContaining('no request is needed') } });
    });
  });

  describe('S10: GET /releases counts only what the caller may count', () => {
    const latest = async (who: HilumApi) => (await who.request<{ releases: ReleaseView[] }>('GET', '/releases')).releases[0]!;

    it("gives curators every project's counts and their sum", async () => {
      const release = await latest(curator);
      expect(release).toMatchObject({ studyCount: 5, seriesCount: 5, instanceCount: 7 });
      expect(release.projects!.map((p) => [p.project, p.studyCount, p.instanceCount])).toEqual([
        ['counted-r', 1, 1],
        ['hidden-r', 1, 1],
        ['open-a', 2, 4],
        ['seq-s', 1, 1],
      ]);
      expect(release.totalBytes).toBe(release.projects!.reduce((sum, p) => sum + p.totalBytes, 0));
    });

    it('gives a researcher sums over open and counts-visible projects only, without the per-project list', async () => {
      const curatorView = await latest(curator);
      const bytes = (project: string) => curatorView.projects!.find((p) => p.project === project)!.totalBytes;
      const release = await latest(researcher);
      expect(release).toMatchObject({ studyCount: 3, seriesCount: 3, instanceCount: 5, totalBytes: bytes('open-a') + bytes('counted-r') });
      expect(release).not.toHaveProperty('projects');
      expect(release).not.toHaveProperty('manifestKey');
    });

    it('counts a granted restricted project for its grantee, and never a sequestered one', async () => {
      expect(await latest(grantedResearcher)).toMatchObject({ studyCount: 4, seriesCount: 4, instanceCount: 6 });
    });

    it('withholds the counts of a release cut before counts were kept per project from researchers', async () => {
      const repo = new ReleaseRepository(documents, commons.tableName);
      const current = (await repo.listReleases())[0]!;
      const { projects: _p, ...old } = current;
      await repo.createRelease({ ...old, releaseNumber: current.releaseNumber + 1, createdAt: new Date().toISOString() });
      const release = await latest(researcher);
      expect(release).toMatchObject({ releaseNumber: current.releaseNumber + 1, countsWithheld: true });
      expect(release).not.toHaveProperty('studyCount');
      expect(await latest(curator)).toMatchObject({ releaseNumber: current.releaseNumber + 1, studyCount: 5 });
    });
  });

  it("leaves a sequestered project out of the release's Parquet export (researchers query it through Athena)", async () => {
    const s3 = new S3Client({ endpoint: commons.s3Endpoint, region: 'us-east-1', credentials: commons.credentials, forcePathStyle: true });
    try {
      const projectsOf = async (table: string) => {
        const got = await s3.send(
          new GetObjectCommand({ Bucket: commons.buckets.released, Key: `analytics/${table}/release=1/part-0.parquet` }),
        );
        const bytes = await got.Body!.transformToByteArray();
        const rows = await parquetReadObjects({
          file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
        });
        return [...new Set(rows.map((r) => r.project as string))].sort();
      };
      for (const table of ['studies', 'series', 'instances']) expect(await projectsOf(table)).toEqual(['counted-r', 'hidden-r', 'open-a']);
    } finally {
      s3.destroy();
    }
  });
});
