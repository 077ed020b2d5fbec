import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { presignPutUrls, type PutUrlTarget } from '../../../layers/adapters/aws/s3-put-urls';

const SIGN_CONTENT_LENGTH = { signableHeaders: new Set(['content-length']) };
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const clients = {
  'an emulator, path-style': new S3Client({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:4566',
    forcePathStyle: true,
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  }),
  'AWS, virtual-hosted, a session token': new S3Client({
    region: 'eu-west-2',
    credentials: { ...credentials, sessionToken: 'FQoGZXIvYXdzEXAMPLETOKEN' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
  }),
};

function targetsOf(count: number, prefix = 'intake/8b3a1f0e-submission/'): PutUrlTarget[] {
  return Array.from({ length: count }, (_, i) => ({ key: `${prefix}${i.toString(16).padStart(8, '0')}-file`, size: 524_288 + i }));
}

function viaSdk(client: S3Client, target: PutUrlTarget, signingDate: Date): Promise<string> {
  const command = new PutObjectCommand({ Bucket: 'hilum-intake', Key: target.key, ContentLength: target.size });
  return getSignedUrl(client, command, { expiresIn: 3600, signingDate, ...SIGN_CONTENT_LENGTH });
}

describe('presignPutUrls', () => {
  it.each(Object.entries(clients))("gives getSignedUrl's URL for every key and size (%s)", async (_, client) => {
    const signingDate = new Date('2026-12-07T11:45:00Z');
    const targets = targetsOf(20);

    const urls = await presignPutUrls(client, 'hilum-intake', targets, { expiresIn: 3600, signingDate, ...SIGN_CONTENT_LENGTH });

    expect(urls).toEqual(await Promise.all(targets.map((target) => viaSdk(client, target, signingDate))));
    expect(new Set(urls).size).toBe(targets.length);
  });

  it('signs keys the path would escape through the SDK, in their places among the others', async () => {
    const client = clients['an emulator, path-style'];
    const signingDate = new Date('2026-12-07T11:45:00Z');
    const targets = [...targetsOf(2), { key: 'intake/a b+c/ü(1).dcm', size: 10 }, ...targetsOf(2, 'intake/other/')];

    const urls = await presignPutUrls(client, 'hilum-intake', targets, { expiresIn: 3600, signingDate, ...SIGN_CONTENT_LENGTH });

    expect(urls).toEqual(await Promise.all(targets.map((target) => viaSdk(client, target, signingDate))));
  });

  it('answers nothing for no keys', async () => {
    await expect(
      presignPutUrls(clients['an emulator, path-style'], 'hilum-intake', [], { expiresIn: 60, ...SIGN_CONTENT_LENGTH }),
    ).resolves.toEqual([]);
  });

  it("runs the client's middleware stack once per call, not once per key as getSignedUrl per key does", async () => {
    const client = new S3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:4566', forcePathStyle: true, credentials });
    let runs = 0;
    client.middlewareStack.add(
      (next) => (args) => {
        runs += 1;
        return next(args);
      },
      { step: 'build', name: 'countStackRuns' },
    );
    const targets = targetsOf(300);

    await presignPutUrls(client, 'hilum-intake', targets, { expiresIn: 3600, ...SIGN_CONTENT_LENGTH });
    const batched = runs;
    runs = 0;
    await Promise.all(targets.map((target) => viaSdk(client, target, new Date())));

    expect(batched).toBe(1);
    expect(runs).toBe(targets.length);
  });
});
