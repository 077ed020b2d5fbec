import { mkdtemp, rm } from 'node:fs/promises';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropRequestLogger } from '../../../local/emulators/s3';

interface S3rverLike {
  middleware: Array<{ readonly name: string }>;
  logger: { info: (...args: unknown[]) => unknown; close(): void };
  configureBuckets(): Promise<void>;
  callback(): http.RequestListener;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => S3rverLike;

/** Lists a bucket through s3rver's handler; resolves with the status and how many lines its logger was given. */
async function listThrough(drop: boolean): Promise<{ status: number; logged: number; dropped: boolean }> {
  const directory = await mkdtemp(join(tmpdir(), 'hilum-s3-logger-'));
  const server = new S3rver({ directory, silent: true, vhostBuckets: false, configureBuckets: [{ name: 'b', configs: [] }] });
  const dropped = drop ? dropRequestLogger(server.middleware) : false;
  await server.configureBuckets();
  let logged = 0;
  const info = server.logger.info.bind(server.logger);
  server.logger.info = (...args: unknown[]) => {
    logged += 1;
    return info(...args);
  };
  const front = http.createServer(server.callback());
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = front.address() as { port: number };
    const response = await fetch(`http://127.0.0.1:${port}/b`);
    await response.arrayBuffer();
    return { status: response.status, logged, dropped };
  } finally {
    await new Promise((resolve) => front.close(resolve));
    server.logger.close();
    await rm(directory, { recursive: true, force: true });
  }
}

describe("the local S3 emulator's request logger", () => {
  it('is taken out: s3rver answers the same without formatting a log line per request', async () => {
    const withLogger = await listThrough(false);
    const without = await listThrough(true);
    // s3rver's controllers log their own lines too; the request logger adds one per response.
    expect(without).toEqual({ status: withLogger.status, logged: withLogger.logged - 1, dropped: true });
  });

  it('is taken out of the emulator’s bundled worker too, where esbuild renamed its function', () => {
    const middleware = [{ name: 'logger2' }, { name: 'vhost' }, { name: 'dispatch' }];
    expect(dropRequestLogger(middleware)).toBe(true);
    expect(middleware.map((m) => m.name)).toEqual(['vhost', 'dispatch']);
    expect(dropRequestLogger([{ name: 'loggerMiddleware' }, { name: 'vhost' }])).toBe(false);
  });
});
