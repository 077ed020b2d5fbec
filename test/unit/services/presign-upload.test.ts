/**
 * S8 (issue 11): every presigned upload URL signs the size it was issued for, so
 * S3 refuses a PUT of any other size (the local commons' SigV4 front enforces it
 * too: test/integration/ingest-limits.test.ts).
 */
import type { PresignedUpload } from '../../../layers/services/presign-upload';

const MIB = 1024 * 1024;

let presignUpload: typeof import('../../../layers/services/presign-upload').presignUpload;

beforeAll(async () => {
  Object.assign(process.env, {
    INTAKE_BUCKET: 'intake-bucket',
    MULTIPART_THRESHOLD_BYTES: String(16 * MIB),
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  });
  ({ presignUpload } = await import('../../../layers/services/presign-upload'));
});

const target = (size: number) => ({ submissionId: 's', fileId: 'f', key: 'intake/s/f', size });
const signedHeaders = (url: string) => new URL(url).searchParams.get('X-Amz-SignedHeaders')?.split(';') ?? [];

describe('presigned uploads bind the announced size', () => {
  it('signs content-length into a single PUT URL', async () => {
    const upload = (await presignUpload(target(1000))) as Extract<PresignedUpload, { method: 'PUT' }>;
    expect(upload.method).toBe('PUT');
    expect(signedHeaders(upload.url)).toEqual(['content-length', 'host']);
  });

  it("signs each part URL of a multipart upload with that part's size", async () => {
    const upload = (await presignUpload(target(20 * MIB + 5), 'existing-upload')) as Extract<PresignedUpload, { multipart: unknown }>;
    const { parts } = upload.multipart;
    expect(parts.map((p) => p.size)).toEqual([8 * MIB, 8 * MIB, 4 * MIB + 5]);
    for (const part of parts) expect(signedHeaders(part.url)).toEqual(['content-length', 'host']);
  });

  it('gives URLs for different sizes different signatures', async () => {
    jest.useFakeTimers({ now: new Date('2026-12-01T00:00:00Z') });
    try {
      const a = new URL(((await presignUpload(target(1000))) as { url: string }).url);
      const b = new URL(((await presignUpload(target(1001))) as { url: string }).url);
      expect(a.searchParams.get('X-Amz-Date')).toBe(b.searchParams.get('X-Amz-Date'));
      expect(a.searchParams.get('X-Amz-Signature')).not.toBe(b.searchParams.get('X-Amz-Signature'));
    } finally {
      jest.useRealTimers();
    }
  });
});
