/**
 * A release's sequestration ledger in the released bucket (layers/catalog/sequestration):
 * written by the cut under a key of its attempt that the release item names, read back by the
 * next cut (earlier assignments stay), by the access rules (which studies are open) and by
 * model evaluation (the sequestered cases). Immutable once written, so cached.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Project, Release } from '../catalog/commons-entities';
import {
  openStudyUids,
  sequesteredCasesOf,
  sequestrationShareOf,
  type LedgerCase,
  type SequestrationLedger,
} from '../catalog/sequestration';
import { withheldRows, type Snapshot } from '../search';
import { keepingRecent } from '../common/recent-cache';
import { buckets, objects, releaseRepository } from './commons-context';
import { releaseObjectsPrefix } from './release-manifest-store';
import { cacheTtlMs } from './snapshot-store';

export const sequestrationLedgerKey = (release: number, attempt: string) =>
  `${releaseObjectsPrefix(release)}sequestration-${attempt}.json.gz`;

export async function writeSequestrationLedger(ledger: SequestrationLedger, attempt: string): Promise<string> {
  const key = sequestrationLedgerKey(ledger.release, attempt);
  await objects().put(buckets.released(), key, gzipSync(Buffer.from(JSON.stringify(ledger), 'utf8')), {
    contentType: 'application/gzip',
  });
  return key;
}

/** A ledger by its key (immutable: the last four stay in memory). */
export const readSequestrationLedger = keepingRecent(4, async (key: string): Promise<SequestrationLedger> => {
  const bytes = await objects().getBytes(buckets.released(), key);
  if (!bytes) throw new Error('a sequestration ledger object is missing');
  return JSON.parse(gunzipSync(bytes).toString('utf8')) as SequestrationLedger;
});

/** A release's ledger; undefined for a release cut before ledgers were kept. */
export async function ledgerOf(release: Pick<Release, 'sequestrationKey'> | undefined): Promise<SequestrationLedger | undefined> {
  return release?.sequestrationKey ? readSequestrationLedger(release.sequestrationKey) : undefined;
}

/**
 * The sequestered cases of a project as of a release (the latest when none is named): each with
 * its studies, site and the attributes the split balanced (COVID-19 status, sex, age band, race,
 * ethnicity, modality), which are also the labels and subgroups model evaluation uses. Empty when
 * the project does not sequester or the release does not exist. Never for a researcher's eyes.
 */
export async function sequesteredCases(project: string, releaseNumber?: number): Promise<LedgerCase[]> {
  const release =
    releaseNumber === undefined ? await releaseRepository().latestRelease() : await releaseRepository().getRelease(releaseNumber);
  const ledger = await ledgerOf(release);
  return ledger ? sequesteredCasesOf(ledger, project) : [];
}

let latest: { at: number; release: Release | undefined } | undefined;

/**
 * The latest release, cached briefly. Staleness fails closed: an older ledger opens no study
 * that a newer one withholds (open assignments are permanent), it only opens fewer.
 */
async function latestReleaseCached(): Promise<Release | undefined> {
  if (!latest || Date.now() - latest.at >= cacheTtlMs()) latest = { at: Date.now(), release: await releaseRepository().latestRelease() };
  return latest.release;
}

const NONE_OPEN: ReadonlySet<string> = new Set();

const openByLedger = new Map<string, ReadonlyMap<string, ReadonlySet<string>>>();

/**
 * For each of these projects that sequesters, the study UIDs the latest release assigned to
 * the open set (an empty set before its first release): what the access rules show researchers.
 */
export async function openStudiesOf(projects: readonly Project[]): Promise<Map<string, ReadonlySet<string>>> {
  const sequestering = projects.filter((p) => sequestrationShareOf(p) !== undefined).map((p) => p.projectId);
  const out = new Map<string, ReadonlySet<string>>();
  if (sequestering.length === 0) return out;
  const release = await latestReleaseCached();
  const key = release?.sequestrationKey;
  let open = key ? openByLedger.get(key) : undefined;
  if (key && !open) {
    const ledger = await readSequestrationLedger(key);
    open = new Map(ledger.projects.map((p) => [p.project, openStudyUids(p)]));
    openByLedger.clear(); // one ledger at a time: the latest
    openByLedger.set(key, open);
  }
  for (const project of sequestering) out.set(project, open?.get(project) ?? NONE_OPEN);
  return out;
}

const masks = new WeakMap<Snapshot, { readonly open: ReadonlyMap<string, ReadonlySet<string>>; readonly mask: Uint8Array | undefined }>();

/** The snapshot rows withheld from a caller who is not a curator (layers/search/withheld-rows.ts), cached per snapshot and ledger. */
export async function withheldRowsOf(snapshot: Snapshot, projects: readonly Project[]): Promise<Uint8Array | undefined> {
  const open = await openStudiesOf(projects.filter((p) => snapshot.facets.project.values.includes(p.projectId)));
  if (open.size === 0) return undefined;
  const cached = masks.get(snapshot);
  if (cached && sameOpenSets(cached.open, open)) return cached.mask;
  const mask = withheldRows(snapshot, open);
  masks.set(snapshot, { open, mask });
  return mask;
}

function sameOpenSets(a: ReadonlyMap<string, ReadonlySet<string>>, b: ReadonlyMap<string, ReadonlySet<string>>): boolean {
  if (a.size !== b.size) return false;
  for (const [project, set] of a) if (b.get(project) !== set) return false;
  return true;
}
