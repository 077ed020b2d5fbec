/**
 * Catalog entities, as the handlers see them. Pure types and rules: no AWS here.
 * Nothing in the catalog is PHI: UIDs are the remapped ones, file names are never
 * stored (a site's file names can carry patient names or original UIDs).
 */
import { assertOwnedBy, type StudyOwner } from './ownership';
import type { StoredFinding } from './qa-entities';

export type SubmissionStatus = 'open' | 'sealed' | 'published';

export interface Submission {
  readonly submissionId: string;
  readonly project: string;
  readonly site: string;
  readonly status: SubmissionStatus;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly sealedAt?: string;
  readonly publishedAt?: string;
  /**
   * Published, but the submission workflow's steps after publication (the QA report, the search
   * snapshot) have not finished since: set with `published`, removed by the workflow's last step.
   */
  readonly completionPendingSince?: string;
  /** Files announced through `POST /submissions/{id}/uploads`. */
  readonly fileCount: number;
  /** Files that reached an end state (staged or quarantined). */
  readonly handledCount: number;
  readonly stagedCount: number;
  readonly quarantinedCount: number;
  /** Files marked missing by QA (announced, never received); they count as handled. */
  readonly missingCount?: number;
  /**
   * The site de-identified the files with hilum's engine and the project's secret
   * (`hilum upload --deid-at-site`, `hilum gateway`): the pipeline keeps them as
   * they are and verifies their shape instead of comparing with an original.
   */
  readonly deidentifiedAtSite?: boolean;
  /**
   * The version of the project's de-identification key that was current when the
   * submission opened: every file of it (and its cases.csv) is keyed with that version,
   * even if the key is rotated meanwhile. Absent on submissions opened before keys were per project.
   */
  readonly deidKeyVersion?: string;
}

/** `missing`: announced, never received within the project's grace period after sealing (set by QA). */
export type FileStatus = 'announced' | 'staged' | 'quarantined' | 'missing';

export interface SubmissionFile {
  readonly submissionId: string;
  readonly fileId: string;
  readonly intakeKey: string;
  readonly declaredSize: number;
  readonly status: FileStatus;
  readonly announcedAt: string;
  readonly handledAt?: string;
  /** When staged: where the released copy is. */
  readonly releasedKey?: string;
  /**
   * The study the file was staged into, set with its outcome (and kept when StudyQa sends it back, set again when a
   * curator admits it): a submission's studies are those its files name (`submissionStudyUids`).
   */
  readonly studyUid?: string;
  /** When quarantined: the machine-readable reason (rule id or error name) and a value-free message. */
  readonly quarantineKey?: string;
  readonly reasonCode?: string;
  readonly reason?: string;
  /** When quarantined: a digest of the recorded decision (reason, rules, findings), so a retry of the same attempt can finish it. */
  readonly quarantineDigest?: string;
  /**
   * When quarantined by ingest: the decision as its sidecar and curator record state it (JSON; rule ids and value-free
   * messages), so the reconciler can write them if the Quarantine task was killed after recording the outcome.
   */
  readonly quarantineDecision?: string;
  /**
   * When staged by ingest: the instance QA findings (warnings; none for a clean pass), recorded with the outcome in
   * the staging transaction. Absent on files staged before they were kept here and on files admitted from
   * quarantine: their findings are the QA result item's (`QA#FILE#`).
   */
  readonly qaFindings?: readonly StoredFinding[];
}

export type StudyStatus = 'staged' | 'published';

export interface Study {
  readonly studyUid: string;
  readonly project: string;
  readonly site: string;
  readonly status: StudyStatus;
  readonly modalities: readonly string[];
  readonly seriesCount: number;
  readonly instanceCount: number;
  readonly totalBytes: number;
  readonly submissionIds: readonly string[];
  readonly indexedAt: string;
  readonly publishedAt?: string;
  /** MIDRC study fields, aggregated from the instances (absent in studies indexed before they existed). */
  readonly bodyParts?: readonly string[];
  readonly manufacturers?: readonly string[];
  readonly viewPositions?: readonly string[];
  readonly sliceThicknesses?: readonly number[];
  readonly studyDescription?: string;
  readonly studyYear?: number;
  readonly studyTime?: string;
  readonly patientAge?: number;
  readonly patientSex?: string;
  /** The case this study belongs to (the de-identified PatientID). */
  readonly patientPseudonym?: string;
}

/** The equipment and acquisition attributes MIDRC keeps per instance and per series (from the de-identified output). */
export interface AcquisitionAttributes {
  readonly manufacturer?: string;
  readonly manufacturerModel?: string;
  readonly sliceThickness?: number;
  readonly convolutionKernel?: string;
  readonly viewPosition?: string;
  readonly pixelSpacing?: readonly number[];
  readonly imageType?: readonly string[];
}

export interface Instance extends AcquisitionAttributes {
  readonly studyUid: string;
  readonly seriesUid: string;
  readonly sopUid: string;
  readonly project: string;
  readonly site: string;
  readonly submissionId: string;
  readonly fileId: string;
  readonly objectKey: string;
  readonly size: number;
  readonly sha256: string;
  readonly transferSyntaxUid: string;
  readonly sopClassUid: string;
  readonly modality?: string;
  readonly stagedAt: string;
  /** QA facts from the de-identified copy (series/study rules): the PatientID pseudonym, numbering, frame of reference, pixel key. */
  readonly patientPseudonym?: string;
  readonly instanceNumber?: number;
  readonly frameOfReferenceUid?: string;
  /** The pixel payload's length and CRC-32 (DatasetView.pixelKey). */
  readonly pixelKey?: string;
  /** The pixel payload's SHA-256: recorded by the staging of earlier versions, which hashed every instance's pixels. */
  readonly pixelSha256?: string;
  /** MIDRC imaging attributes, from the de-identified output (layers/catalog/dicom-fields.ts). */
  readonly bodyPart?: string;
  readonly studyDescription?: string;
  readonly seriesDescription?: string;
  readonly seriesNumber?: number;
  /** Year of the (shifted) study date; the date itself is not kept. */
  readonly studyYear?: number;
  /** Study Time (TM, `HHMMSS[.F]`): the time of day, which de-identification keeps unless the profile's `dates.keepTimes` is false. */
  readonly studyTime?: string;
  /** Age at imaging in years, capped at 89. */
  readonly patientAge?: number;
  readonly patientSex?: string;
}

/** The object-id index entry of an instance (`hilum:<SOP Instance UID>` -> its study and series); also the SOP's ownership claim. */
export interface ObjectRef {
  readonly sopUid: string;
  readonly studyUid: string;
  readonly seriesUid: string;
}

/** A sealed submission is ready to index and publish when every announced file has an outcome. */
export function isReadyToPublish(submission: Submission): boolean {
  return submission.status === 'sealed' && submission.fileCount > 0 && submission.handledCount >= submission.fileCount;
}

/**
 * The submission workflow has work left: ready to publish, or published with the steps after
 * publication (QA report, search snapshot) not finished (a task failed, the execution was lost).
 */
export function needsSubmissionWorkflow(submission: Submission): boolean {
  return isReadyToPublish(submission) || (submission.status === 'published' && submission.completionPendingSince !== undefined);
}

/** What indexing derives from a study's instances; publication state is not part of it. */
export type StudyAggregate = Omit<Study, 'status' | 'publishedAt'>;

/**
 * Aggregates a study from all its instances (idempotent: same instances, same
 * aggregate). Instances of every submission that touched the study are included,
 * so the submission list needs no merging with what was stored before. Project
 * and site are the study's owner (its claim), never derived from the instances:
 * an instance of another owner makes it throw StudyOwnershipInconsistent.
 */
export function summarizeStudy(instances: readonly Instance[], now: string, owner: StudyOwner): StudyAggregate {
  const first = instances[0];
  if (!first) throw new Error('a study needs at least one instance');
  assertOwnedBy(owner, instances);
  const series = new Set(instances.map((i) => i.seriesUid));
  const modalities = [...new Set(instances.map((i) => i.modality).filter((m): m is string => !!m))].sort();
  return {
    studyUid: first.studyUid,
    project: owner.project,
    site: owner.site,
    modalities,
    seriesCount: series.size,
    instanceCount: instances.length,
    totalBytes: instances.reduce((sum, i) => sum + i.size, 0),
    submissionIds: [...new Set(instances.map((i) => i.submissionId))].sort(),
    indexedAt: now,
    bodyParts: distinct(instances.map((i) => i.bodyPart)),
    manufacturers: distinct(instances.map((i) => i.manufacturer)),
    viewPositions: distinct(instances.map((i) => i.viewPosition)),
    sliceThicknesses: distinct(instances.map((i) => i.sliceThickness)),
    ...definedOnly({
      studyDescription: mostCommon(instances.map((i) => i.studyDescription)),
      studyYear: mostCommon(instances.map((i) => i.studyYear)),
      studyTime: mostCommon(instances.map((i) => i.studyTime)),
      patientAge: mostCommon(instances.map((i) => i.patientAge)),
      patientSex: mostCommon(instances.map((i) => i.patientSex)),
      patientPseudonym: mostCommon(instances.map((i) => i.patientPseudonym)),
    }),
  };
}

/** Distinct defined values, sorted. */
export function distinct<T extends string | number>(values: readonly (T | undefined)[]): T[] {
  return [...new Set(values.filter((v): v is T => v !== undefined))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The most frequent defined value (ties: the smallest), so one odd instance does not decide a study's field. */
export function mostCommon<T extends string | number>(values: readonly (T | undefined)[]): T | undefined {
  const counts = new Map<T, number>();
  for (const v of values) if (v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: T | undefined;
  let bestCount = 0;
  for (const [v, n] of [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    if (n > bestCount) {
      best = v;
      bestCount = n;
    }
  return best;
}

/** Drops undefined fields: DynamoDB updates name every field they set. */
export function definedOnly<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The studies a submission touched, from its files (each staged one names its study), distinct and in UID order. */
export function submissionStudyUids(files: readonly Pick<SubmissionFile, 'studyUid'>[]): string[] {
  const uids = new Set<string>();
  for (const file of files) if (file.studyUid !== undefined) uids.add(file.studyUid);
  return [...uids].sort();
}
