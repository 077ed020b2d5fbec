/**
 * Many studies in a local commons' search without the pipeline: synthetic search rows (the shape
 * layers/search indexes), published as the next live search snapshot by the snapshot store's own
 * writer (`publishLive`: the snapshot object in the released bucket, the pointer in the catalog
 * table, as RebuildSnapshot and a release cut write them). Loading 100,000 studies through
 * ingest would take hours; Explore and `POST /search` read only this snapshot.
 *
 * Runs in the process of a started local commons (startLocalCommons puts the emulators' endpoints
 * and the table and bucket names in process.env, which the snapshot store reads). The rows' projects
 * must exist (a researcher's search is scoped to the projects they may see).
 */
import type { SnapshotPointer } from '../../layers/catalog/commons-entities';
import type { StudyRow } from '../../layers/search';
import { liveRows, publishLive } from '../../layers/services/snapshot-store';
import { rng } from './random';

const MODALITIES = ['CT', 'DX', 'CR', 'MR', 'PT', 'US'];
const BODY_PARTS = ['CHEST', 'ABDOMEN', 'HEAD', 'PELVIS', 'NECK'];
const MANUFACTURERS = ['GE MEDICAL SYSTEMS', 'SIEMENS', 'Philips', 'TOSHIBA', 'Canon', 'FUJIFILM', 'Carestream', 'Agfa'];
const SEXES = ['Female', 'Male', 'Other'];
const RACES = ['White', 'Black or African American', 'Asian', 'American Indian or Alaska Native', 'Other'];
const DESCRIPTIONS = ['CT CHEST WO CONTRAST', 'CT CHEST W CONTRAST', 'XR CHEST PA AND LATERAL', 'XR CHEST AP PORTABLE', 'MR BRAIN'];

/** Skewed choice: earlier values are more frequent, as real facets are. */
const skewed = <T>(r: () => number, values: readonly T[]): T => values[Math.min(values.length - 1, Math.floor(values.length * r() * r()))]!;

export interface SyntheticStudiesOptions {
  readonly projects: readonly string[];
  readonly sites: readonly string[];
  /** Releases the studies spread over (0: published, not released). */
  readonly releases?: number;
  readonly seed?: number;
}

/** `count` search rows with every facet filled in plausible, skewed proportions; the same seed gives the same rows. */
export function syntheticStudyRows(count: number, options: SyntheticStudiesOptions): StudyRow[] {
  const r = rng(options.seed ?? 17);
  const releases = options.releases ?? 3;
  const start = Date.UTC(2021, 0, 1);
  return Array.from({ length: count }, (_, i): StudyRow => {
    const modality = skewed(r, MODALITIES);
    const release = Math.floor(r() * (releases + 1));
    return {
      studyUid: `2.25.${1_000_000_000 + i}${Math.floor(r() * 1e9)}`,
      project: options.projects[i % options.projects.length]!,
      site: skewed(r, options.sites),
      ...(release ? { firstRelease: release } : {}),
      modalities: [modality],
      bodyParts: r() < 0.9 ? [skewed(r, BODY_PARTS)] : [],
      manufacturers: [skewed(r, MANUFACTURERS)],
      viewPositions: modality === 'DX' || modality === 'CR' ? [r() < 0.6 ? 'PA' : 'AP'] : [],
      sliceThicknessBands: modality === 'CT' ? [skewed(r, ['1-2.5mm', '0-1mm', '2.5-5mm', '5mm+'])] : [],
      ...(r() < 0.95 ? { sex: skewed(r, SEXES) } : {}),
      ...(r() < 0.9 ? { age: Math.floor(r() * 90) } : {}),
      ...(r() < 0.85 ? { race: skewed(r, RACES) } : {}),
      ...(r() < 0.85 ? { ethnicity: r() < 0.8 ? 'Not Hispanic or Latino' : 'Hispanic or Latino' } : {}),
      ...(r() < 0.9 ? { covid19: r() < 0.7 ? 'No' : 'Yes' } : {}),
      conditions: r() < 0.5 ? [skewed(r, ['U07', 'J12', 'I10', 'E11'])] : [],
      ...(r() < 0.9 ? { studyYear: 2019 + Math.floor(r() * 7) } : {}),
      ...(r() < 0.8 ? { description: skewed(r, DESCRIPTIONS) } : {}),
      publishedAt: new Date(start + Math.floor(r() * 4 * 365 * 86400) * 1000).toISOString(),
    };
  });
}

/** Makes `rows` the whole of the live search snapshot (replacing what it held) and returns the new pointer. */
export async function seedSearchStudies(rows: readonly StudyRow[]): Promise<SnapshotPointer> {
  const { version } = await liveRows();
  return publishLive(rows, version);
}
