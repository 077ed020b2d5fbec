/**
 * What the object store spends on a large object's bytes: a PUT whose SHA-256 the caller already has is signed
 * with it (the SDK does not hash the body again) and confirmed by the checksum S3 answers (no HEAD); a GET answers
 * the object's size before its body is read, and reads the body into one buffer, which the caller may give.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { Readable } from 'node:stream';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { ObjectStore, SINGLE_DELETES_AT_MOST } from '../../../layers/adapters/aws/objects';

interface SentRequest {
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
  readonly path?: string;
  readonly query?: Record<string, unknown>;
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
        sent.push({
          method: request.method,
          headers: { ...request.headers },
          body: request.body,
          path: request.path,
          query: { ...request.query },
        });
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
    const body = new Uint8Array(4 * 1024 * 1024).map((_, i) => i % 251);
    const digest = sha256(body);
    const { store, sent, hashed } = capturingClient(() => ({
      statusCode: 200,
      headers: { etag: '"e"', 'x-amz-checksum-sha256': digest.toString('base64') },
      body: Readable.from([]),
    }));

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

describe('ObjectStore.put confirms the stored copy by the checksum S3 answers', () => {
  const body = new Uint8Array(64 * 1024).map((_, i) => i % 253);
  const digest = sha256(body);
  const answers = (...list: Array<{ statusCode: number; headers: Record<string, string>; body?: string }>) => {
    let next = 0;
    return () => {
      const answer = list[Math.min(next++, list.length - 1)]!;
      return { statusCode: answer.statusCode, headers: answer.headers, body: Readable.from(answer.body ? [Buffer.from(answer.body)] : []) };
    };
  };

  it('takes the checksum S3 answers as the confirmation: no HEAD after the PUT', async () => {
    const { store, sent } = capturingClient(
      answers({ statusCode: 200, headers: { etag: '"e"', 'x-amz-checksum-sha256': digest.toString('base64') } }),
    );
    await store.put('released', 'a/b', body, { sha256: digest });
    expect(sent.map((r) => r.method)).toEqual(['PUT']);
  });

  it('refuses an answer naming another checksum as a TransientError', async () => {
    const other = sha256(new Uint8Array(1)).toString('base64');
    const { store } = capturingClient(answers({ statusCode: 200, headers: { etag: '"e"', 'x-amz-checksum-sha256': other } }));
    await expect(store.put('released', 'a/b', body, { sha256: digest })).rejects.toMatchObject({ name: 'TransientError' });
  });

  it('makes a PUT S3 refused for its checksum (BadDigest: the bytes changed after they were hashed) a TransientError, which a retry repairs', async () => {
    const refusal = '<?xml version="1.0"?><Error><Code>BadDigest</Code><Message>The SHA256 you specified did not match.</Message></Error>';
    const { store } = capturingClient(answers({ statusCode: 400, headers: { 'content-type': 'application/xml' }, body: refusal }));
    await expect(store.put('released', 'a/b', body, { sha256: digest })).rejects.toMatchObject({ name: 'TransientError' });
  });

  it('confirms by a HEAD of the size when the answer names no checksum (a store that keeps none), and refuses another size', async () => {
    const headOf = (size: number) => ({ statusCode: 200, headers: { 'content-length': String(size), etag: '"e"' } });
    const confirmed = capturingClient(answers({ statusCode: 200, headers: { etag: '"e"' } }, headOf(body.byteLength)));
    await confirmed.store.put('released', 'a/b', body, { sha256: digest });
    expect(confirmed.sent.map((r) => r.method)).toEqual(['PUT', 'HEAD']);

    const short = capturingClient(answers({ statusCode: 200, headers: { etag: '"e"' } }, headOf(body.byteLength - 1)));
    await expect(short.store.put('released', 'a/b', body, { sha256: digest })).rejects.toMatchObject({ name: 'TransientError' });
  });

  it('asks nothing more of a PUT sent without a checksum', async () => {
    const { store, sent } = capturingClient(answers({ statusCode: 200, headers: { etag: '"e"' } }));
    await store.put('released', 'a.json', body, { contentType: 'application/json' });
    expect(sent.map((r) => r.method)).toEqual(['PUT']);
  });
});

describe('ObjectStore.open: the object’s size before its body', () => {
  /** A body that records whether anything pulled a byte of it, and whether it was closed. */
  function watchedBody(bytes: Uint8Array) {
    const seen = { pulled: false, destroyed: false };
    let sent = false;
    const body = new Readable({
      read() {
        seen.pulled = true;
        if (!sent) {
          sent = true;
          this.push(Buffer.from(bytes));
        }
        this.push(null);
      },
      destroy(error, callback) {
        seen.destroyed = true;
        callback(error);
      },
    });
    return { body, seen };
  }

  it('answers the whole size from the ranged answer’s Content-Range before a byte of the body is read, and abandons the body unread', async () => {
    const { body, seen } = watchedBody(new Uint8Array(1001));
    const { store, sent } = capturingClient(() => ({
      statusCode: 206,
      headers: { 'content-range': 'bytes 0-1000/400000', 'content-length': '1001' },
      body,
    }));

    const opened = await store.open('intake', 'k', { atMost: 1001 });
    expect(opened?.size).toBe(400_000);
    expect(sent.map((r) => [r.method, r.headers.range])).toEqual([['GET', 'bytes=0-1000']]);
    expect(seen.pulled).toBe(false);
    opened?.abandon();
    expect(seen.destroyed).toBe(true);
    expect(seen.pulled).toBe(false);
  });

  it('answers the size of a whole-object answer (a store that ignored the range) for the caller to refuse, and never reads more than asked', async () => {
    const { body, seen } = watchedBody(new Uint8Array(5000));
    const { store } = capturingClient(() => ({ statusCode: 200, headers: { 'content-length': '5000' }, body }));
    const opened = await store.open('intake', 'k', { atMost: 1001 });
    expect(opened?.size).toBe(5000);
    await expect(opened!.read()).rejects.toMatchObject({ name: 'TransientError' });
    expect([seen.pulled, seen.destroyed]).toEqual([false, true]);
  });

  it('refuses a body that ends before its Content-Length', async () => {
    const { body } = watchedBody(new Uint8Array(10));
    const { store } = capturingClient(() => ({
      statusCode: 206,
      headers: { 'content-range': 'bytes 0-19/20', 'content-length': '20' },
      body,
    }));
    const opened = await store.open('intake', 'k', { atMost: 21 });
    await expect(opened!.read()).rejects.toMatchObject({ name: 'TransientError' });
  });

  it('reads the body into memory the caller lends, and refuses memory of another length', async () => {
    const sent = Uint8Array.from({ length: 300 }, (_, i) => i % 251);
    const answer = () => ({
      statusCode: 206,
      headers: { 'content-range': 'bytes 0-299/300', 'content-length': '300' },
      body: watchedBody(sent).body,
    });
    const lent = new Uint8Array(300).fill(0xee);
    const read = await (await capturingClient(answer).store.open('intake', 'k', { atMost: 301 }))!.read(() => lent);
    expect(read).toBe(lent);
    expect([...read]).toEqual([...sent]);
    const { body, seen } = watchedBody(sent);
    const opened = await capturingClient(() => ({ ...answer(), body })).store.open('intake', 'k', { atMost: 301 });
    await expect(opened!.read(() => new Uint8Array(299))).rejects.toBeInstanceOf(RangeError);
    expect([seen.pulled, seen.destroyed]).toEqual([false, true]);
  });

  it('answers an object of no bytes (a range S3 cannot satisfy) as size 0, and a missing one as undefined', async () => {
    const error = (code: string, status: number) => () => ({
      statusCode: status,
      headers: { 'content-type': 'application/xml' },
      body: Readable.from([Buffer.from(`<?xml version="1.0"?><Error><Code>${code}</Code><Message>m</Message></Error>`)]),
    });
    const empty = await capturingClient(error('InvalidRange', 416)).store.open('intake', 'k', { atMost: 11 });
    expect(empty?.size).toBe(0);
    expect((await empty!.read()).byteLength).toBe(0);
    expect(await capturingClient(error('NoSuchKey', 404)).store.open('intake', 'k', { atMost: 11 })).toBeUndefined();
  });
});

describe('ObjectStore.deleteMany', () => {
  const deleted = () => ({ statusCode: 204, headers: {}, body: Readable.from([]) });
  const quietBatch = () => ({ statusCode: 200, headers: {}, body: Readable.from(['<DeleteResult></DeleteResult>']) });

  it(`deletes up to ${SINGLE_DELETES_AT_MOST} keys with a DELETE each (free), more with one DeleteObjects (a POST)`, async () => {
    const few = capturingClient(deleted);
    const keys = Array.from({ length: SINGLE_DELETES_AT_MOST }, (_, i) => `intake/s/f${i}`);
    await few.store.deleteMany('intake', keys);
    expect(few.sent.map((r) => [r.method, r.path]).sort()).toEqual(keys.map((key) => ['DELETE', `/intake/${key}`]).sort());

    const many = capturingClient(quietBatch);
    await many.store.deleteMany('intake', [...keys, 'intake/s/one-more']);
    expect(many.sent.map((r) => [r.method, r.path, 'delete' in (r.query ?? {})])).toEqual([['POST', '/intake/', true]]);

    const none = capturingClient(deleted);
    await none.store.deleteMany('intake', []);
    expect(none.sent).toEqual([]);
  });
});
