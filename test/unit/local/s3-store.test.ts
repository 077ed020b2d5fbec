/**
 * Found by the chaos suite (issue 12): `hilum start` killed (SIGKILL) while s3rver wrote an
 * object's metadata left an empty `metadata.json`; from then on every listing of that bucket
 * answered InternalError, the reconciler's listing too, so nothing was ever reconciled again.
 * The local S3 emulator now writes metadata and copies aside and renames them into place, and
 * removes such leftovers of older crashes when it starts.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rememberBucketConfigurations, repairStore, writeObjectsAside } from '../../../local/emulators/s3';

interface Store {
  getSubresource(bucket: string, key: undefined, type: string): Promise<unknown>;
  putSubresource(bucket: string, key: undefined, resource: { type: string; toXML(space: number): string }): Promise<void>;
  deleteSubresource(bucket: string, key: undefined, type: string): Promise<void>;
  listObjects(bucket: string, options: { prefix: string; maxKeys: number }): Promise<{ objects: { key: string }[] }>;
  putObject(object: { bucket: string; key: string; metadata: Record<string, string>; content: Buffer }): Promise<unknown>;
  copyObject(srcBucket: string, srcKey: string, destBucket: string, destKey: string): Promise<unknown>;
  getMetadata(bucket: string, key: string): Promise<Record<string, unknown>>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const FilesystemStore = require('s3rver/lib/stores/filesystem') as new (root: string) => Store;

describe('the local S3 store after a crash', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'hilum-s3-store-'));
    await mkdir(join(root, 'released', 'studies', '1.2', '1.2.3'), { recursive: true });
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const entry = (name: string) => join(root, 'released', 'studies', '1.2', '1.2.3', name);
  async function plant(): Promise<void> {
    // A whole object, and one whose metadata a kill cut to nothing, and a write aside left behind.
    for (const n of ['1', '2']) {
      await writeFile(entry(`${n}.dcm._S3rver_object`), Buffer.from(`bytes ${n}`));
      await writeFile(entry(`${n}.dcm._S3rver_object.md5`), 'd41d8cd98f00b204e9800998ecf8427e');
    }
    await writeFile(entry('1.dcm._S3rver_metadata.json'), JSON.stringify({ 'content-type': 'application/dicom' }));
    await writeFile(entry('2.dcm._S3rver_metadata.json'), '');
    await writeFile(entry('3.dcm._S3rver_object.abc123.partial'), Buffer.from('half'));
  }

  it('fails to list a bucket holding a metadata file a kill cut to nothing (what the chaos run met)', async () => {
    await plant();
    await expect(new FilesystemStore(root).listObjects('released', { prefix: 'studies/', maxKeys: 1000 })).rejects.toThrow(SyntaxError);
  });

  it('removes the unreadable metadata and the leftovers, keeps the objects, and the bucket lists again', async () => {
    await plant();
    expect(await repairStore(root)).toBe(2);
    const { objects } = await new FilesystemStore(root).listObjects('released', { prefix: 'studies/', maxKeys: 1000 });
    expect(objects.map((o) => o.key)).toEqual(['studies/1.2/1.2.3/1.dcm', 'studies/1.2/1.2.3/2.dcm']);
    expect(JSON.parse(await readFile(entry('1.dcm._S3rver_metadata.json'), 'utf8'))).toEqual({ 'content-type': 'application/dicom' });
    expect(await repairStore(root)).toBe(0);
  });

  it('writes metadata and copies aside and renames them, leaving no half-written file behind', async () => {
    writeObjectsAside();
    const store = new FilesystemStore(root);
    await store.putObject({
      bucket: 'released',
      key: 'studies/1.2/1.2.3/9.dcm',
      metadata: { 'content-type': 'application/dicom', 'x-amz-meta-sha256': 'ab' },
      content: Buffer.from('nine'),
    });
    await store.copyObject('released', 'studies/1.2/1.2.3/9.dcm', 'released', 'studies/1.2/1.2.3/10.dcm');
    const names = await readdir(join(root, 'released', 'studies', '1.2', '1.2.3'));
    expect(names.filter((n) => n.endsWith('.partial'))).toEqual([]);
    expect(await readFile(entry('10.dcm._S3rver_object'), 'utf8')).toBe('nine');
    expect(await store.getMetadata('released', 'studies/1.2/1.2.3/10.dcm')).toMatchObject({
      'content-type': 'application/dicom',
      'x-amz-meta-sha256': 'ab',
      'content-length': 4,
    });
    expect(await repairStore(root)).toBe(0);
  });
});

describe('bucket configurations in the local S3 store', () => {
  const CORS =
    '<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>';
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'hilum-s3-configs-'));
    await mkdir(join(root, 'released'), { recursive: true });
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('are read from disk once, not on every request, and follow what the store itself writes and deletes', async () => {
    rememberBucketConfigurations();
    const store = new FilesystemStore(root);
    expect(await store.getSubresource('released', undefined, 'cors')).toBeNull();
    // Written behind the store's back (the emulator's thread is the only writer): not read again.
    await writeFile(join(root, 'released', '._S3rver_cors.xml'), CORS);
    expect(await store.getSubresource('released', undefined, 'cors')).toBeNull();
    await store.putSubresource('released', undefined, { type: 'cors', toXML: () => CORS });
    expect(await store.getSubresource('released', undefined, 'cors')).not.toBeNull();
    await store.deleteSubresource('released', undefined, 'cors');
    expect(await store.getSubresource('released', undefined, 'cors')).toBeNull();
    expect(await store.getSubresource('released', undefined, 'website')).toBeNull();
  });
});
