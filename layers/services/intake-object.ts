import { parseDicom, type InstanceSummary } from '../dicom';
import type { Submission, SubmissionFile } from '../catalog/entities';
import { UnknownUpload } from '../common/errors';
import { loadQaConfig, type QaConfig } from '../qa';
import { MAX_INGEST_OBJECT_BYTES } from '../pipeline/intake-limits';
import { parseIntakeKey } from '../pipeline/object-keys';
import { intakeRepository, objects } from './commons-context';
import { projectQaConfig } from './qa-context';

/** The object's size differs from what the site announced: truncated or replaced in transit. */
export class SizeMismatch extends Error {
  override readonly name = 'SizeMismatch';
}

/** The object is larger than any ingest task can hold (MAX_INGEST_OBJECT_BYTES). */
export class ObjectTooLarge extends Error {
  override readonly name = 'ObjectTooLarge';
}

/** What ingest needs of a submission, all of it fixed when the submission opens. */
export type SubmissionIdentity = Pick<Submission, 'submissionId' | 'project' | 'site' | 'deidentifiedAtSite' | 'deidKeyVersion'>;

export type IntakeObject =
  /** An earlier delivery of the same event already gave the file an outcome (staged, quarantined, missing). */
  | { readonly handled: true; readonly submissionId: string; readonly fileId: string; readonly file: SubmissionFile }
  | {
      readonly handled: false;
      readonly submissionId: string;
      readonly fileId: string;
      readonly submission: SubmissionIdentity;
      readonly config: QaConfig;
      /** The object's bytes, read once: every later step works on them in memory. */
      readonly bytes: Uint8Array;
      readonly summary: InstanceSummary;
    };

/**
 * Finds the announced file of an intake object and reads it, once, as a DICOM Part 10 file.
 *
 * The object's size is checked before a byte of it is read (a site's presigned URL binds the size, but an object
 * can still differ: an old URL, a replaced object): one ranged GET of one byte more than announced, whose answer's
 * headers give the object's whole size (Content-Range) before its body arrives; a wrong size abandons the body
 * unread. A deflated data set inflates within the project's intake policy. `into`: memory the caller lends for the
 * bytes (layers/services/object-memory.ts), else they are read into a new buffer.
 */
export async function readIntakeObject(
  bucket: string,
  key: string,
  lookedUp?: IntakeLookup,
  into?: (length: number) => Uint8Array,
): Promise<IntakeObject> {
  const ids = parseIntakeKey(key);
  if (!ids) throw new UnknownUpload('the object key is not one hilum issued');
  // The submission's identity kept from an earlier file names the project: its QA configuration is read with the file.
  const known = lookedUp ? lookedUp.submission : await keptIdentity(ids.submissionId);
  const first = lookedUp
    ? lookedUp
    : known
      ? await intakeRepository().getFileAndQaConfig(ids.submissionId, ids.fileId, known.project)
      : { file: await intakeRepository().getFile(ids.submissionId, ids.fileId) };
  const file = first.file;
  if (!file) throw new UnknownUpload('the object was not announced in its submission');
  if (file.status !== 'announced') return { handled: true, ...ids, file };
  // One byte more than announced: an object larger than announced shows in the answer's size, never as a big read.
  const opened = await objects().open(bucket, key, { atMost: file.declaredSize + 1 });
  if (!opened) throw new UnknownUpload('the announced object is not in the intake bucket');
  let bytes: Uint8Array;
  try {
    if (opened.size !== file.declaredSize)
      throw new SizeMismatch(`the object has ${opened.size} bytes, ${file.declaredSize} were announced`);
    if (opened.size > MAX_INGEST_OBJECT_BYTES)
      throw new ObjectTooLarge(`the object has ${opened.size} bytes, more than the ${MAX_INGEST_OBJECT_BYTES} an ingest task takes`);
    bytes = await opened.read(into); // exactly the answer's Content-Length: the announced size, as its Content-Range said
  } catch (error) {
    opened.abandon();
    throw error;
  }
  const submission = known ?? (await submissionIdentity(ids.submissionId));
  if (!submission) throw new UnknownUpload('the submission does not exist');
  const config = 'qaConfig' in first ? loadQaConfig(first.qaConfig) : await projectQaConfig(submission.project);
  const { summary } = parseDicom(bytes, { inflation: config.inflation });
  return { handled: false, ...ids, submission, config, bytes, summary };
}

/** What an ingest batch read ahead for one of its objects: the file, its submission's identity, its project's stored QA configuration. */
export interface IntakeLookup {
  readonly file: SubmissionFile | undefined;
  /** Undefined: the submission does not exist (a file then cannot exist either). */
  readonly submission: SubmissionIdentity | undefined;
  /** The stored configuration's JSON; undefined when the project stores none (the default applies). */
  readonly qaConfig: unknown;
}

/**
 * The first reads of several intake objects at once (an ingest batch's): each distinct submission's identity
 * (kept per container, so mostly no request), then every file with its project's QA configuration in one
 * strongly consistent BatchGetItem, instead of one such read per object. By key; a key hilum did not issue is
 * left out (readIntakeObject refuses it).
 */
export async function lookUpIntakeObjects(keys: readonly string[]): Promise<Map<string, IntakeLookup>> {
  const named = keys.flatMap((key) => {
    const ids = parseIntakeKey(key);
    return ids ? [{ key, ...ids }] : [];
  });
  const submissionIds = [...new Set(named.map((n) => n.submissionId))];
  const identities = new Map(await Promise.all(submissionIds.map(async (id) => [id, await submissionIdentity(id)] as const)));
  const projects = [...new Set([...identities.values()].flatMap((identity) => (identity ? [identity.project] : [])))];
  const withSubmission = named.filter((n) => identities.get(n.submissionId) !== undefined);
  const found = await intakeRepository().getFilesAndQaConfigs(withSubmission, projects);
  return new Map(
    named.map(({ key, submissionId, fileId }) => {
      const submission = identities.get(submissionId);
      return [
        key,
        {
          file: found.files.get(`${submissionId}/${fileId}`),
          submission,
          qaConfig: submission ? found.qaConfigs.get(submission.project) : undefined,
        },
      ] as const;
    }),
  );
}

/** Submissions whose identity this container keeps (a few in flight at once; the oldest kept goes first). */
const IDENTITIES_KEPT = 64;
const identities = new Map<string, Promise<SubmissionIdentity | undefined>>();

/**
 * A submission's identity, read once per container: its project, site, key version and whether the site
 * de-identified are set when it opens and never change, and a container ingests many files of a submission
 * in a row, so each later file saves a strongly consistent read (a read unit and a request). Files arriving
 * together share the one read. What does change (status, counters) is read where it is decided: the
 * readiness check reads the submission afresh. A failed read or an unknown submission is not kept.
 */
function submissionIdentity(submissionId: string): Promise<SubmissionIdentity | undefined> {
  const kept = identities.get(submissionId);
  if (kept) return kept;
  const read = readSubmissionIdentity(submissionId);
  if (identities.size >= IDENTITIES_KEPT) identities.delete(identities.keys().next().value!);
  identities.set(submissionId, read);
  const forget = () => {
    if (identities.get(submissionId) === read) identities.delete(submissionId);
  };
  read.then((identity) => {
    if (!identity) forget();
  }, forget);
  return read;
}

/** The identity this container already keeps (or is reading) for the submission; undefined when none or its read failed. */
async function keptIdentity(submissionId: string): Promise<SubmissionIdentity | undefined> {
  return identities.get(submissionId)?.catch(() => undefined);
}

async function readSubmissionIdentity(submissionId: string): Promise<SubmissionIdentity | undefined> {
  const submission = await intakeRepository().getSubmission(submissionId);
  if (!submission) return undefined;
  const { project, site, deidentifiedAtSite, deidKeyVersion } = submission;
  return {
    submissionId,
    project,
    site,
    ...(deidentifiedAtSite === undefined ? {} : { deidentifiedAtSite }),
    ...(deidKeyVersion === undefined ? {} : { deidKeyVersion }),
  };
}
