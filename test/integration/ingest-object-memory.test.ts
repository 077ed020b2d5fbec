/**
 * The originals read into, and the de-identified copies joined into, memory kept from object to object
 * (layers/services/object-memory.ts), against the local commons' emulators: every released object is its own
 * original's copy (the independent verifier passes it against that original, its SHA-256 is the one the catalog was
 * given), whether its memory held a larger or a smaller object before, whether it waited for its staging beside other
 * objects of its batch or was staged alone, and an object QA holds gives its memory back too.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { ObjectStore } from '../../layers/adapters/aws/objects';
import type { HilumApi } from '../../cli/lib/api-client';
import { profileForProject, verifyDeidentified } from '../../layers/dicom';
import { SUBMISSION_READY } from '../../layers/pipeline/events';
import type { IngestExecutionState, QueuedObjectRecord } from '../../layers/pipeline/ingest-states';
import type { keptObjectMemory as KeptObjectMemory } from '../../layers/services/object-memory';
import { STAGING_GROUP_BYTES, type ingestQueuedObjects as IngestQueuedObjects } from '../../layers/services/ingest-batch';
import type { ingestIntakeObject as IngestIntakeObject } from '../../layers/services/ingest-intake-object';
import type { LocalCommons } from '../../local/commons';
import { startSiteCommons, type SiteCommons } from '../support/site-commons';
import { queuedObjectRecord } from '../support/queued-record';
import { makeDicom } from '../support/synthetic-dicom';

jest.setTimeout(60_000);

const PROJECT = 'object-memory';
const SITE = 'site-object-memory';

describe("ingest's originals and copies in kept memory", () => {
  let fixture: SiteCommons;
  let commons: LocalCommons;
  let s3: S3Client;
  let site: HilumApi;
  let ingestQueuedObjects: typeof IngestQueuedObjects;
  let ingestIntakeObject: typeof IngestIntakeObject;
  let kept: typeof KeptObjectMemory;
  let files = 0;

  beforeAll(async () => {
    fixture = await startSiteCommons({
      name: 'object-memory',
      project: PROJECT,
      site: SITE,
      handlerLogLevel: 'SILENT',
      log: () => undefined,
      // The test runs the ingest itself: no object event reaches a workflow, no announcement starts one.
      dropEvent: (event) => event.source === 'aws.s3' || event['detail-type'] === SUBMISSION_READY,
    });
    ({ commons, s3, site } = fixture);
    // Required once the commons set the functions' variables, as a handler is.
    /* eslint-disable @typescript-eslint/no-require-imports */
    ({ ingestQueuedObjects } = require('../../layers/services/ingest-batch') as typeof import('../../layers/services/ingest-batch'));
    ({ ingestIntakeObject } =
      require('../../layers/services/ingest-intake-object') as typeof import('../../layers/services/ingest-intake-object'));
    ({ keptObjectMemory: kept } = require('../../layers/services/object-memory') as typeof import('../../layers/services/object-memory'));
    /* eslint-enable @typescript-eslint/no-require-imports */
  });

  afterAll(async () => {
    await fixture?.stop();
  });

  /** A radiograph-like image: smooth rows (no ink for the burned-in text check to read), 16-bit. */
  const smoothPixels = (size: number): ArrayBuffer => {
    const pixels = new Uint16Array(size * size);
    for (let row = 0; row < size; row += 1) pixels.fill(1000 + (row % 1024), row * size, (row + 1) * size);
    return pixels.buffer;
  };

  /** One DX image per size (its own patient, study and pixels), uploaded in one submission: the originals by key. */
  const uploaded = async (sizes: readonly number[], burnedInAnnotation: 'YES' | 'NO' = 'NO') => {
    const originals = sizes.map((size) => {
      files += 1;
      const study = `2.25.7070${process.pid}${files}`;
      return makeDicom({
        modality: 'DX',
        rows: size,
        columns: size,
        instanceNumber: files,
        studyInstanceUid: study,
        seriesInstanceUid: `${study}.1`,
        burnedInAnnotation,
        patient: { id: `KEPT-${files}`, name: `Kept^Memory${files}` },
        ...(size > 1000 ? { elements: { '7FE00010': { vr: 'OW', Value: [smoothPixels(size)] } } } : {}),
      });
    });
    const { submissionId } = await site.createSubmission(PROJECT, SITE);
    const { uploads } = await site.requestUploads(
      submissionId,
      originals.map((bytes, i) => ({ name: `dx${i}.dcm`, size: bytes.byteLength })),
    );
    const byKey = new Map<string, Uint8Array>();
    for (const [i, bytes] of originals.entries()) {
      expect((await fetch(uploads[i]!.url!, { method: 'PUT', body: bytes })).status).toBe(200);
      byKey.set(`intake/${submissionId}/${uploads[i]!.fileId}`, bytes);
    }
    return byKey;
  };

  const record = (key: string): QueuedObjectRecord => queuedObjectRecord(commons.buckets.intake, key);

  /** The released object of a staged answer, checked against its own original: the verifier and the catalog's SHA-256. */
  const expectOwnCopy = async (original: Uint8Array, stage: IngestExecutionState['ingest']) => {
    expect(stage?.outcome).toBe('staged');
    const { releasedKey, sha256, size } = stage!.stage!;
    const answer = await s3.send(new GetObjectCommand({ Bucket: commons.buckets.released, Key: releasedKey }));
    const released = await answer.Body!.transformToByteArray();
    expect(released.byteLength).toBe(size);
    expect(createHash('sha256').update(released).digest('hex')).toBe(sha256);
    const verified = verifyDeidentified(original, released, profileForProject(PROJECT));
    expect(verified.failures).toEqual([]);
  };

  it('stages each object of a batch with its own bytes, and the next batch reuses their memory', async () => {
    const first = await uploaded([96, 64, 128]);
    const allocatedBefore = kept.allocated;
    const items = await ingestQueuedObjects([...first.keys()].map(record));
    for (const [i, original] of [...first.values()].entries()) await expectOwnCopy(original, items[i]!.ingest);
    // Three copies waited together for their staging; each original was read into the memory the one before it gave
    // back once its copy was verified: four buffers.
    expect(kept.allocated - allocatedBefore).toBe(4);

    // Smaller and larger than before, in the memory the first batch's objects left their bytes in.
    const second = await uploaded([32, 128, 100]);
    const again = await ingestQueuedObjects([...second.keys()].map(record));
    for (const [i, original] of [...second.values()].entries()) await expectOwnCopy(original, again[i]!.ingest);
    expect(kept.allocated - allocatedBefore).toBe(4);
  });

  it('stages radiograph-sized objects a staging group at a time, each group in the memory of the group before', async () => {
    // 2,300 x 2,300 16-bit pixels: ~10.6 MB each, three to a staging group (STAGING_GROUP_BYTES).
    const objects = await uploaded([2300, 2300, 2300, 2300]);
    const size = [...objects.values()][0]!.byteLength;
    expect(3 * size).toBeLessThan(STAGING_GROUP_BYTES);
    expect(4 * size).toBeGreaterThan(STAGING_GROUP_BYTES);
    const allocatedBefore = kept.allocated;
    // The order of the copies' PUTs and the originals' deletions: a group's originals go before the next group's copies.
    const steps: string[] = [];
    const originalPut = ObjectStore.prototype.put;
    const deleteMany = ObjectStore.prototype.deleteMany;
    const spies = [
      jest.spyOn(ObjectStore.prototype, 'put').mockImplementation(function (this: ObjectStore, bucket, ...rest) {
        if (bucket === commons.buckets.released) steps.push('put');
        return originalPut.call(this, bucket, ...rest);
      }),
      jest.spyOn(ObjectStore.prototype, 'deleteMany').mockImplementation(function (this: ObjectStore, bucket, keys) {
        steps.push(`delete ${keys.length}`);
        return deleteMany.call(this, bucket, keys);
      }),
    ];
    let items: IngestExecutionState[];
    try {
      items = await ingestQueuedObjects([...objects.keys()].map(record));
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    for (const [i, original] of [...objects.values()].entries()) await expectOwnCopy(original, items[i]!.ingest);
    expect(steps).toEqual(['put', 'put', 'put', 'delete 3', 'put', 'delete 1']);
    // The first group's three copies and the original in hand; the fourth object's original and copy in theirs.
    expect(kept.allocated - allocatedBefore).toBe(4);
  });

  it('stages an object ingested alone with its own bytes, in memory a larger object held', async () => {
    const [[key, original]] = [...(await uploaded([48])).entries()] as [[string, Uint8Array]];
    const allocatedBefore = kept.allocated;
    const lease = jest.spyOn(kept, 'lease');
    await expectOwnCopy(original, await ingestIntakeObject(commons.buckets.intake, key));
    // Its original's read and its copy's join.
    expect(lease).toHaveBeenCalledTimes(2);
    expect(kept.allocated).toBe(allocatedBefore);
    lease.mockRestore();
  });

  it('takes back the memory of an object QA holds, and of one that is not DICOM', async () => {
    // Burned-in annotation declared: QA holds the copy for pixel review, after its de-identification and verification.
    const [[heldKey]] = [...(await uploaded([40], 'YES')).entries()] as [[string, Uint8Array]];
    const notDicom = new Uint8Array(4096).fill(7);
    const { submissionId } = await site.createSubmission(PROJECT, SITE);
    const { uploads } = await site.requestUploads(submissionId, [{ name: 'junk.dcm', size: notDicom.byteLength }]);
    expect((await fetch(uploads[0]!.url!, { method: 'PUT', body: notDicom })).status).toBe(200);
    const junkKey = `intake/${submissionId}/${uploads[0]!.fileId}`;

    const leaseKept = kept.lease.bind(kept);
    let lent = 0;
    let returned = 0;
    const spy = jest.spyOn(kept, 'lease').mockImplementation((length) => {
      const lease = leaseKept(length);
      lent += 1;
      return { bytes: lease.bytes, release: () => ((returned += 1), lease.release()) };
    });
    try {
      const items = await ingestQueuedObjects([record(heldKey), record(junkKey)]);
      expect(items[0]!.ingest?.outcome).toBe('quarantine');
      expect(items[1]!.error?.Error).toBeDefined();
    } finally {
      spy.mockRestore();
    }
    // The held object's original and copy, the other's original: each given back once.
    expect(lent).toBe(3);
    expect(returned).toBe(3);
  });
});
