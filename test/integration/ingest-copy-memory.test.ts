/**
 * The de-identified copies joined into memory kept from object to object (layers/services/copy-memory.ts), against
 * the local commons' emulators: every released object is its own original's copy (the independent verifier passes
 * it against that original, its SHA-256 is the one the catalog was given), whether its memory held a larger or a
 * smaller copy before, whether it waited for its staging beside other copies of its batch or was staged alone.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import type { HilumApi } from '../../cli/lib/api-client';
import { profileForProject, verifyDeidentified } from '../../layers/dicom';
import { SUBMISSION_READY } from '../../layers/pipeline/events';
import type { IngestExecutionState, QueuedObjectRecord } from '../../layers/pipeline/ingest-states';
import type { keptCopies as KeptCopies } from '../../layers/services/copy-memory';
import type { ingestQueuedObjects as IngestQueuedObjects } from '../../layers/services/ingest-batch';
import type { ingestIntakeObject as IngestIntakeObject } from '../../layers/services/ingest-intake-object';
import type { LocalCommons } from '../../local/commons';
import { startSiteCommons, type SiteCommons } from '../support/site-commons';
import { makeDicom } from '../support/synthetic-dicom';

jest.setTimeout(60_000);

const PROJECT = 'copy-memory';
const SITE = 'site-copy-memory';

describe("ingest's copies in kept memory", () => {
  let fixture: SiteCommons;
  let commons: LocalCommons;
  let s3: S3Client;
  let site: HilumApi;
  let ingestQueuedObjects: typeof IngestQueuedObjects;
  let ingestIntakeObject: typeof IngestIntakeObject;
  let keptCopies: typeof KeptCopies;
  let files = 0;

  beforeAll(async () => {
    fixture = await startSiteCommons({
      name: 'copy-memory',
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
    ({ keptCopies } = require('../../layers/services/copy-memory') as typeof import('../../layers/services/copy-memory'));
    /* eslint-enable @typescript-eslint/no-require-imports */
  });

  afterAll(async () => {
    await fixture?.stop();
  });

  /** One DX image per size (its own patient, study and pixels), uploaded in one submission: the originals by key. */
  const uploaded = async (sizes: readonly number[]) => {
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
        burnedInAnnotation: 'NO',
        patient: { id: `COPY-${files}`, name: `Copy^Memory${files}` },
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

  const record = (key: string): QueuedObjectRecord => ({
    messageId: `m-${key}`,
    receiptHandle: 'r',
    eventSource: 'aws:sqs',
    body: JSON.stringify({
      'detail-type': 'Object Created',
      source: 'aws.s3',
      detail: { bucket: { name: commons.buckets.intake }, object: { key } },
    }),
  });

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

  it('stages each copy of a batch with its own bytes, and the next batch reuses their memory', async () => {
    const first = await uploaded([96, 64, 128]);
    const allocatedBefore = keptCopies.allocated;
    const items = await ingestQueuedObjects([...first.keys()].map(record));
    for (const [i, original] of [...first.values()].entries()) await expectOwnCopy(original, items[i]!.ingest);
    // Three copies waited together for their staging: three buffers lent at once.
    expect(keptCopies.allocated - allocatedBefore).toBe(3);

    // Smaller and larger than before, in the memory the first batch's copies left their bytes in.
    const second = await uploaded([32, 128, 100]);
    const again = await ingestQueuedObjects([...second.keys()].map(record));
    for (const [i, original] of [...second.values()].entries()) await expectOwnCopy(original, again[i]!.ingest);
    expect(keptCopies.allocated - allocatedBefore).toBe(3);
  });

  it('stages an object ingested alone with its own bytes, in memory a larger copy held', async () => {
    const [[key, original]] = [...(await uploaded([48])).entries()] as [[string, Uint8Array]];
    const allocatedBefore = keptCopies.allocated;
    const lease = jest.spyOn(keptCopies, 'lease');
    await expectOwnCopy(original, await ingestIntakeObject(commons.buckets.intake, key));
    expect(lease).toHaveBeenCalledTimes(1);
    expect(keptCopies.allocated).toBe(allocatedBefore);
    lease.mockRestore();
  });
});
