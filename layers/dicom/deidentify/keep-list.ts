/**
 * The allow-list posture: a public attribute that Annex E does not list is
 * removed unless the shared keep-list (../profiles/keep-list.json, read as data
 * by the verifier too) or the profile's own `keep` names it.
 */
import keepList from '../profiles/keep-list.json';
import type { DeidProfile } from '../profiles';
import type { TagKey } from '../tags';

const toKey = (tag: string): TagKey => tag.replace(/[(),]/g, '').toUpperCase();

export const KEEP_LIST: ReadonlyMap<TagKey, string> = new Map(keepList.attributes.map((a) => [toKey(a.tag), a.keyword]));

export function keptTags(profile: DeidProfile): ReadonlyMap<TagKey, string> {
  if (profile.keep.length === 0) return KEEP_LIST;
  const all = new Map(KEEP_LIST);
  for (const tag of profile.keep) all.set(toKey(tag), toKey(tag));
  return all;
}
