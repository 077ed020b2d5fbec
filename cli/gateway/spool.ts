import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The gateway's durable spool. An instance is acknowledged to the sender only
 * after its file is written, flushed to disk and renamed into place, so a crash
 * never loses an instance the PACS believes delivered. One folder per study,
 * named by a hash of the Study Instance UID (no identifier in file names).
 *
 *   <root>/incoming/<random>.part     being received
 *   <root>/studies/<study-hash>/<instance-hash>.dcm
 */
export class Spool {
  constructor(readonly root: string) {}

  get incomingDir(): string {
    return join(this.root, 'incoming');
  }

  get studiesDir(): string {
    return join(this.root, 'studies');
  }

  async init(): Promise<void> {
    await mkdir(this.incomingDir, { recursive: true });
    await mkdir(this.studiesDir, { recursive: true });
    // Partial receptions from before a crash were never acknowledged: the sender retries them.
    for (const name of await readdir(this.incomingDir)) await rm(join(this.incomingDir, name), { force: true });
  }

  newIncomingPath(): string {
    return join(this.incomingDir, `${randomUUID()}.part`);
  }

  /** Moves a fully written, flushed file into its study folder; returns the study key. */
  async commit(incomingPath: string, studyUid: string, sopInstanceUid: string): Promise<string> {
    const study = hashKey(studyUid);
    const folder = join(this.studiesDir, study);
    await mkdir(folder, { recursive: true });
    await rename(incomingPath, join(folder, `${hashKey(sopInstanceUid)}.dcm`));
    await fsyncDirectory(folder);
    await fsyncDirectory(this.studiesDir);
    return study;
  }

  /** Study folders with the time of their newest instance. */
  async studies(): Promise<{ key: string; folder: string; lastReceivedMs: number; instances: number }[]> {
    const result = [];
    for (const key of await readdir(this.studiesDir)) {
      const folder = join(this.studiesDir, key);
      const files = (await readdir(folder)).filter((f) => f.endsWith('.dcm'));
      let last = 0;
      for (const file of files) last = Math.max(last, (await stat(join(folder, file))).mtimeMs);
      if (files.length) result.push({ key, folder, lastReceivedMs: last, instances: files.length });
    }
    return result;
  }

  /** Removes a study once its submission is sealed: the commons holds it now. */
  async remove(key: string): Promise<void> {
    await rm(join(this.studiesDir, key), { recursive: true, force: true });
  }
}

export function hashKey(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 32);
}

export async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function fsyncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
