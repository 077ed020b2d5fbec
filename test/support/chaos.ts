/**
 * The chaos run of issue 12, shared by `npm run bench chaos` (full size) and
 * test/integration/chaos.test.ts (small): synthetic studies from several projects and
 * sites are uploaded with `hilum upload`'s resumable upload library into a `hilum start` child whose
 * runtime injects faults (HILUM_FAULTS: task invocations failing, S3 events duplicated
 * and late), the commons is killed (SIGKILL of its process group) and restarted on the
 * same data folder at moments drawn from the seed, and the reconciler (on a seconds
 * schedule) runs until the commons drains.
 *
 * The verdict is computed from what the commons holds, read around the API: every
 * catalog item (a DynamoDB scan), every object of the intake, work, released and
 * quarantine prefixes, and the bytes of every released object (its InstanceNumber must
 * be that of the uploaded file it is recorded for). The faults a run injected are read
 * from the commons' own log lines (`fault injected: ...`, ids only).
 */
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, paginateListObjectsV2, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, paginateScan } from '@aws-sdk/lib-dynamodb';
import { HilumApi } from '../../cli/lib/api-client';
import { instanceOf } from '../../layers/adapters/aws/dynamodb/instance-item';
import { uploadFiles } from '../../cli/lib/resumable-upload';
import { issueLocalToken } from '../../local/auth/local-issuer';
import { loadOrCreateLocalCredentials } from '../../local/credentials';
import { loadSavedPorts } from '../../local/ports';
import { killGroup, startCommonsProcess, until, type Running } from './commons-process';
import { topLevelText } from './dicom-inspect';
import { rng } from './random';
import { makeSeries } from './synthetic-dicom';

export interface ChaosOptions {
  readonly instances: number;
  readonly seed: number;
  /** How many times the commons is killed and restarted. */
  readonly kills: number;
  readonly taskFailureRate?: number;
  readonly duplicateEventRate?: number;
  readonly delayEventRate?: number;
  readonly maxDelayMs?: number;
  /** The reconciler's interval and grace in the commons (HILUM_RECONCILE_SECONDS / _GRACE_SECONDS). */
  readonly reconcileSeconds?: number;
  readonly graceSeconds?: number;
  /** After how long the reconciler announces again a ready submission that was not published (HILUM_RECONCILE_STALE_SECONDS). */
  readonly announceStaleSeconds?: number;
  /** How long the commons may take to drain after the last upload before the rest counts as stuck. */
  readonly drainTimeoutMs?: number;
  /** Studies uploaded at a time. */
  readonly uploadProcesses?: number;
  /** Instances per study (drawn between the two). */
  readonly studySize?: readonly [number, number];
  /** More environment for the commons (e.g. to show that the run fails without the reconciler). */
  readonly commonsEnv?: Readonly<Record<string, string>>;
  /** Keep the data folder and the commons' log (default: removed after a run that passed). */
  readonly keep?: boolean;
  readonly log?: (line: string) => void;
}

export interface ChaosReport {
  readonly options: ChaosOptions;
  readonly root: string;
  readonly studies: number;
  readonly submissions: number;
  readonly projects: number;
  readonly sites: number;
  readonly kills: readonly { readonly afterHandled: number; readonly atSeconds: number }[];
  /** Faults the commons says it injected, by kind. */
  readonly injected: Readonly<Record<string, number>>;
  readonly published: number;
  readonly quarantined: number;
  /** Files announced but never sent (an announcement whose answer a kill lost), marked missing. */
  readonly phantomsMissing: number;
  readonly lost: number;
  readonly publishedTwice: number;
  readonly stuck: number;
  readonly orphans: {
    readonly intake: number;
    readonly work: number;
    readonly releasedWithoutRecord: number;
    readonly recordsWithoutObject: number;
    readonly quarantineCopiesOfPublished: number;
  };
  readonly orphansTotal: number;
  readonly failures: {
    readonly filesHit: number;
    readonly retriedToSuccess: number;
    readonly quarantinedWithReason: number;
    readonly neither: number;
    readonly reasons: Readonly<Record<string, number>>;
    /** Submission workflow tasks that failed, and whether every submission was published in the end. */
    readonly submissionTasksHit: number;
  };
  readonly quarantinedWithoutFault: number;
  /** Studies whose published instance count is not the number of their files published. */
  readonly studyCountsDiffering: number;
  /** Submissions whose workflow did not reach its end: no QA report stored. */
  readonly submissionsWithoutReport: number;
  /** Published studies search does not find (the live snapshot not rebuilt after their publication). */
  readonly notSearchable: number;
  readonly drained: boolean;
  readonly drainSeconds: number;
  readonly totalSeconds: number;
  /** What broke an invariant, by name and id (never data). */
  readonly problems: readonly string[];
}

const PROJECTS = ['chaos-a', 'chaos-b', 'chaos-c'];
const SITES = ['chaos-site-1', 'chaos-site-2', 'chaos-site-3', 'chaos-site-4'];
const TABLE = 'hilum-catalog';
const BUCKETS = { intake: 'hilum-intake', released: 'hilum-released', quarantine: 'hilum-quarantine' } as const;

interface PlannedStudy {
  readonly index: number;
  readonly project: string;
  readonly site: string;
  readonly folder: string;
  readonly count: number;
}

/** Studies of random sizes, each from one site of one project; a study is one folder, one `hilum upload`, one submission. */
export function planStudies(instances: number, seed: number, studySize: readonly [number, number], root: string): PlannedStudy[] {
  const random = rng(seed);
  const studies: PlannedStudy[] = [];
  for (let left = instances, index = 0; left > 0; index += 1) {
    const size = Math.min(left, studySize[0] + Math.floor(random() * (studySize[1] - studySize[0] + 1)));
    studies.push({
      index,
      project: PROJECTS[index % PROJECTS.length]!,
      site: SITES[Math.floor(random() * SITES.length)]!,
      folder: join(root, `study-${String(index).padStart(3, '0')}`),
      count: size,
    });
    left -= size;
  }
  return studies;
}

/** The path of a study's file `n` (1-based) relative to its folder. */
const fileName = (n: number) => `i${String(n).padStart(4, '0')}.dcm`;

async function writeStudy(study: PlannedStudy, seed: number): Promise<void> {
  await mkdir(study.folder, { recursive: true });
  const uid = `2.25.${seed}${String(study.index).padStart(4, '0')}`;
  const files = makeSeries(study.count, {
    modality: 'CT',
    rows: 32,
    columns: 32,
    studyInstanceUid: uid,
    seriesInstanceUid: `${uid}.1`,
    frameOfReferenceUid: `${uid}.9`,
    // Names of letters no de-identified file holds by chance (the verifier searches the output for each name part).
    patient: { id: `MRN-${seed}-${study.index}`, name: `${letters(seed, study.index, 'family')}^${letters(seed, study.index, 'given')}` },
  });
  await Promise.all(files.map((bytes, i) => writeFile(join(study.folder, fileName(i + 1)), bytes)));
}

function letters(seed: number, index: number, salt: string): string {
  const random = rng(seed + index * 7919 + salt.length * 104_729);
  return Array.from({ length: 7 }, () => 'BCDFGHJKLMNPQRSTVWXZ'[Math.floor(random() * 20)]).join('');
}

interface UploadState {
  submissionId: string;
  sealed: boolean;
  files: Record<string, { fileId: string }>;
}
const readState = async (study: PlannedStudy): Promise<UploadState | undefined> =>
  (JSON.parse(await readFile(join(study.folder, '.hilum-upload.json'), 'utf8').catch(() => 'null')) as UploadState | undefined) ??
  undefined;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const root = await mkdtemp(join(tmpdir(), 'hilum-chaos-'));
  const dataDir = join(root, 'data');
  const logFile = join(root, 'commons.log');
  const random = rng(options.seed ^ 0x0c4a05);
  const studies = planStudies(options.instances, options.seed, options.studySize ?? [10, 40], root);
  await Promise.all(studies.map((s) => writeStudy(s, options.seed)));
  log(`chaos: ${options.instances} instances in ${studies.length} studies, seed ${options.seed}, data in ${root}`);

  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const apiUrl = `http://127.0.0.1:${port}`;
  const faults =
    `seed=${options.seed},tasks=${options.taskFailureRate ?? 0.1},duplicates=${options.duplicateEventRate ?? 0.2},` +
    `delays=${options.delayEventRate ?? 0.2},maxDelayMs=${options.maxDelayMs ?? 3000}`;
  const commonsEnv = {
    HILUM_FAULTS: faults,
    HILUM_RECONCILE_SECONDS: String(options.reconcileSeconds ?? 2),
    HILUM_RECONCILE_GRACE_SECONDS: String(options.graceSeconds ?? 6),
    // A submission execution a fault failed or a kill cut short is announced again after this (15 minutes in AWS).
    HILUM_RECONCILE_STALE_SECONDS: String(options.announceStaleSeconds ?? 20),
    ...options.commonsEnv,
  };
  const runs: Running[] = [];
  let passed = false;
  let commons: Running | undefined;
  let up: Promise<void> = Promise.resolve();
  const start = async () => {
    commons = await startCommonsProcess({ dataDir, port, env: commonsEnv, logFile });
    runs.push(commons);
  };
  try {
    await start();
    const curator = new HilumApi(apiUrl, await issueLocalToken({ dataDir, groups: ['curator'], username: 'chaos-curator' }));
    for (const project of PROJECTS) {
      await curator.request('POST', '/projects', { projectId: project, name: project, availability: 'open', sites: SITES });
      // An announcement whose answer a kill lost leaves a file that is never sent: it must not hold its submission for a day.
      await curator.request('PUT', `/projects/${project}/qa-config`, { missingFileGraceHours: 0.002 });
    }
    const siteTokens = new Map(
      await Promise.all(
        SITES.map(async (s) => [s, await issueLocalToken({ dataDir, groups: [`site-uploader:${s}`], username: `uploader-${s}` })] as const),
      ),
    );

    // Kill moments: when this many files have an outcome (released or quarantined objects), drawn from the seed.
    const thresholds = Array.from({ length: options.kills }, () => Math.floor(options.instances * (0.1 + random() * 0.7))).sort(
      (a, b) => a - b,
    );
    const kills: { afterHandled: number; atSeconds: number }[] = [];
    const s3 = await s3ClientFor(dataDir);
    const handledNow = async () =>
      (await listKeys(s3, BUCKETS.released, 'studies/')).length +
      (await listKeys(s3, BUCKETS.quarantine, 'quarantine/')).filter((k) => !k.endsWith('.json')).length;

    // Uploads: each study folder as `hilum upload` sends it (its upload library, resumable from the folder's
    // state file; in this process, not one CLI process per study), run again after a failure (the commons
    // was down) until the submission is sealed.
    const queue = [...studies];
    const uploader = async () => {
      for (let study = queue.shift(); study; study = queue.shift()) {
        const api = new HilumApi(apiUrl, siteTokens.get(study.site)!);
        const files = await Promise.all(
          Array.from({ length: study.count }, async (_, i) => {
            const path = join(study.folder, fileName(i + 1));
            return { path, relativePath: fileName(i + 1), size: (await stat(path)).size };
          }),
        );
        for (let attempt = 1; ; attempt += 1) {
          await up;
          const outcome = await uploadFiles({
            api,
            apiUrl,
            project: study.project,
            site: study.site,
            files,
            statePath: join(study.folder, '.hilum-upload.json'),
            jobs: 2,
          }).catch((error: Error) => ({ sealed: false, failed: [{ reason: error.message }] }));
          if (outcome.sealed && outcome.failed.length === 0) break;
          if (attempt >= 30)
            throw new Error(`the upload of study ${study.index} failed ${attempt} times: ${outcome.failed[0]?.reason ?? 'not sealed'}`);
          await sleep(1000);
        }
      }
    };
    const uploading = Promise.all(Array.from({ length: options.uploadProcesses ?? 2 }, uploader));
    let uploadsDoneAt: number | undefined;
    void uploading.then(
      () => (uploadsDoneAt = Date.now()),
      () => undefined,
    );

    const killer = (async () => {
      for (const threshold of thresholds) {
        // A pipeline that handles nothing is still killed, a minute after the last upload.
        const handled = await until(
          async () => {
            const n = await handledNow().catch(() => 0);
            return n >= threshold || (uploadsDoneAt && Date.now() - uploadsDoneAt > 60_000) ? n : undefined;
          },
          `${threshold} files to be handled before kill ${kills.length + 1}`,
          60 * 60_000,
          250,
        );
        let restarted!: () => void;
        up = new Promise<void>((r) => (restarted = r));
        await killGroup(commons!);
        kills.push({ afterHandled: handled, atSeconds: (Date.now() - started) / 1000 });
        log(
          `chaos: killed the commons (kill ${kills.length} of ${options.kills}) with ${kills.at(-1)!.afterHandled} files handled, at ${kills.at(-1)!.atSeconds.toFixed(0)} s`,
        );
        await start();
        restarted();
        log('chaos: restarted on the same data folder');
      }
    })();
    await Promise.all([uploading, killer]);
    const uploadsEnded = Date.now();
    log(`chaos: every study uploaded and sealed at ${((uploadsEnded - started) / 1000).toFixed(0)} s; draining`);

    const db = await documentClientFor(dataDir);
    let lastError = '';
    const drained = await until(
      async () =>
        (await quickDrainCheck(s3, db, studies).catch((e: Error) => {
          if (e.name !== lastError) log(`chaos: drain check failed: ${(lastError = e.name)}`);
          return false;
        }))
          ? true
          : undefined,
      'the commons to drain',
      options.drainTimeoutMs ?? 10 * 60_000,
      2000,
    ).then(
      () => true,
      () => false,
    );
    const drainSeconds = (Date.now() - uploadsEnded) / 1000;
    log(`chaos: ${drained ? 'drained' : 'did NOT drain'} after ${drainSeconds.toFixed(1)} s; checking`);
    const verdict = await checkEndState({ s3, db, studies, curator, commonsOutput: runs.map((r) => r.output()).join('\n') });
    s3.destroy();
    db.destroy();
    passed = drained && verdict.problems.length === 0;
    return {
      options,
      root,
      studies: studies.length,
      submissions: studies.length,
      projects: new Set(studies.map((s) => s.project)).size,
      sites: new Set(studies.map((s) => s.site)).size,
      kills,
      ...verdict,
      drained,
      drainSeconds,
      totalSeconds: (Date.now() - started) / 1000,
      problems: [...(drained ? [] : ['the commons did not drain in time']), ...verdict.problems],
    };
  } finally {
    if (commons) await killGroup(commons);
    // A failed run keeps its data folder and the commons' log for whoever looks into it.
    if (!options.keep && passed) await rm(root, { recursive: true, force: true });
    else log(`chaos: data folder and commons.log kept in ${root}`);
  }
}

async function s3ClientFor(dataDir: string): Promise<S3Client> {
  const ports = await loadSavedPorts(dataDir);
  return new S3Client({
    endpoint: `http://127.0.0.1:${ports.s3}`,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: await loadOrCreateLocalCredentials(dataDir),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

async function documentClientFor(dataDir: string): Promise<DynamoDBDocumentClient> {
  const ports = await loadSavedPorts(dataDir);
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: `http://127.0.0.1:${ports.dynamodb}`,
      region: 'us-east-1',
      credentials: await loadOrCreateLocalCredentials(dataDir),
    }),
  );
}

async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix })) {
    for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
  }
  return keys;
}

type Item = Record<string, unknown> & { pk: string; sk: string };
async function scanCatalog(db: DynamoDBDocumentClient): Promise<Item[]> {
  const items: Item[] = [];
  for await (const page of paginateScan({ client: db }, { TableName: TABLE })) items.push(...((page.Items ?? []) as Item[]));
  return items;
}

/** Cheap, polled: every submission published, nothing in intake or work, as many released objects as staged files. */
async function quickDrainCheck(s3: S3Client, db: DynamoDBDocumentClient, studies: readonly PlannedStudy[]): Promise<boolean> {
  const [intake, work, released] = await Promise.all([
    listKeys(s3, BUCKETS.intake, 'intake/'),
    listKeys(s3, BUCKETS.intake, 'work/'),
    listKeys(s3, BUCKETS.released, 'studies/'),
  ]);
  if (intake.length || work.length) return false;
  let staged = 0;
  for (const study of studies) {
    const state = await readState(study);
    if (!state?.sealed) return false;
    const { Item } = await db.send(new GetCommand({ TableName: TABLE, Key: { pk: `SUBMISSION#${state.submissionId}`, sk: 'SUBMISSION' } }));
    // Published, and the workflow's steps after publication (QA report, search snapshot) done.
    if (Item?.status !== 'published' || Item.completionPendingSince !== undefined) return false;
    staged += Number(Item.stagedCount ?? 0);
  }
  return released.length === staged;
}

interface OurFile {
  readonly study: PlannedStudy;
  readonly instanceNumber: number;
  readonly submissionId: string;
  readonly fileId: string;
}

// Workflow ids may hold a hyphen (ingest-large, the redrives and large objects).
const FAULT_LINE = /fault injected: (\S+) ([\w-]+)\/(\w+) (\S+)/g;

/** The end state, judged from the catalog items, the bucket listings, the released bytes and the fault log lines. */
export async function checkEndState(input: {
  s3: S3Client;
  db: DynamoDBDocumentClient;
  studies: readonly PlannedStudy[];
  curator: HilumApi;
  commonsOutput: string;
}) {
  const { s3, db, studies } = input;
  const problems: string[] = [];
  const ours = new Map<string, OurFile>();
  const submissionIds = new Set<string>();
  for (const study of studies) {
    const state = await readState(study);
    if (!state) {
      problems.push(`study ${study.index}: no upload state`);
      continue;
    }
    submissionIds.add(state.submissionId);
    for (let n = 1; n <= study.count; n += 1) {
      const entry = state.files[fileName(n)];
      if (!entry) problems.push(`study ${study.index} file ${n}: never announced`);
      else
        ours.set(`${state.submissionId}/${entry.fileId}`, {
          study,
          instanceNumber: n,
          submissionId: state.submissionId,
          fileId: entry.fileId,
        });
    }
  }

  const items = await scanCatalog(db);
  const files = new Map(
    items.filter((i) => i.pk.startsWith('SUBMISSION#') && i.sk.startsWith('FILE#')).map((i) => [`${i.pk.slice(11)}/${i.sk.slice(5)}`, i]),
  );
  // Read as the catalog reads them: an instance item leaves out what its key says (instance-item.ts).
  const instances = items
    .filter((i) => i.pk.startsWith('STUDY#') && i.sk.startsWith('INSTANCE#'))
    .map((i): Item => ({ ...i, ...instanceOf(i) }));
  const instancesByKey = new Map<string, Item[]>();
  for (const i of instances) instancesByKey.set(String(i.objectKey), [...(instancesByKey.get(String(i.objectKey)) ?? []), i]);
  const [intake, work, released, quarantine] = await Promise.all([
    listKeys(s3, BUCKETS.intake, 'intake/'),
    listKeys(s3, BUCKETS.intake, 'work/'),
    listKeys(s3, BUCKETS.released, 'studies/'),
    listKeys(s3, BUCKETS.quarantine, 'quarantine/'),
  ]);
  const releasedSet = new Set(released);
  const quarantineSet = new Set(quarantine);

  // What each released object is: its SOP UID and InstanceNumber, read from its bytes.
  const releasedFacts = new Map<string, { sop?: string; instanceNumber?: string }>();
  for (let i = 0; i < released.length; i += 16) {
    await Promise.all(
      released.slice(i, i + 16).map(async (key) => {
        const body = await s3.send(new GetObjectCommand({ Bucket: BUCKETS.released, Key: key }));
        const bytes = await body.Body!.transformToByteArray();
        releasedFacts.set(key, { sop: topLevelText(bytes, '00080018'), instanceNumber: topLevelText(bytes, '00200013') });
      }),
    );
  }

  let published = 0;
  let quarantined = 0;
  let lost = 0;
  let stuck = 0;
  const outcome = new Map<string, 'published' | 'quarantined' | 'other'>();
  const reasonOf = new Map<string, string>();
  for (const [ref, file] of ours) {
    const record = files.get(ref);
    const status = record?.status;
    if (status === 'staged') {
      const key = String(record!.releasedKey);
      const recorded = instancesByKey.get(key) ?? [];
      const facts = releasedFacts.get(key);
      if (
        releasedSet.has(key) &&
        recorded.length === 1 &&
        recorded[0]!.fileId === file.fileId &&
        facts?.instanceNumber === String(file.instanceNumber)
      ) {
        published += 1;
        outcome.set(ref, 'published');
        continue;
      }
      problems.push(
        `file ${ref}: staged, but its released object ${releasedSet.has(key) ? 'is recorded for another file or holds other bytes' : 'is missing'}`,
      );
    } else if (status === 'quarantined') {
      const key = `quarantine/${ref}`;
      let sidecarReason: string | undefined;
      if (quarantineSet.has(`${key}.json`)) {
        const body = await s3.send(new GetObjectCommand({ Bucket: BUCKETS.quarantine, Key: `${key}.json` }));
        sidecarReason = (JSON.parse(await body.Body!.transformToString()) as { reasonCode?: string }).reasonCode;
      }
      if (quarantineSet.has(key) && sidecarReason && record!.reasonCode === sidecarReason) {
        quarantined += 1;
        outcome.set(ref, 'quarantined');
        reasonOf.set(ref, sidecarReason);
        continue;
      }
      problems.push(`file ${ref}: quarantined (${String(record!.reasonCode)}) without its quarantine copy and reason`);
    } else if (status === 'announced') {
      stuck += 1;
      problems.push(`file ${ref}: still announced`);
      outcome.set(ref, 'other');
      continue;
    } else {
      problems.push(`file ${ref}: ${status ? `ended ${String(status)}` : 'has no catalog record'}`);
    }
    lost += 1;
    outcome.set(ref, 'other');
  }

  // Files of our submissions that are not ours: announced twice (the first answer lost in a kill), never sent.
  let phantomsMissing = 0;
  for (const [ref, record] of files) {
    if (!submissionIds.has(ref.split('/')[0]!) || ours.has(ref)) continue;
    if (record.status === 'missing') phantomsMissing += 1;
    else if (record.status === 'announced') {
      stuck += 1;
      problems.push(`file ${ref}: announced, never sent, still waiting`);
    } else problems.push(`file ${ref}: not uploaded by the run, yet ${String(record.status)}`);
  }
  for (const id of submissionIds) {
    const submission = items.find((i) => i.pk === `SUBMISSION#${id}` && i.sk === 'SUBMISSION');
    // What a reader of a failed run needs to tell a lost announcement from a failing workflow (no values: counts and times).
    const facts = submission
      ? ` (files handled ${String(submission.handledCount)}/${String(submission.fileCount)}, ready announced ${String(submission.readyAnnouncedAt ?? 'never')})`
      : '';
    if (submission?.status !== 'published') {
      stuck += 1;
      problems.push(`submission ${id}: ${String(submission?.status ?? 'no record')}, not published${facts}`);
    } else if (submission.completionPendingSince !== undefined) {
      stuck += 1;
      problems.push(`submission ${id}: published, its workflow not finished since ${String(submission.completionPendingSince)}${facts}`);
    }
  }

  // Published twice: an uploaded file behind two released objects or records, or a SOP UID released twice.
  let publishedTwice = 0;
  const perFile = new Map<string, number>();
  for (const i of instances) {
    const ref = `${String(i.submissionId)}/${String(i.fileId)}`;
    perFile.set(ref, (perFile.get(ref) ?? 0) + 1);
  }
  for (const [ref, n] of perFile) {
    if (n > 1) {
      publishedTwice += n - 1;
      problems.push(`file ${ref}: ${n} instance records`);
    }
  }
  const sops = new Map<string, number>();
  for (const facts of releasedFacts.values()) if (facts.sop) sops.set(facts.sop, (sops.get(facts.sop) ?? 0) + 1);
  for (const [sop, n] of sops) {
    if (n > 1) {
      publishedTwice += n - 1;
      problems.push(`SOP ${sop}: released ${n} times`);
    }
  }
  // A published file must leave nothing in quarantine: no copy, no sidecar, no open curator record.
  const openRecords = new Set(
    items
      .filter((i) => i.pk.startsWith('QUARANTINE#') && i.status === 'quarantined')
      .map((i) => `${String(i.submissionId)}/${String(i.fileId)}`),
  );
  const bothWays = [...outcome].filter(
    ([ref, o]) =>
      o === 'published' && (quarantineSet.has(`quarantine/${ref}`) || quarantineSet.has(`quarantine/${ref}.json`) || openRecords.has(ref)),
  );

  // Orphans: what nothing points at any more.
  const handled = (ref: string | undefined) => !!ref && ['staged', 'quarantined', 'missing'].includes(String(files.get(ref)?.status));
  const refOf = (key: string) => /^(?:intake|work)\/([^/]+)\/([^/.]+)/.exec(key)?.slice(1, 3).join('/');
  const orphans = {
    intake: intake.filter((k) => handled(refOf(k)) || !files.has(refOf(k) ?? '')).length,
    work: work.length,
    releasedWithoutRecord: released.filter((k) => !instancesByKey.has(k)).length,
    recordsWithoutObject: instances.filter((i) => !releasedSet.has(String(i.objectKey))).length,
    quarantineCopiesOfPublished: bothWays.length,
  };
  for (const [name, n] of Object.entries(orphans)) if (n > 0) problems.push(`orphans: ${n} ${name}`);
  const orphansTotal = Object.values(orphans).reduce((a, b) => a + b, 0);

  // Studies: the published instance count is the number of the study's files published.
  let studyCountsDiffering = 0;
  const expected = new Map<string, number>();
  for (const [ref, o] of outcome)
    if (o === 'published') expected.set(String(files.get(ref)!.studyUid), (expected.get(String(files.get(ref)!.studyUid)) ?? 0) + 1);
  for (const [uid, n] of expected) {
    const study = items.find((i) => i.pk === `STUDY#${uid}` && i.sk === 'STUDY');
    if (study?.status !== 'published' || Number(study.instanceCount) !== n) {
      studyCountsDiffering += 1;
      problems.push(`study ${uid}: ${String(study?.status)} with ${String(study?.instanceCount)} instances, ${n} published`);
    }
  }

  // The submission workflow ran to its end for each submission: its QA report is stored, and every
  // published study is found by search (the live snapshot was rebuilt after its publication).
  const reports = new Set(await listKeys(s3, BUCKETS.released, 'reports/'));
  const withoutReport = [...submissionIds].filter((id) => !reports.has(`reports/${id}/qa-report.json`));
  for (const id of withoutReport) problems.push(`submission ${id}: published without its QA report`);
  let notSearchable = 0;
  for (const project of new Set(studies.map((s) => s.project))) {
    const publishedHere = [...expected.keys()].filter(
      (uid) => items.find((i) => i.pk === `STUDY#${uid}` && i.sk === 'STUDY')?.project === project,
    ).length;
    const { total } = await input.curator.request<{ total: number }>('POST', '/search', { facets: { project: [project] } });
    if (total < publishedHere) {
      notSearchable += publishedHere - total;
      problems.push(`project ${project}: ${publishedHere} studies published, ${total} found by search`);
    }
  }

  // Failures: every file a task fault hit ended published (retried to success) or quarantined with a reason.
  const injected: Record<string, number> = {};
  const hit = new Set<string>();
  let submissionTasksHit = 0;
  for (const line of input.commonsOutput.matchAll(/fault injected: (?:duplicate event|late event) /g)) {
    const kind = line[0].includes('duplicate') ? 'duplicated events' : 'late events';
    injected[kind] = (injected[kind] ?? 0) + 1;
  }
  for (const [, kind, workflow, , subject] of input.commonsOutput.matchAll(FAULT_LINE)) {
    if (kind === 'duplicate' || kind === 'late') continue;
    injected[kind!] = (injected[kind!] ?? 0) + 1;
    if (workflow?.startsWith('submission')) submissionTasksHit += 1;
    // A batch's fault names each of its objects (comma-separated): every one of them was hit.
    else for (const one of subject?.split(',') ?? []) if (ours.has(one)) hit.add(one);
  }
  const reasons: Record<string, number> = {};
  let retriedToSuccess = 0;
  let quarantinedWithReason = 0;
  let neither = 0;
  for (const ref of hit) {
    const o = outcome.get(ref);
    if (o === 'published') retriedToSuccess += 1;
    else if (o === 'quarantined') {
      quarantinedWithReason += 1;
      reasons[reasonOf.get(ref)!] = (reasons[reasonOf.get(ref)!] ?? 0) + 1;
    } else neither += 1;
  }
  const quarantinedWithoutFault = [...outcome].filter(([ref, o]) => o === 'quarantined' && !hit.has(ref));
  for (const [ref] of quarantinedWithoutFault) problems.push(`file ${ref}: quarantined (${reasonOf.get(ref)}) though no fault hit it`);

  return {
    injected,
    published,
    quarantined,
    phantomsMissing,
    lost,
    publishedTwice,
    stuck,
    orphans,
    orphansTotal,
    failures: { filesHit: hit.size, retriedToSuccess, quarantinedWithReason, neither, reasons, submissionTasksHit },
    quarantinedWithoutFault: quarantinedWithoutFault.length,
    studyCountsDiffering,
    submissionsWithoutReport: withoutReport.length,
    notSearchable,
    problems,
  };
}

/** The figures, one per line, as the bench prints them. */
export function formatChaosReport(r: ChaosReport): string {
  const o = r.options;
  const pct = (x: number | undefined, d: number) => `${Math.round((x ?? d) * 100)}%`;
  const kinds = (names: string[]) => names.map((k) => `${k} ${r.injected[k] ?? 0}`).join(', ');
  const taskKinds = ['Lambda.ServiceException', 'InjectedFault', 'Sandbox.Timedout', 'States.Timeout'];
  const tasks = taskKinds.reduce((n, k) => n + (r.injected[k] ?? 0), 0);
  return [
    `chaos: ${o.instances} instances in ${r.studies} studies (${r.submissions} submissions, ${r.projects} projects, ${r.sites} sites), seed ${o.seed}`,
    `faults: ${pct(o.taskFailureRate, 0.1)} of task invocations failing, ${pct(o.duplicateEventRate, 0.2)} of S3 events duplicated, ${pct(o.delayEventRate, 0.2)} late (up to ${o.maxDelayMs ?? 3000} ms); ` +
      `${r.kills.length} kills (${r.kills.map((k) => `after ${k.afterHandled} handled, at ${k.atSeconds.toFixed(0)} s`).join('; ')})`,
    `injected: ${tasks} task failures (${kinds(taskKinds)}), ${r.injected['duplicated events'] ?? 0} duplicated events, ${r.injected['late events'] ?? 0} late events`,
    `lost ${r.lost}`,
    `published twice ${r.publishedTwice}`,
    `stuck ${r.stuck}`,
    `orphans ${r.orphansTotal} (intake ${r.orphans.intake}, work ${r.orphans.work}, released without record ${r.orphans.releasedWithoutRecord}, ` +
      `records without object ${r.orphans.recordsWithoutObject}, quarantine copies of published files ${r.orphans.quarantineCopiesOfPublished})`,
    `failures: ${r.failures.filesHit} files hit by a task failure: ${r.failures.retriedToSuccess} retried to success, ${r.failures.quarantinedWithReason} quarantined with a reason` +
      ` (${
        Object.entries(r.failures.reasons)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ') || 'none'
      }), ${r.failures.neither} neither; ` +
      `${r.failures.submissionTasksHit} submission-workflow task failures`,
    `quarantined without a fault ${r.quarantinedWithoutFault}; studies whose published count differs ${r.studyCountsDiffering}; ` +
      `submissions without their QA report ${r.submissionsWithoutReport}; published studies search does not find ${r.notSearchable}`,
    `outcome: ${r.published} staged (released copy checked), ${r.quarantined} quarantined, ${r.phantomsMissing} announced-but-never-sent files marked missing`,
    `time to drain ${r.drainSeconds.toFixed(1)} s after the last upload${r.drained ? '' : ' (did NOT drain)'}; whole run ${r.totalSeconds.toFixed(0)} s`,
    ...(r.problems.length ? [`problems (${r.problems.length}):`, ...r.problems.slice(0, 30).map((p) => `  ${p}`)] : []),
  ].join('\n');
}
