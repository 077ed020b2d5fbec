/**
 * A reader that goes away (`hilum ... | head`) ends the output, as it does for
 * any Unix tool, instead of an unhandled EPIPE error and a stack trace. Attached
 * where output starts rather than at launch: touching process.stdout creates
 * the stream (about 2 ms on a pipe).
 */
import { writeSync } from 'node:fs';

let attached = false;

export function endQuietlyWhenStdoutCloses(): void {
  if (attached) return;
  attached = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
}

/**
 * Writes to standard output straight to its file descriptor, without creating
 * process.stdout (for a command's last words, such as `hilum deid`'s summary);
 * a closed pipe ends the output quietly. A descriptor that would block hands
 * the rest to the stream.
 */
export function writeStdout(text: string): void {
  let rest = Buffer.from(text, 'utf8');
  while (rest.byteLength > 0) {
    try {
      rest = rest.subarray(writeSync(1, rest));
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (code === 'EPIPE') return;
      if (code !== 'EAGAIN') throw error;
      endQuietlyWhenStdoutCloses();
      process.stdout.write(rest);
      return;
    }
  }
}
