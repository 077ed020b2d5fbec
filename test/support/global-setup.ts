import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '@jest/types';
import { SHARED_DYNAMODB_LOCAL_ENV, startDynamoDbLocalJava, type DynamoDbLocalJava } from '../../local/emulators/dynamodb';
import checkNodeVersion from './node-version';

/**
 * jest's globalSetup, in jest's own process before any test file: checks the Node (node-version.ts) and, when the
 * run may hold integration files, starts ONE DynamoDB Local for the whole run. Every local commons a test starts
 * (in a worker, or in this process with --runInBand) reaches it through its own SigV4 front under its own key,
 * so its own database (no -sharedDb): a JVM start (~2.5 s of CPU, ~4-5 s) once per run instead of once per file.
 */
const STOP = Symbol.for('hilum.test.sharedDynamoDbLocal');

const SCRATCH = Symbol.for('hilum.test.scratchFolder');

interface Shared {
  java: DynamoDbLocalJava;
  dbPath: string;
}

/** True unless the run's path patterns name only unit tests (a single unit file should not wait for a JVM). */
function mayRunIntegration(globalConfig: Config.GlobalConfig): boolean {
  const patterns = globalConfig.testPathPatterns.patterns;
  return patterns.length === 0 || patterns.some((p) => !/(^|\/)test\/unit\//.test(p) && !/^unit\//.test(p));
}

export default async function globalSetup(globalConfig: Config.GlobalConfig): Promise<void> {
  checkNodeVersion();
  // Every temporary folder of the run (the CDK's cdk.out of each synthesis, the helpers' scratch files, DynamoDB
  // Local's native library) goes under one folder that the teardown removes: a test killed mid-way, or a commons
  // killed with -9 by design (chaos, kill-restart), leaves nothing behind in the machine's temporary folder.
  // The workers inherit TMPDIR, and os.tmpdir() reads it on each call.
  const scratch = await mkdtemp(join(tmpdir(), 'hilum-jest-run-'));
  process.env.TMPDIR = scratch;
  (globalThis as Record<symbol, string>)[SCRATCH] = scratch;
  // The local commons' pipes hand a partial batch on after this window instead of the template's second,
  // so each test's uploads wait milliseconds, not a second, for their ingest (local/sqs-pipe.ts).
  process.env.HILUM_PIPE_WINDOW_MS ??= '25';
  if (!mayRunIntegration(globalConfig)) return;
  const dbPath = await mkdtemp(join(tmpdir(), 'hilum-jest-dynamodb-'));
  const java = await startDynamoDbLocalJava({ dbPath, sharedDb: false });
  process.env[SHARED_DYNAMODB_LOCAL_ENV] = JSON.stringify({ port: java.port, token: java.token, owner: process.pid, dbPath });
  (globalThis as Record<symbol, Shared>)[STOP] = { java, dbPath };
}

/** Removes the run's temporary folder (globalSetup's TMPDIR), after the shared DynamoDB Local has stopped. */
export async function removeScratchFolder(): Promise<void> {
  const scratch = (globalThis as Record<symbol, string | undefined>)[SCRATCH];
  if (!scratch) return;
  delete (globalThis as Record<symbol, string | undefined>)[SCRATCH];
  await rm(scratch, { recursive: true, force: true });
}

export async function stopSharedDynamoDbLocal(): Promise<void> {
  const shared = (globalThis as Record<symbol, Shared | undefined>)[STOP];
  if (!shared) return;
  delete process.env[SHARED_DYNAMODB_LOCAL_ENV];
  await shared.java.stop();
  await rm(shared.dbPath, { recursive: true, force: true });
}
