/**
 * Entry of the pixel codec bundle test: decodes every frame of each file named on the
 * command line through layers/dicom's public API and prints a digest of the decoded
 * samples per file, so a bundled copy can be compared with the same code run in jest.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decodeFrame, storedFrames } from '../../layers/dicom';

async function digestOf(path: string): Promise<string> {
  const { frames, transferSyntaxUid, pixel } = storedFrames(new Uint8Array(readFileSync(path)));
  const hash = createHash('sha256');
  for (const frame of frames) {
    const decoded = await decodeFrame(frame, transferSyntaxUid, pixel);
    hash.update(new Uint8Array(decoded.pixels.buffer, decoded.pixels.byteOffset, decoded.pixels.byteLength));
  }
  return hash.digest('hex');
}

export async function digests(paths: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const path of paths) out[path] = await digestOf(path);
  return out;
}

if (require.main === module) {
  digests(process.argv.slice(2)).then(
    (result) => process.stdout.write(JSON.stringify(result)),
    (error: unknown) => {
      process.stderr.write(`${(error as Error).name}: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
