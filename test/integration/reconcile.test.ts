/**
 * The reconciler on the local commons (issue 12): a file whose S3 event is lost
 * (dropped by the local bus, the way EventBridge may lose a delivery) stays
 * `announced` with its intake object present; the reconciler, run by the local
 * commons on a short schedule, re-drives it, and the submission is published
 * once. Leftovers of crashed work planted by hand (a work copy and an intake
 * original of a staged file, a released object no catalog record points at) are
 * deleted, and a released object the catalog records is kept.
 */
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HilumApi } from '../../cli/lib/api-client';
import { startLocalCommons, type LocalCommons } from '../../local/commons';
import type { BusEvent } from '../../local/event-bus';
import { PIPELINE_EVENT_SOURCE } from '../../layers/pipeline/events';
import { localS3Client } from '../support/local-clients';
import { createProject } from '../support/projects';
import { makeSeries } from '../support/synthetic-dicom';

jest.setTimeout(120_000);

const PROJECT = 'reconcile';
const SITE = 'site-r';
const keyOf = (event: BusEvent) => (event.detail as { object?: { key?: string } } | undefined)?.object?.key;

describe('the reconciler on the local commons', () => {
  let dataDir: string;
  let commons: LocalCommons;
  let s3: S3Client;
  let site: HilumApi;
  let curator: HilumApi;
  /** S3 "Object Created" events for these keys are lost, once each. */
  const toDrop = new Set<string>();

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-reconcile-'));
    commons = await startLocalCommons({
      dataDir,
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'ERROR',
      reconcile: { everySeconds: 1, graceSeconds: 2 },
      dropEvent: (event) => {
        const key = keyOf(event);
        if (event.source !== 'aws.s3' || !key || !toDrop.has(key)) return false;
        toDrop.delete(key);
        return true;
      },
    });
    s3 = localS3Client(commons);
    const curatorToken = await commons.issueToken(['curator'], 'curator-r');
    await createProject(commons.apiUrl, curatorToken, PROJECT, [SITE]);
    curator = new HilumApi(commons.apiUrl, curatorToken);
    site = new HilumApi(commons.apiUrl, await commons.issueToken([`site-uploader:${SITE}`], 'uploader-r'));
  });

  afterAll(async () => {
    s3?.destroy();
    await commons?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function until<T>(probe: () => Promise<T | undefined>, what: string, ms = 30_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  const exists = async (bucket: string, key: string) =>
    s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(
      () => true,
      () => false,
    );

  it('re-drives a file whose S3 event was lost, and the submission is published once', async () => {
    const { submissionId } = await site.createSubmission(PROJECT, SITE);
    const files = makeSeries(3, { modality: 'CT', rows: 32, columns: 32 }).map((bytes, i) => ({ name: `f${i}.dcm`, bytes }));
    const { uploads } = await site.requestUploads(
      submissionId,
      files.map((f) => ({ name: f.name, size: f.bytes.byteLength })),
    );
    const lost = uploads[1]!;
    toDrop.add(`intake/${submissionId}/${lost.fileId}`);
    for (const u of uploads)
      expect((await fetch(u.url!, { method: 'PUT', body: files.find((f) => f.name === u.name)!.bytes })).status).toBe(200);
    await site.completeSubmission(submissionId);
    expect(toDrop.size).toBe(0); // the event was indeed lost

    const published = await until(async () => {
      const s = await site.getSubmission(submissionId);
      return s.status === 'published' ? s : undefined;
    }, 'the submission to be published');
    expect(published).toMatchObject({ stagedCount: 3, quarantinedCount: 0 });
    expect(published.files.every((f) => f.status === 'staged')).toBe(true);
    const redriven = commons
      .events()
      .filter((d) => d.event.source === PIPELINE_EVENT_SOURCE && keyOf(d.event) === `intake/${submissionId}/${lost.fileId}`);
    expect(redriven.length).toBeGreaterThanOrEqual(1);
    expect(redriven[0]!.matchedRules.length).toBe(1);
    await commons.idle();
    const runs = commons.executions().filter((e) => e.workflow.startsWith('submission') && JSON.stringify(e.input).includes(submissionId));
    expect(runs).toHaveLength(1);
  });

  it('deletes work copies and intake originals of handled files and unrecorded released objects, and keeps recorded ones', async () => {
    const { submissionId } = await site.createSubmission(PROJECT, SITE);
    const [bytes] = makeSeries(1, { modality: 'CT', rows: 32, columns: 32 });
    const { uploads } = await site.requestUploads(submissionId, [{ name: 'a.dcm', size: bytes!.byteLength }]);
    expect((await fetch(uploads[0]!.url!, { method: 'PUT', body: bytes })).status).toBe(200);
    await site.completeSubmission(submissionId);
    const done = await until(async () => {
      const s = await site.getSubmission(submissionId);
      return s.status === 'published' ? s : undefined;
    }, 'the submission to be published');
    const fileId = done.files[0]!.fileId;
    const [study] = (await curator.listStudies({ project: PROJECT })).studies;
    const [recorded] = (await curator.studyFiles(study!.studyUid)).files;
    const recordedKey = `studies/${study!.studyUid}/${recorded!.seriesUid}/${recorded!.sopUid}.dcm`;

    // What a Stage killed at the wrong moment leaves behind (its intake original's event lost with it).
    const intakeKey = `intake/${submissionId}/${fileId}`;
    const workKey = `work/${submissionId}/${fileId}.dcm`;
    const unrecorded = 'studies/2.25.9/2.25.9.1/2.25.9.1.1.dcm';
    toDrop.add(intakeKey);
    const put = (bucket: string, key: string) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes }));
    await put(commons.buckets.intake, intakeKey);
    await put(commons.buckets.intake, workKey);
    await put(commons.buckets.released, unrecorded);

    await until(async () => {
      const left = await Promise.all([
        exists(commons.buckets.intake, intakeKey),
        exists(commons.buckets.intake, workKey),
        exists(commons.buckets.released, unrecorded),
      ]);
      return left.some(Boolean) ? undefined : true;
    }, 'the orphans to be deleted');
    expect(await exists(commons.buckets.released, recordedKey)).toBe(true);
    expect((await site.getSubmission(submissionId)).files[0]).toMatchObject({ status: 'staged' });
  });
});
