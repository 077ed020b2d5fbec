import type { FileStatus, SubmissionFile } from './entities';
import type { QuarantineStatus } from './qa-entities';

/**
 * The reconciler's decisions, as data in and actions out (no I/O): which intake
 * objects to ingest again, and which leftovers of crashed work to delete. The
 * handler (functions/qa/reconcile.ts) lists the buckets, looks the files up and
 * carries out what this returns. Every action is safe to repeat: the pipeline
 * handles a duplicate "Object Created" idempotently, and nothing deleted here is
 * the only copy of anything (see each rule).
 */

export interface ListedObject {
  readonly key: string;
  readonly lastModified: Date;
}

/** A listed released object, with whether the catalog has an instance record pointing at it. */
export interface ReleasedObject extends ListedObject {
  readonly recorded: boolean;
  /**
   * The status of the file that claimed the object's SOP (the one whose Stage writes it), when known. While it
   * is `announced` a Stage may be writing the object again and about to record it (a re-driven file whose first
   * Stage was killed between its copy and its transaction): deleting then would leave a record without object.
   */
  readonly claimantStatus?: FileStatus;
}

export interface ReconcileInput {
  readonly now: Date;
  /** How long an object may sit before the reconciler acts on it (longer than an ingest normally takes). */
  readonly graceMs: number;
  /** Objects under `intake/` in the intake bucket. */
  readonly intakeObjects: readonly ListedObject[];
  /** Objects under `work/` in the intake bucket (de-identified copies in flight). */
  readonly workObjects: readonly ListedObject[];
  /** Objects under `studies/` in the released bucket. */
  readonly releasedObjects: readonly ReleasedObject[];
  /** The status of each file the listed keys name, keyed `submissionId/fileId`; absent: no record. */
  readonly fileStatus: ReadonlyMap<string, FileStatus>;
  /** Objects under `quarantine/` in the quarantine bucket (copies and `.json` sidecars). */
  readonly quarantineObjects?: readonly ListedObject[];
  /** The curator record's status of the staged files those name, keyed `submissionId/fileId`; absent: no record. */
  readonly quarantineRecordStatus?: ReadonlyMap<string, QuarantineStatus>;
}

export interface ReconcileActions {
  /** Intake keys of announced files whose ingest never finished: their "Object Created" event is sent again. */
  readonly redrive: readonly string[];
  /** Intake originals of files that already have an outcome (Stage/Quarantine killed before their delete). */
  readonly deleteIntake: readonly string[];
  /** Work copies of files that have an outcome (or no record): the outcome holds its own copy. */
  readonly deleteWork: readonly string[];
  /** Released objects no catalog record points at (Stage killed between the copy and the transaction). */
  readonly deleteReleased: readonly string[];
  /**
   * Quarantine copies and sidecars of files that were staged after all (a Quarantine killed before its
   * outcome write, the file then re-driven and staged): PHI nobody needs, in the PHI-grade bucket.
   */
  readonly deleteQuarantine: readonly string[];
  /**
   * Intake originals (among deleteIntake) of quarantined files: a Quarantine killed between its outcome write and
   * its curator record leaves exactly this, so the record is checked (and written from the stored decision) first.
   */
  readonly finishQuarantine: readonly string[];
  /** Files (`submissionId/fileId`) whose open curator record goes with them. */
  readonly withdrawQuarantineRecords: readonly string[];
}

const ID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const INTAKE = new RegExp(`^intake/(${ID})/(${ID})$`);
const WORK = new RegExp(`^work/(${ID})/(${ID})\\.dcm$`);
const RELEASED = /^studies\/[^/]+\/[^/]+\/[^/]+\.dcm$/;
const QUARANTINED = new RegExp(`^quarantine/(${ID})/(${ID})(?:\\.json)?$`);

/** `submissionId/fileId` of an intake or work key hilum issued; undefined for any other key. */
export function fileRefOf(key: string): string | undefined {
  const match = INTAKE.exec(key) ?? WORK.exec(key);
  return match ? `${match[1]}/${match[2]}` : undefined;
}

/** `submissionId/fileId` of a quarantine copy or sidecar of an announced file; undefined for any other key. */
export function quarantineRefOf(key: string): string | undefined {
  const match = QUARANTINED.exec(key);
  return match ? `${match[1]}/${match[2]}` : undefined;
}

export function isSettled(object: ListedObject, now: Date, graceMs: number): boolean {
  return now.getTime() - object.lastModified.getTime() >= graceMs;
}

/** Whether a released key is an instance object (the only kind the reconciler may judge). */
export const isReleasedInstanceKey = (key: string) => RELEASED.test(key);

export function planReconcile(input: ReconcileInput): ReconcileActions {
  const settled = (o: ListedObject) => isSettled(o, input.now, input.graceMs);
  const redrive: string[] = [];
  const deleteIntake: string[] = [];
  const finishQuarantine: string[] = [];
  for (const object of input.intakeObjects) {
    const ref = fileRefOf(object.key);
    // Keys hilum never issued, or files it has no record of, are the ingest workflow's to quarantine.
    const status = ref ? input.fileStatus.get(ref) : undefined;
    if (!status || !settled(object)) continue;
    if (status === 'announced') redrive.push(object.key);
    // A handled file's outcome (released copy or quarantine copy) exists before its original is deleted.
    else {
      deleteIntake.push(object.key);
      if (status === 'quarantined') finishQuarantine.push(object.key);
    }
  }
  const deleteWork: string[] = [];
  for (const object of input.workObjects) {
    const ref = fileRefOf(object.key);
    if (!ref || !settled(object)) continue;
    // An announced file's work copy may be read by a running or redriven ingest; it is rewritten if deleted, but keep it.
    if (input.fileStatus.get(ref) === 'announced') continue;
    deleteWork.push(object.key);
  }
  const deleteReleased = input.releasedObjects
    .filter((o) => isReleasedInstanceKey(o.key) && !o.recorded && settled(o) && o.claimantStatus !== 'announced')
    .map((o) => o.key);
  const deleteQuarantine: string[] = [];
  const withdraw = new Set<string>();
  for (const object of input.quarantineObjects ?? []) {
    const ref = quarantineRefOf(object.key);
    if (!ref || !settled(object) || input.fileStatus.get(ref) !== 'staged') continue;
    // A curator's release stages a quarantined file and keeps its copy and its (released) record: never touched.
    const record = input.quarantineRecordStatus?.get(ref);
    if (record !== undefined && record !== 'quarantined') continue;
    deleteQuarantine.push(object.key);
    if (record === 'quarantined') withdraw.add(ref);
  }
  return {
    redrive,
    deleteIntake,
    finishQuarantine,
    deleteWork,
    deleteReleased,
    deleteQuarantine,
    withdrawQuarantineRecords: [...withdraw],
  };
}

/** A file without an outcome yet, and since when (GET /submissions/{id} shows them so a stuck file is visible). */
export interface WaitingFile {
  readonly fileId: string;
  readonly status: 'announced';
  readonly since: string;
}

/** The submission's files still waiting for an outcome, longest waiting first. */
export function waitingFiles(files: readonly Pick<SubmissionFile, 'fileId' | 'status' | 'announcedAt'>[]): WaitingFile[] {
  return files
    .filter((f) => f.status === 'announced')
    .map((f) => ({ fileId: f.fileId, status: 'announced' as const, since: f.announcedAt }))
    .sort((a, b) => a.since.localeCompare(b.since) || a.fileId.localeCompare(b.fileId));
}
