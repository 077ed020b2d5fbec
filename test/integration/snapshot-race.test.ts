/**
 * Two rebuilds of the live search snapshot race (issue 12, found while reshaping for issue 14).
 * The loser of the pointer swap used to write its snapshot object under the key fixed by the
 * version number BEFORE the swap, i.e. over the winner's object: the winner's studies vanished
 * from live search, and the loser's retry merged onto its own rows. The interleaving is made
 * deterministic: the loser reads the live snapshot, the winner publishes, then the loser publishes.
 */
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PublicationRepository, SnapshotMoved } from '../../layers/adapters/aws/dynamodb/publication-repository';
import { startLocalCommons, type LocalCommons } from '../../local/commons';
import { snapshotRows, type StudyRow } from '../../layers/search';
import { localS3Client } from '../support/local-clients';

jest.setTimeout(180_000);

const row = (studyUid: string): StudyRow => ({
  studyUid,
  project: 'p',
  site: 's',
  modalities: ['CT'],
  bodyParts: [],
  manufacturers: [],
  viewPositions: [],
  sliceThicknessBands: [],
  publishedAt: '2026-01-01T00:00:00.000Z',
});
const uids = (rows: readonly StudyRow[]) => rows.map((r) => r.studyUid).sort();

describe('two rebuilds of the live search snapshot racing', () => {
  let dataDir: string;
  let commons: LocalCommons;
  let s3: S3Client;
  let store: typeof import('../../layers/services/snapshot-store');

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-snapshot-race-'));
    commons = await startLocalCommons({
      dataDir,
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'ERROR',
    });
    s3 = localS3Client(commons);
    // Imported after the commons set the handlers' environment (bucket and table names, endpoints).
    store = await import('../../layers/services/snapshot-store');
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    s3?.destroy();
    await commons?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const snapshotObjects = async (): Promise<string[]> => {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: commons.environment.RELEASED_BUCKET, Prefix: 'catalog/snapshot/' }));
    return (listed.Contents ?? []).map((o) => o.Key ?? '').sort();
  };

  it("keeps the winner's studies: the loser merges onto them and never overwrites the object the pointer names", async () => {
    await store.publishMergedLive([row('0.0')], 0);
    const loserBase = await store.liveRows();

    const winner = await store.publishMergedLive([row('1.1'), row('2.2')], 0);
    expect(uids(snapshotRows(await store.readSnapshot(winner.key)))).toEqual(['0.0', '1.1', '2.2']);

    const loser = await store.publishMergedLive([row('3.3')], 1, loserBase);
    expect(loser.version).toBe(winner.version + 1);

    const live = await store.liveRows();
    expect(uids(live.rows)).toEqual(['0.0', '1.1', '2.2', '3.3']);
    // The winner's object (now the previous version, which a search function may still be loading) is intact.
    expect(uids(snapshotRows(await store.readSnapshot(winner.key)))).toEqual(['0.0', '1.1', '2.2']);
    // The loser's first attempt left nothing behind: only the live object and the one before it remain.
    expect(await snapshotObjects()).toEqual([winner.key, loser.key].sort());
  });

  it('deletes versions older than the previous one once a newer version is live', async () => {
    const before = await store.liveRows();
    const next = await store.publishMergedLive([row('4.4')], 0);
    const latest = await store.publishMergedLive([row('5.5')], 0);
    expect(latest.version).toBe((before.version ?? 0) + 2);
    expect(await snapshotObjects()).toEqual([next.key, latest.key].sort());
    expect(uids((await store.liveRows()).rows)).toEqual(expect.arrayContaining(['4.4', '5.5']));
  });

  it('keeps the object when the swap succeeded but its answer was lost and the retry failed its condition', async () => {
    const swap = PublicationRepository.prototype.swapSnapshotPointer;
    jest.spyOn(PublicationRepository.prototype, 'swapSnapshotPointer').mockImplementationOnce(async function (
      this: PublicationRepository,
      ...args
    ) {
      await swap.apply(this, args);
      throw new SnapshotMoved('the search snapshot changed during the rebuild; retry');
    });
    const published = await store.publishMergedLive([row('6.6')], 0);
    expect((await store.liveRows()).version).toBe(published.version);
    expect(uids(snapshotRows(await store.readSnapshot(published.key)))).toContain('6.6');
  });
});
