/**
 * The usage meter behind `npm run bench cost` counts S3 requests by price class at the S3
 * emulator's front (the DynamoDB front's rewriting is unit-tested: test/unit/local/usage-meter).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { generateLocalCredentials } from '../../local/credentials';
import { startS3, type S3Emulator } from '../../local/emulators/s3';
import { LOCAL_REGION } from '../../local/template/names';
import { UsageMeter } from '../../local/usage-meter';

const meter = new UsageMeter();
let dataDir: string;
let s3e: S3Emulator;
const credentials = generateLocalCredentials();

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'hilum-usage-meter-'));
  s3e = await startS3({
    dataDir,
    credentials,
    meter,
    buckets: [{ role: 'intake', logicalId: 'Intake', name: 'hilum-intake', eventBridge: false, cors: [] }],
  });
});

afterAll(async () => {
  await s3e?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('metering at the S3 emulator’s front', () => {
  it('counts S3 requests by price class', async () => {
    const s3 = new S3Client({ endpoint: s3e.endpoint, region: LOCAL_REGION, forcePathStyle: true, credentials });
    try {
      const before = meter.snapshot().s3;
      await s3.send(new PutObjectCommand({ Bucket: 'hilum-intake', Key: 'k', Body: 'one' }));
      await (await s3.send(new GetObjectCommand({ Bucket: 'hilum-intake', Key: 'k' }))).Body?.transformToString();
      await s3.send(new ListObjectsV2Command({ Bucket: 'hilum-intake' }));
      await s3.send(new DeleteObjectCommand({ Bucket: 'hilum-intake', Key: 'k' }));
      const after = meter.snapshot().s3;
      expect(after['put-copy-post-list'] - before['put-copy-post-list']).toBe(2);
      expect(after['get-head-other'] - before['get-head-other']).toBe(1);
      expect(after.delete - before.delete).toBe(1);
    } finally {
      s3.destroy();
    }
  });
});
