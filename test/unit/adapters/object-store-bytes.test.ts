/**
 * What the object store spends on a large object's bytes: a PUT whose SHA-256 the caller already has is signed
 * with it (the SDK does not hash the body again), and a GET's body is collected into one buffer.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { Readable } from 'node:stream';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { ObjectStore } from '../../../layers/adapters/aws/objects';

interface SentRequest {
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

/** An S3 client that signs as in AWS, sends nowhere, and counts the bytes its signer hashed. */
function capturingClient(answer: () => { statusCode: number; headers: Record<string, string>; body: Readable }) {
  const sent: SentRequest[] = [];
  const hashed = { bytes: 0 };
  class CountingSha256 {
    private readonly hash: Hash | Hmac;
    private readonly keyed: boolean;
    constructor(secret?: string | Uint8Array) {
      this.keyed = secret !== undefined;
      this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', secret);
    }
    update(data: string | Uint8Array): void {
      if (!this.keyed) hashed.bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
      this.hash.update(data);
    }
    async digest(): Promise<Uint8Array> {
      return new Uint8Array(this.hash.digest());
    }
    reset(): void {}
  }
  const client = new S3Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    endpoint: 'http://127.0.0.1:1',
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    sha256: CountingSha256 as unknown as S3ClientConfig['sha256'],
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: SentRequest) => {
        sent.push({ method: request.method, headers: { ...request.headers }, body: request.body });
        return { response: answer() };
      },
    },
  });
  return { store: new ObjectStore(client), sent, hashed };
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest();

describe('ObjectStore.put with the body’s SHA-256', () => {
  const ok = () => ({ statusCode: 200, headers: { etag: '"e"' }, body: Readable.from([]) });

  it('signs the body with the digest it was given, as checksum and payload hash, and hashes none of the body itself', async () => {
    const { store, sent, hashed } = capturingClient(ok);
    const body = new Uint8Array(4 * 1024 * 1024).map((_, i) => i % 251);
    const digest = sha256(body);

    await store.put('released', 'a/b', body, { sha256: digest });

    const [put] = sent;
    expect(put?.headers['x-amz-content-sha256']).toBe(digest.toString('hex'));
    expect(put?.headers['x-amz-checksum-sha256']).toBe(digest.toString('base64'));
    expect(put?.headers.authorization).toMatch(/SignedHeaders=[^,]*x-amz-content-sha256/);
    // The canonical request and the string to sign, a few hundred bytes: not the 4 MB body.
    expect(hashed.bytes).toBeLessThan(4096);
  });

  it('signs a body given without its digest by hashing it, as before', async () => {
    const { store, sent, hashed } = capturingClient(ok);
    const body = new Uint8Array(100_000).fill(7);

    await store.put('released', 'a/b', body);

    expect(sent[0]?.headers['x-amz-content-sha256']).toBe(sha256(body).toString('hex'));
    expect(sent[0]?.headers['x-amz-checksum-sha256']).toBeUndefined();
    expect(hashed.bytes).toBeGreaterThanOrEqual(body.byteLength);
  });
});
