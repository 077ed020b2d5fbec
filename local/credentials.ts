import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/**
 * The one AWS access key of a local commons: every emulator verifies SigV4 against it.
 * Generated once per data directory and kept in `<dataDir>/auth/aws-credentials`, an AWS
 * shared-credentials file (profile `hilum-local`, mode 0600) that awscli and the SDKs
 * read as is. A fixed, published key (s3rver's `S3RVER`) would let any web page or
 * local user sign requests; a generated one is known only to whoever can read the file.
 */

export interface LocalCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export const LOCAL_PROFILE = 'hilum-local';

export const credentialsFile = (dataDir: string) => path.join(dataDir, 'auth', 'aws-credentials');

/** A fresh key pair (AWS-shaped: a 20-character id, a 40-character secret). */
export function generateLocalCredentials(): LocalCredentials {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const id = [...randomBytes(16)].map((b) => alphabet[b % 32]).join('');
  return { accessKeyId: `HLMA${id}`, secretAccessKey: randomBytes(30).toString('base64') };
}

/** Loads the data directory's key, creating it on first use. */
export async function loadOrCreateLocalCredentials(dataDir: string): Promise<LocalCredentials> {
  const file = credentialsFile(dataDir);
  const existing = await readCredentials(file);
  if (existing) return existing;
  const created = generateLocalCredentials();
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const text = `[${LOCAL_PROFILE}]\naws_access_key_id = ${created.accessKeyId}\naws_secret_access_key = ${created.secretAccessKey}\n`;
  // Written aside and linked into place, so a concurrent reader never sees half a file.
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await fs.writeFile(temporary, text, { mode: 0o600, flag: 'wx' });
  try {
    await fs.link(temporary, file);
    return created;
  } catch (error) {
    // Another process created it meanwhile: theirs wins, so both use one key.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const theirs = await readCredentials(file);
    if (!theirs) throw error;
    return theirs;
  } finally {
    await fs.unlink(temporary).catch(() => undefined);
  }
}

async function readCredentials(file: string): Promise<LocalCredentials | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const value = (name: string) => new RegExp(`^\\s*${name}\\s*=\\s*(\\S+)\\s*$`, 'm').exec(text)?.[1];
  const accessKeyId = value('aws_access_key_id');
  const secretAccessKey = value('aws_secret_access_key');
  if (!accessKeyId || !secretAccessKey) throw new Error(`${file} holds no aws_access_key_id / aws_secret_access_key`);
  return { accessKeyId, secretAccessKey };
}
