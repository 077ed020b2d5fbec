/**
 * Two cuts of the same release number race (issue 12). A cut wrote the release's manifest,
 * frozen snapshot and Parquet export at keys fixed by the number BEFORE claiming the number,
 * so a cut that then lost the claim (409) had already overwritten the winner's objects with
 * its own reading of the catalog: the release record counted one set of studies and its
 * objects held another. Made deterministic: release 1 is cut, a study is published, then a
 * second cut of number 1 (one that read "latest = 0" before the first claimed) runs.
 */
import { HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HilumApi } from '../../cli/lib/api-client';
import { ReleaseExists } from '../../layers/adapters/aws/dynamodb/release-repository';
import { EXPORT_TABLES, exportKey, type ExportTable } from '../../layers/catalog/parquet-export';
import type { Release } from '../../layers/catalog/commons-entities';
import { snapshotRows } from '../../layers/search';
import { startLocalCommons, type LocalCommons } from '../../local/commons';
import { localS3Client } from '../support/local-clients';
import { makeSeries } from '../support/synthetic-dicom';

jest.setTimeout(240_000);

const PROJECT = 'cut-race';
const SITE = 'site-cut-race';

describe('two cuts of the same release number', () => {
  let dataDir: string;
  let commons: LocalCommons;
  let s3: S3Client;
  let site: HilumApi;
  let curator: HilumApi;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-cut-race-'));
    commons = await startLocalCommons({
      dataDir,
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'ERROR',
    });
    s3 = localS3Client(commons);
    curator = new HilumApi(commons.apiUrl, await commons.issueToken(['curator'], 'curator-cut-race'));
    await curator.request('POST', '/projects', { projectId: PROJECT, name: 'cut race', availability: 'open', sites: [SITE] });
    site = new HilumApi(commons.apiUrl, await commons.issueToken([`site-uploader:${SITE}`], 'uploader-cut-race'));
  });

  afterAll(async () => {
    s3?.destroy();
    await commons?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function publishStudy(study: string): Promise<void> {
    const { submissionId } = await site.createSubmission(PROJECT, SITE);
    const [bytes] = makeSeries(1, { modality: 'CT', rows: 32, columns: 32, studyInstanceUid: study, seriesInstanceUid: `${study}.1` });
    const { uploads } = await site.requestUploads(submissionId, [{ name: 'a.dcm', size: bytes!.byteLength }]);
    expect((await fetch(uploads[0]!.url!, { method: 'PUT', body: bytes })).status).toBe(200);
    await site.completeSubmission(submissionId);
    await commons.idle();
    expect(await site.getSubmission(submissionId)).toMatchObject({ status: 'published' });
  }

  const etag = async (key: string) => (await s3.send(new HeadObjectCommand({ Bucket: commons.buckets.released, Key: key }))).ETag;
  const tables = Object.keys(EXPORT_TABLES) as ExportTable[];

  it("leaves the winner's manifest, frozen snapshot and Parquet export as its record counts them, and nothing of the loser", async () => {
    await publishStudy('1.2.826.0.1.3680043.8.498.8001.1');
    await curator.request('POST', '/releases', { notes: 'first' });
    const { releaseRepository } = await import('../../layers/services/commons-context');
    const release = (await releaseRepository().getRelease(1)) as Release;
    expect(release.studyCount).toBe(1);
    const named = [release.manifestKey, release.snapshotKey, ...tables.map((t) => exportKey(t, 1))];
    const before = await Promise.all(named.map(etag));

    await publishStudy('1.2.826.0.1.3680043.8.498.8002.1');
    const { cutRelease } = await import('../../layers/services/cut-release');
    await expect(cutRelease({ releaseNumber: 1, createdBy: 'late-curator' })).rejects.toBeInstanceOf(ReleaseExists);

    expect(await Promise.all(named.map(etag))).toEqual(before);
    const { readSnapshot } = await import('../../layers/services/snapshot-store');
    expect(snapshotRows(await readSnapshot(release.snapshotKey))).toHaveLength(1);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: commons.buckets.released, Prefix: 'catalog/releases/1/' }));
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual(
      [release.manifestKey, release.snapshotKey, release.sequestrationKey].sort(),
    );
  });
});
