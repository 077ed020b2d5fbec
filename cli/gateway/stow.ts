import { createWriteStream, type WriteStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  FAILURE_REASON,
  MultipartError,
  MultipartSplitter,
  examinePart,
  stowBoundary,
  storeInstancesResponse,
  storeStatus,
  type FailedReference,
  type StoredReference,
} from '../../layers/dicomweb';
import { ACCEPTED_STORAGE_CLASSES } from './scp';
import { fsyncFile, type Spool } from './spool';

/**
 * The gateway's STOW-RS endpoint (PS3.18 10.5) for a PACS or viewer at the site that pushes
 * DICOMweb: `POST /dicomweb/studies[/{study}]`, any size (the commons' own STOW-RS takes 4 MiB
 * at most). The multipart body is split as it arrives and each part written straight to the
 * spool's incoming folder, never held in memory; once a part is on disk it is flushed, checked
 * as a Part 10 instance of an accepted storage class (and of the named study) and committed to
 * its study folder, exactly as a C-STORE is. The answer is the Store Instances Response once
 * every part is spooled: the gateway then uploads the study like one received by C-STORE.
 */

export interface StowServerOptions {
  readonly spool: Spool;
  readonly port: number;
  /** Default 127.0.0.1: the site's own machine only. */
  readonly host?: string;
  readonly log: (line: string) => void;
}

const STUDY_PATH = /^\/dicomweb\/studies(?:\/([0-9.]{1,64}))?\/?$/;

export async function startStowServer(options: StowServerOptions): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    handle(req, res, options).catch((error: unknown) => {
      options.log(`stow: request failed: ${error instanceof Error ? error.name : 'Error'}`);
      if (!res.headersSent) sendJson(res, 500, { message: 'the gateway could not take the request' });
      else res.destroy();
    });
  });
  // A 30 MB radiograph over a slow site network takes a while: no overall request timeout.
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse, options: StowServerOptions): Promise<void> {
  const path = STUDY_PATH.exec(new URL(req.url ?? '/', 'http://gateway').pathname);
  if (!path) return refuse(req, res, 404, 'the gateway serves POST /dicomweb/studies and /dicomweb/studies/{study} only');
  if (req.method !== 'POST') return refuse(req, res, 405, 'STOW-RS is POST', { allow: 'POST' });
  const contentType = stowBoundary(req.headers['content-type']);
  if ('refused' in contentType) return refuse(req, res, 415, contentType.refused);

  const outcome = await receive(req, contentType.boundary, path[1], options);
  if ('malformed' in outcome) return refuse(req, res, 400, outcome.malformed);
  const { stored, failed } = outcome;
  options.log(`stow: ${stored.length} instances spooled, ${failed.length} refused`);
  const status = storeStatus({ stored, failed });
  const body = JSON.stringify(storeInstancesResponse({ stored, failed }));
  res.writeHead(status, { 'content-type': 'application/dicom+json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Streams every part to its own spool file and checks it once it is complete. */
async function receive(
  req: http.IncomingMessage,
  boundary: string,
  targetStudy: string | undefined,
  options: StowServerOptions,
): Promise<{ stored: StoredReference[]; failed: FailedReference[] } | { malformed: string }> {
  const splitter = new MultipartSplitter(boundary);
  const stored: StoredReference[] = [];
  const failed: FailedReference[] = [];
  let part: { path: string; file: WriteStream; headers: Readonly<Record<string, string>> } | undefined;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      for (const event of splitter.push(chunk)) {
        if (event.kind === 'part') {
          const path = options.spool.newIncomingPath();
          part = { path, file: createWriteStream(path), headers: event.headers };
        } else if (event.kind === 'data' && part) {
          // Waiting for the disk pauses reading the request: TCP holds the sender back.
          if (!part.file.write(event.bytes)) await new Promise<void>((resolve) => part!.file.once('drain', () => resolve()));
        } else if (event.kind === 'part-end' && part) {
          const outcome = await spoolPart(part, targetStudy, options.spool);
          if ('reason' in outcome) failed.push(outcome);
          else stored.push(outcome);
          part = undefined;
        }
      }
    }
  } catch (error) {
    if (part) await discard(part);
    if (error instanceof MultipartError) return { malformed: error.message };
    throw error;
  }
  if (part) {
    // The body ended inside a part: that instance was cut short and is not kept.
    await discard(part);
    failed.push({ reason: FAILURE_REASON.cannotUnderstand });
  }
  if (!splitter.done && stored.length === 0 && failed.length === 0)
    return { malformed: `the body holds no part delimited by the boundary of its Content-Type` };
  return { stored, failed };
}

/** Flushes a complete part, checks it like a C-STORE and commits it to its study folder; else removes it. */
async function spoolPart(
  part: { path: string; file: WriteStream; headers: Readonly<Record<string, string>> },
  targetStudy: string | undefined,
  spool: Spool,
): Promise<StoredReference | FailedReference> {
  await closed(part.file);
  try {
    await fsyncFile(part.path);
    // One instance at a time is read back to check it (its whole data set is walked), never the request.
    const examined = examinePart({ headers: part.headers, body: await readFile(part.path) }, targetStudy);
    if (!examined.accepted) {
      await rm(part.path, { force: true });
      return { reason: examined.reason, ...optionalUids(examined) };
    }
    const { sopClassUid, sopInstanceUid, studyInstanceUid } = examined.instance;
    if (!ACCEPTED_STORAGE_CLASSES.has(sopClassUid)) {
      await rm(part.path, { force: true });
      return { reason: FAILURE_REASON.sopClassNotSupported, sopClassUid, sopInstanceUid };
    }
    await spool.commit(part.path, studyInstanceUid, sopInstanceUid);
    return { sopClassUid, sopInstanceUid };
  } catch {
    await rm(part.path, { force: true });
    return { reason: FAILURE_REASON.processingFailure };
  }
}

function optionalUids(examined: { sopClassUid?: string; sopInstanceUid?: string }): Partial<FailedReference> {
  return {
    ...(examined.sopClassUid ? { sopClassUid: examined.sopClassUid } : {}),
    ...(examined.sopInstanceUid ? { sopInstanceUid: examined.sopInstanceUid } : {}),
  };
}

async function discard(part: { path: string; file: WriteStream }): Promise<void> {
  part.file.destroy();
  await rm(part.path, { force: true });
}

function closed(file: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    file.once('error', reject);
    file.once('close', () => resolve());
    file.end();
  });
}

function refuse(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  // An unread body is not drained: the connection closes after the answer.
  sendJson(res, status, { message }, { ...headers, ...(req.complete ? {} : { connection: 'close' }) });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
