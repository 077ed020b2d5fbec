/**
 * The local commons the Python client's tests run against (clients/python/tests/commons.py
 * starts this script with the pinned Node and tsx): a temporary data folder, free ports,
 * two sites' synthetic studies published into an open and a restricted project, release 1
 * cut. It prints ONE line on stdout, READY_PREFIX and JSON (the API URL, tokens, what was
 * published; the handlers' own log lines go to stdout too, hence the prefix), then serves until its standard input closes (the Python test ends, or dies), and then
 * stops the commons and removes the folder. Diagnostics go to stderr.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HilumApi } from '../../cli/lib/api-client';
import { startLocalCommons, type LocalCommons } from '../../local/commons';
import { makeDicom } from './synthetic-dicom';

const OPEN = 'py-open';
const RESTRICTED = 'py-restricted';
const SITE = 'py-site';
const ROOT = '1.2.826.0.1.3680043.8.498.7316';
const READY_PREFIX = 'hilum-python-fixture ';

interface StudyPlan {
  readonly project: string;
  readonly patient: string;
  readonly modality: 'CT' | 'DX';
  readonly sex: 'F' | 'M';
  readonly instances: number;
}

/** Three open studies (so a page of one has a cursor twice) and one restricted study. */
const STUDIES: readonly StudyPlan[] = [
  { project: OPEN, patient: 'PY-1', modality: 'CT', sex: 'F', instances: 2 },
  { project: OPEN, patient: 'PY-2', modality: 'CT', sex: 'M', instances: 1 },
  { project: OPEN, patient: 'PY-3', modality: 'DX', sex: 'F', instances: 1 },
  { project: RESTRICTED, patient: 'PY-4', modality: 'CT', sex: 'F', instances: 1 },
];

function filesOf(plan: StudyPlan, index: number): { name: string; bytes: Uint8Array }[] {
  const study = `${ROOT}.${index + 1}`;
  return Array.from({ length: plan.instances }, (_, i) => ({
    name: `${plan.patient}-${i + 1}.dcm`,
    bytes: makeDicom({
      modality: plan.modality,
      studyInstanceUid: study,
      seriesInstanceUid: `${study}.1`,
      instanceNumber: i + 1,
      rows: 32,
      columns: 32,
      patient: { id: plan.patient, sex: plan.sex, age: '061Y' },
      ...(plan.modality === 'DX' ? { elements: { '00185101': { vr: 'CS', Value: ['PA'] } } } : {}),
    }),
  }));
}

async function publish(commons: LocalCommons, site: HilumApi, project: string): Promise<number> {
  const files = STUDIES.flatMap((plan, index) => (plan.project === project ? filesOf(plan, index) : []));
  const { submissionId } = await site.createSubmission(project, SITE);
  const { uploads } = await site.requestUploads(
    submissionId,
    files.map((f) => ({ name: f.name, size: f.bytes.byteLength })),
  );
  for (const upload of uploads) {
    const response = await fetch(upload.url!, { method: 'PUT', body: files.find((f) => f.name === upload.name)!.bytes });
    if (response.status !== 200) throw new Error(`upload of ${upload.name} answered ${response.status}`);
  }
  await site.completeSubmission(submissionId);
  await commons.idle();
  const submission = await site.getSubmission(submissionId);
  if (submission.status !== 'published' || submission.stagedCount !== files.length)
    throw new Error(`submission to ${project} is ${submission.status}: ${submission.stagedCount}/${files.length} staged`);
  return files.length;
}

let stopping: Promise<void> | undefined;
let starting = false;
let stopAsked: number | undefined;
let dataDir: string | undefined;
let commons: LocalCommons | undefined;

/** Stops the commons (once) and removes its folder, then exits; while it starts, after it started (never half-way). */
function stopAndExit(code: number): void {
  if (starting) {
    stopAsked ??= code;
    return;
  }
  stopping ??= (async () => {
    await commons?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  })();
  void stopping.finally(() => process.exit(code));
}

async function main(): Promise<void> {
  process.env.SEARCH_SNAPSHOT_TTL_MS = '0'; // every search reads the newest snapshot pointer
  // The Python side holds our stdin: when it closes (the tests ended, or their process died), stop.
  process.stdin.on('end', () => stopAndExit(0));
  process.stdin.on('error', () => stopAndExit(0));
  process.stdin.resume();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stopAndExit(0));

  dataDir = await mkdtemp(join(tmpdir(), 'hilum-python-'));
  starting = true;
  try {
    commons = await startLocalCommons({
      dataDir,
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'ERROR',
      log: (line) => process.stderr.write(`commons: ${line}\n`),
    });
  } finally {
    starting = false;
  }
  if (stopAsked !== undefined) return stopAndExit(stopAsked); // stdin closed while the commons started

  const curatorToken = await commons.issueToken(['curator'], 'py-curator');
  const curator = new HilumApi(commons.apiUrl, curatorToken);
  await curator.request('POST', '/projects', { projectId: OPEN, name: OPEN, availability: 'open', sites: [SITE] });
  await curator.request('POST', '/projects', { projectId: RESTRICTED, name: RESTRICTED, availability: 'restricted', sites: [SITE] });
  const site = new HilumApi(commons.apiUrl, await commons.issueToken([`site-uploader:${SITE}`], 'py-site-uploader'));
  const openInstances = await publish(commons, site, OPEN);
  await publish(commons, site, RESTRICTED);
  await curator.request('POST', '/releases', { notes: 'python client tests' });

  const restrictedStudy = (await curator.listStudies({ project: RESTRICTED })).studies[0]!;
  const restrictedFile = (await curator.studyFiles(restrictedStudy.studyUid)).files[0]!;
  const open = STUDIES.filter((s) => s.project === OPEN);
  const ready = {
    apiUrl: commons.apiUrl,
    tokens: {
      researcher: await commons.issueToken(['researcher'], 'py-researcher'),
      curator: curatorToken,
      dac: await commons.issueToken(['dac'], 'py-dac'),
    },
    open: {
      project: OPEN,
      studies: open.length,
      instances: openInstances,
      modalities: Object.fromEntries(['CT', 'DX'].map((m) => [m, open.filter((s) => s.modality === m).length])),
    },
    restrictedObjectId: `hilum:${restrictedFile.sopUid}`,
  };
  process.stdout.write(`${READY_PREFIX}${JSON.stringify(ready)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`python-client-commons: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  stopAndExit(1);
});
