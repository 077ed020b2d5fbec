/**
 * What may appear in a de-identified output under a profile, computed by the
 * verifier from the shared DATA (the Annex E table, the keep-list, the safe
 * private list, the profile), with its own code: an attribute is allowed when
 * the table's code under the profile is anything but a plain X (Z/D/U/K/C and
 * the combined codes leave an attribute in place), or the keep-list or the
 * profile's `keep` names it. Private elements only under Retain Safe Private,
 * and only those on the safe list.
 */
import table from '../reference/ps3.15-annex-e.json';
import safeList from '../reference/ps3.15-safe-private-attributes.json';
import keepList from '../profiles/keep-list.json';
import freeText from '../profiles/free-text.json';
import type { DeidProfile } from '../profiles';
import type { TagKey } from '../tags';

interface Row {
  tag: string;
  kind: string;
  basic: string;
  options: Record<string, string | null>;
}

const key = (tag: string): TagKey => tag.replace(/[(),]/g, '').toUpperCase();

/** File Meta elements a writer may legitimately produce. */
export const META_ALLOWED: ReadonlySet<TagKey> = new Set([
  '00020000',
  '00020001',
  '00020002',
  '00020003',
  '00020010',
  '00020012',
  '00020013',
]);

export const VENDOR_DESCRIPTORS: ReadonlySet<TagKey> = new Set(keepList.vendorDescriptors.tags.map(key));

/** Free text about the patient: hilum ignores the options' codes for these rows (profiles/free-text.json). */
const FREE_TEXT_REMOVED: ReadonlySet<string> = new Set(freeText.attributes.filter((a) => a.action === 'remove').map((a) => a.tag));

function codeUnder(row: Row, profile: DeidProfile): string {
  if (FREE_TEXT_REMOVED.has(row.tag)) return row.basic;
  const enabled = Object.entries(profile.options)
    .filter(([, on]) => on)
    .map(([option]) => row.options[option])
    .filter((c): c is string => !!c);
  return enabled[0] ?? row.basic;
}

export interface AllowList {
  public: ReadonlySet<TagKey>;
  /** "group|CREATOR|lowbyte" */
  safePrivate: ReadonlySet<string>;
  /** "group|CREATOR" */
  safeCreators: ReadonlySet<string>;
  retainSafePrivate: boolean;
  /** Public attributes the profile cleans (code C): their text must hold no identifier the text cleaner finds. */
  cleaned: ReadonlySet<TagKey>;
}

const CACHE = new WeakMap<DeidProfile, AllowList>();

export function allowListFor(profile: DeidProfile): AllowList {
  const cached = CACHE.get(profile);
  if (cached) return cached;
  const allowed = new Set<TagKey>([...keepList.attributes.map((a) => key(a.tag)), ...profile.keep.map(key)]);
  const cleaned = new Set<TagKey>();
  for (const row of table as readonly Row[]) {
    if (row.kind !== 'exact') continue;
    const code = codeUnder(row, profile);
    if (code !== 'X') allowed.add(key(row.tag));
    if (code === 'C') cleaned.add(key(row.tag));
  }
  const safePrivate = new Set<string>();
  const safeCreators = new Set<string>();
  for (const row of safeList as ReadonlyArray<{ tag: string; privateCreator: string }>) {
    const m = /^\(([0-9A-Fa-f]{4}),xx([0-9A-Fa-f]{2})\)$/.exec(row.tag);
    if (!m?.[1] || !m[2]) continue;
    const creator = row.privateCreator.trim().toUpperCase();
    safePrivate.add(`${parseInt(m[1], 16)}|${creator}|${parseInt(m[2], 16)}`);
    safeCreators.add(`${parseInt(m[1], 16)}|${creator}`);
  }
  const list = { public: allowed, safePrivate, safeCreators, retainSafePrivate: profile.options.retainSafePrivate, cleaned };
  CACHE.set(profile, list);
  return list;
}
