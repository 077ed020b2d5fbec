/**
 * A release's sequestration ledger in the released bucket (layers/catalog/sequestration):
 * written by the cut under a key of its attempt that the release item names, read back by the
 * next cut (earlier assignments stay), by the access rules (which studies are open) and by
 * model evaluation (the sequestered cases). Immutable once written, so cached.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Release } from '../catalog/commons-entities';
import { sequesteredCasesOf, type LedgerCase, type SequestrationLedger } from '../catalog/sequestration';
import { keepingRecent } from '../common/recent-cache';
import { buckets, objects, releaseRepository } from './commons-context';
import { releaseObjectsPrefix } from './release-manifest-store';

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
