/**
 * The commons' entities around studies: projects and who may see them, cases
 * (pseudonymous patients with MIDRC demographics), series, releases, cohorts and
 * grants. Pure types and rules; the keys are in keys.ts, the storage in layers/adapters/aws/dynamodb/.
 */
import type { CaseDemographics } from '../clinical/case-sheet';
import type { SearchFilters } from '../search/model';
import { distinct, mostCommon, definedOnly, type AcquisitionAttributes, type Instance } from './entities';
import type { ProjectReleaseCounts } from './release-counts';

/**
 * open: every researcher sees and downloads; restricted: researchers with a grant;
 * sequestered: held back for evaluation, never listed to researchers. Curators see all.
 */
export const AVAILABILITIES = ['open', 'restricted', 'sequestered'] as const;
export type Availability = (typeof AVAILABILITIES)[number];

export interface Project {
  readonly projectId: string;
  readonly name: string;
  readonly availability: Availability;
  readonly description?: string;
  /** Per-project options other capabilities read (e.g. de-identification options); opaque here. */
  readonly settings?: Readonly<Record<string, string | number | boolean>>;
  /** The sites that may open submissions to the project (and get its de-identification key); none when absent. */
  readonly sites?: readonly string[];
  /** The project's additions to the clinical data dictionary (nodes, properties), valid by `loadDictionary` when saved. */
  readonly clinicalDictionary?: unknown;
  /** The project's own binary case label from its clinical data, valid by `loadCaseLabel` against its dictionary when saved. */
  readonly caseLabel?: unknown;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * A grant lets one user download one restricted project, or the studies of one
 * cohort in restricted projects (an approved access request; docs/access.md).
 */
export interface Grant {
  /** Absent only on grants written before access requests existed. */
  readonly grantId?: string;
  readonly subject: string;
  /** Project grants: the project. */
  readonly project?: string;
  /** Cohort grants: the cohort, and the restricted projects whose studies of it are granted. */
  readonly cohortId?: string;
  readonly cohortProjects?: readonly string[];
  readonly grantedBy: string;
  readonly grantedAt: string;
  readonly expiresAt?: string;
  /** The access request it answers. */
  readonly requestId?: string;
}

/** MIDRC case (patient) demographics; the id is the keyed pseudonym of the site's patient id. */
export interface Case extends CaseDemographics {
  readonly project: string;
  readonly casePseudonym: string;
  readonly site: string;
  readonly submissionId: string;
  readonly updatedAt: string;
}

export interface Series extends AcquisitionAttributes {
  readonly studyUid: string;
  readonly seriesUid: string;
  readonly project: string;
  readonly site: string;
  readonly modality?: string;
  readonly bodyPart?: string;
  readonly seriesDescription?: string;
  readonly seriesNumber?: number;
  readonly instanceCount: number;
  readonly totalBytes: number;
  readonly indexedAt: string;
}

/** Series aggregates of a study's instances (most common value per field). */
export function summarizeSeries(instances: readonly Instance[], now: string): Series[] {
  const bySeries = new Map<string, Instance[]>();
  for (const i of instances) bySeries.set(i.seriesUid, [...(bySeries.get(i.seriesUid) ?? []), i]);
  return [...bySeries.values()]
    .map((members) => {
      const first = members[0]!;
      const common = <K extends keyof Instance>(key: K) => mostCommon(members.map((m) => m[key] as string | number | undefined));
      const pixelSpacing = mostCommon(members.map((m) => m.pixelSpacing?.join('\\')));
      const imageType = mostCommon(members.map((m) => m.imageType?.join('\\')));
      return {
        studyUid: first.studyUid,
        seriesUid: first.seriesUid,
        project: first.project,
        site: first.site,
        instanceCount: members.length,
        totalBytes: members.reduce((n, m) => n + m.size, 0),
        indexedAt: now,
        ...definedOnly({
          modality: common('modality'),
          bodyPart: common('bodyPart'),
          seriesDescription: common('seriesDescription'),
          seriesNumber: common('seriesNumber'),
          manufacturer: common('manufacturer'),
          manufacturerModel: common('manufacturerModel'),
          sliceThickness: common('sliceThickness'),
          convolutionKernel: common('convolutionKernel'),
          viewPosition: common('viewPosition'),
          pixelSpacing: pixelSpacing?.split('\\').map(Number),
          imageType: imageType?.split('\\'),
        }),
      } as Series;
    })
    .sort((a, b) => (a.seriesUid < b.seriesUid ? -1 : 1));
}

/** An immutable list of what was published when a curator cut it. */
export interface Release {
  readonly releaseNumber: number;
  readonly name?: string;
  readonly notes?: string;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly studyCount: number;
  readonly seriesCount: number;
  readonly instanceCount: number;
  readonly totalBytes: number;
  /**
   * The same counts per project, so a listing sums only what its caller may count
   * (layers/access/releases.ts). Absent on releases cut before they were kept.
   */
  readonly projects?: readonly ProjectReleaseCounts[];
  /**
   * The counts per project of what researchers may ever see of it: the studies of cases the
   * sequestration split kept open (docs/sequestration.md). Absent on releases cut before the split.
   */
  readonly openProjects?: readonly ProjectReleaseCounts[];
  /** Released-bucket key of the release's sequestration ledger (every case's assignment and the balance report). */
  readonly sequestrationKey?: string;
  /** Released-bucket keys: the manifest (every object of the release), its frozen search snapshot, the Parquet export. */
  readonly manifestKey: string;
  readonly snapshotKey: string;
  readonly exportPrefix: string;
}

/** A saved search, pinned to the release it was made on. */
export interface Cohort {
  readonly cohortId: string;
  readonly name: string;
  readonly owner: string;
  readonly createdAt: string;
  readonly releaseNumber: number;
  readonly filters: SearchFilters;
  /** Studies of the release matching the filters that the owner could see when it was saved. */
  readonly studyCount: number;
}

/** The version pointer of the live search snapshot (optimistic concurrency on `version`). */
export interface SnapshotPointer {
  readonly version: number;
  readonly key: string;
  readonly studies: number;
  readonly builtAt: string;
}

export { distinct };
