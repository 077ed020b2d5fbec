/**
 * Indexing: a study's aggregate and series records, derived from all its
 * instances. Used by the submission workflow (IndexSubmission, which publishes
 * each study in its aggregate's write) and by a curator's quarantine release
 * into a published submission. I/O through the
 * store it is given (the catalog repository); no AWS import here.
 */
import { summarizeStudy, type Instance, type StudyAggregate, type Submission } from '../catalog/entities';
import { summarizeSeries, type Series } from '../catalog/commons-entities';
import { assertOwnedBy, type StudyOwner } from '../catalog/ownership';
import { mapBounded } from '../common/bounded-map';
import { TransientError } from '../common/errors';

/** What indexing reads and writes: the catalog's study, series and instance records. */
export interface StudyIndexStore {
  listSubmissionStudyUids(submissionId: string): Promise<string[]>;
  listInstances(studyUid: string): Promise<Instance[]>;
  /** The study's instances and the project and site it was claimed for (undefined: no claim), in one read. */
  readStudy(studyUid: string): Promise<{ instances: Instance[]; owner: StudyOwner | undefined }>;
  /** Writes the aggregate; given `publishAt`, publishes the study in the same write (true: this write published it). */
  upsertStudyAggregate(study: StudyAggregate, publishAt?: string): Promise<boolean>;
  putSeries(series: readonly Series[]): Promise<void>;
}

/**
 * Writes the study's aggregate and series from its instances as they are now, without publishing it.
 * Returns the number of instances indexed (0: none, nothing written).
 */
export async function indexStudy(store: StudyIndexStore, studyUid: string, owner: StudyOwner, now: string): Promise<number> {
  return (await writeIndex(store, studyUid, owner, now, await store.listInstances(studyUid))).instances;
}

/**
 * Indexes and publishes every study a sealed submission touched, each in one write of its aggregate (a study with
 * no instance left is neither). A study keeps the project and site it was claimed for; one claimed by another
 * project or site, or holding another's instances, is refused (StudyOwnershipInconsistent) rather than re-owned.
 * Every study is read and checked before any is written, so such a submission publishes none of its studies.
 */
export async function indexSubmissionStudies(
  store: StudyIndexStore,
  submission: Submission,
  now: string,
): Promise<{ studyUids: string[]; instanceCount: number; published: number }> {
  const studyUids = await store.listSubmissionStudyUids(submission.submissionId);
  const studies = await mapBounded(studyUids, STUDIES_IN_FLIGHT, (studyUid) => store.readStudy(studyUid));
  const checked: { studyUid: string; owner: StudyOwner; instances: readonly Instance[] }[] = [];
  for (const [i, study] of studies.entries()) {
    const instances = study.instances;
    if (instances.length === 0) continue;
    // A study staged before claims existed has no owner yet: this submission's, if its instances agree.
    const owner = study.owner ?? submission;
    assertOwnedBy(owner, [submission]);
    assertOwnedBy(owner, instances);
    checked.push({ studyUid: studyUids[i]!, owner, instances });
  }
  // Every study's series in one write first (25 records a request, where a study's own took a request each: fifty
  // one-image studies made fifty requests in the submission's tail); each study's aggregate still follows its series.
  const firstSummaries = checked.map(({ owner, instances }) => summaries(instances, now, owner));
  await store.putSeries(firstSummaries.flatMap((first) => first.series));
  const written = await mapBounded(checked, STUDIES_IN_FLIGHT, ({ studyUid, owner, instances }, i) =>
    writeIndex(store, studyUid, owner, now, instances, now, firstSummaries[i]),
  );
  return {
    studyUids,
    instanceCount: written.reduce((sum, w) => sum + w.instances, 0),
    published: written.filter((w) => w.published).length,
  };
}

/**
 * Studies read, and written, at once: each study's requests wait on the one before them, but no study's on
 * another's; one after another a submission of fifty one-image studies (radiographs) waited some 200 round trips in
 * a row after its last file, while the rest of the pipeline had nothing left to do.
 */
export const STUDIES_IN_FLIGHT = 8;

/** Every instance of the studies (StudyQa's rules read them all), each study's in a read of its own, STUDIES_IN_FLIGHT at once, in the studies' order. */
export async function instancesOfStudies(store: Pick<StudyIndexStore, 'listInstances'>, studyUids: readonly string[]): Promise<Instance[]> {
  return (await mapBounded(studyUids, STUDIES_IN_FLIGHT, (studyUid) => store.listInstances(studyUid))).flat();
}

/** Rewrites after this many verifications that found the study changed; then the task is retried (TransientError). */
const MAX_INDEX_WRITES = 5;

/**
 * Writes the aggregate and series of `instances`, then reads the study's instances
 * again: if what they summarize differs from what was written (another submission
 * staged into the study, or was indexed, between this read and this write), writes
 * again from the newer read. Two indexers of one study may overlap (two submissions'
 * workflows, a file admitted from quarantine), and the later write wins; because every writer
 * checks after its own write, the last write is always one that a read after it
 * confirmed, so the stored study counts every instance staged before it was
 * published, whichever write landed last.
 */
async function writeIndex(
  store: StudyIndexStore,
  studyUid: string,
  owner: StudyOwner,
  now: string,
  first: readonly Instance[],
  publishAt?: string,
  /** The summaries of `first`, whose series the caller has written. */
  firstWritten?: Summaries,
): Promise<{ instances: number; published: boolean }> {
  let instances = first;
  let published = false;
  for (let writes = 1; instances.length > 0; writes += 1) {
    const already = writes === 1 ? firstWritten : undefined;
    const written = already ?? summaries(instances, now, owner);
    // The series first: a study the aggregate's write publishes is visible (a release cut exports its series) from then on.
    if (!already) await store.putSeries(written.series);
    if (await store.upsertStudyAggregate(written.study, publishAt)) published = true;
    const after = await store.listInstances(studyUid);
    // Nothing left (every instance sent back to quarantine meanwhile): nothing to summarize; publication needs instances.
    if (after.length === 0 || sameSummaries(written, summaries(after, now, owner))) return { instances: instances.length, published };
    if (writes >= MAX_INDEX_WRITES) throw new TransientError('the study kept changing while it was indexed; retry');
    instances = after;
  }
  return { instances: 0, published };
}

type Summaries = { study: StudyAggregate; series: Series[] };

function summaries(instances: readonly Instance[], now: string, owner: StudyOwner): Summaries {
  return { study: summarizeStudy(instances, now, owner), series: summarizeSeries(instances, now) };
}

/** The summaries are built field by field in a fixed order from instances read in key order, so equal JSON is equal content. */
function sameSummaries(a: Summaries, b: Summaries): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
