import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
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

/**
 * readRange into one buffer, reused from read to read: a loop that reads a file, sends it and only then
 * reads the next (an upload lane) allocates nothing per file, where a fresh buffer per 0.5 MB CT slice
 * was most of what its garbage collector was spending time on. What read() returns is valid until the
 * next call.
 */
export class ReusedRangeReader {
  private buffer = Buffer.allocUnsafe(0);

  async read(path: string, offset: number, length: number): Promise<Buffer> {
    if (this.buffer.byteLength < length) this.buffer = Buffer.allocUnsafe(length);
    const handle = await open(path, 'r');
    try {
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await handle.read(this.buffer, filled, length - filled, offset + filled);
        if (bytesRead === 0) throw new Error('the file is shorter than announced');
        filled += bytesRead;
      }
      return this.buffer.subarray(0, length);
    } finally {
      await handle.close();
    }
  }

  /**
   * The whole file as it is now, read blocking (for a batch that waits for each file anyway: no thread pool
   * trips). A plain Uint8Array, as readFile's bytes were given to the checks: a Buffer's slice() is a view.
   */
  readWholeSync(path: string): Uint8Array {
    const fd = openSync(path, 'r');
    try {
      const length = fstatSync(fd).size;
      if (this.buffer.byteLength < length) this.buffer = Buffer.allocUnsafe(length);
      let filled = 0;
      while (filled < length) {
        const bytesRead = readSync(fd, this.buffer, filled, length - filled, filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return new Uint8Array(this.buffer.buffer, this.buffer.byteOffset, filled);
    } finally {
      closeSync(fd);
    }
  }
}
