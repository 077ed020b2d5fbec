import { open } from 'node:fs/promises';

/** Reads exactly `length` bytes at `offset`; a shorter file (changed since it was announced) is an error. */
export async function readRange(path: string, offset: number, length: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, offset);
    if (bytesRead !== length) throw new Error('the file is shorter than announced');
    return buffer;
  } finally {
    await handle.close();
  }
}
