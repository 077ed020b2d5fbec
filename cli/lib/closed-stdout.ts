/**
 * A reader that goes away (`hilum ... | head`) ends the output, as it does for
 * any Unix tool, instead of an unhandled EPIPE error and a stack trace. Attached
 * where output starts rather than at launch: touching process.stdout creates
 * the stream (about 2 ms on a pipe).
 */
let attached = false;

export function endQuietlyWhenStdoutCloses(): void {
  if (attached) return;
  attached = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
}
