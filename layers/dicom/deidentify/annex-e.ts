/**
 * PS3.15 Annex E Table E.1-1 (2024b, ../reference/ with its provenance)
 * resolved for one profile: the action per tag, derived from the table's basic
 * column and the option columns the profile turns on, never from a hand list.
 */
import table from '../reference/ps3.15-annex-e.json';
import type { DeidProfile, ProfileOption } from '../profiles';
import { FREE_TEXT_REMOVED } from '../profiles/free-text';
import type { TagKey } from '../tags';

/**
 * X remove, Z empty, D dummy, U remap UIDs, K keep (a sequence is still cleaned
 * inside), C clean (dates shifted, text scrubbed of identifiers, sequences
 * cleaned inside).
 */
export type Action = 'X' | 'Z' | 'D' | 'U' | 'K' | 'C';

export interface Rule {
  action: Action;
  /** The table's keyword, used to name counts. */
  keyword: string;
  /** The code the table gives under this profile, before combined codes are resolved. */
  code: string;
  /** The Basic Profile code (what a C on a time falls back to when the profile does not keep times). */
  basic: string;
}

export interface TableRow {
  tag: string;
  keyword: string | null;
  kind: 'exact' | 'repeating-group' | 'private';
  basic: string;
  options: Record<string, string | null>;
}

export const ANNEX_E_ROWS = table as readonly TableRow[];

/** The option columns a profile can turn on (JSON key = profile option name). */
export const OPTION_COLUMNS: readonly ProfileOption[] = [
  'retainPatientCharacteristics',
  'retainLongitudinalModifiedDates',
  'retainLongitudinalFullDates',
  'cleanDescriptors',
  'retainSafePrivate',
  'retainDeviceIdentity',
  'retainInstitutionIdentity',
];

/**
 * The code for a row under a profile: an enabled option's code overrides the
 * basic one (PS3.15 E.1.1). When two enabled options disagree, C wins over K
 * (e.g. DateOfLastDetectorCalibration under Retain Device Identity and Modified
 * Dates is shifted, not kept). A free-text row hilum removes keeps its basic code.
 */
export function effectiveCode(row: TableRow, profile: DeidProfile): string {
  // Free text written about the patient is removed, not cleaned (profiles/free-text.json).
  if (FREE_TEXT_REMOVED.has(row.tag)) return row.basic;
  const codes = OPTION_COLUMNS.filter((option) => profile.options[option])
    .map((option) => row.options[option])
    .filter((c): c is string => !!c);
  if (codes.includes('C')) return 'C';
  if (codes.includes('K')) return 'K';
  return row.basic;
}

/**
 * Combined codes choose by the attribute's Type in the object's IOD (Type 3
 * removes, Type 2 empties, Type 1 dummies). hilum does not carry the PS3.3 IOD
 * tables, so it takes the end that never leaks: anything offering X is
 * removed; Z/D empties. X/Z/U* (Referenced Image Sequence, Source Image
 * Sequence) keeps the sequence and remaps the UIDs inside (its U* end): the
 * references stay usable and leak nothing, since every item is cleaned by the
 * same table.
 */
export function resolveCode(code: string): Action {
  if (code === 'X/Z/U*') return 'K';
  if (code.includes('X')) return 'X';
  if (code === 'Z/D') return 'Z';
  if (code === 'Z' || code === 'D' || code === 'U' || code === 'K' || code === 'C') return code;
  throw new Error(`unknown Annex E action code ${code}`);
}

export function tagOfRow(row: TableRow): TagKey {
  return row.tag.replace(/[(),]/g, '').toUpperCase();
}

/** Exact-tag rules plus the repeating-group rows keyed by their pattern ("60XX3000", "50XXXXXX"). */
export function rulesFor(profile: DeidProfile): ReadonlyMap<TagKey, Rule> {
  const rules = new Map<TagKey, Rule>();
  for (const row of ANNEX_E_ROWS) {
    if (row.kind === 'private') continue;
    const code = effectiveCode(row, profile);
    const key = tagOfRow(row);
    rules.set(key, {
      action: resolveCode(code),
      keyword: row.keyword ?? (key.startsWith('50') ? 'CurveData' : key),
      code,
      basic: row.basic,
    });
  }
  return rules;
}

/** (50xx,xxxx) curves and (60xx,eeee) overlays: the even groups 5000-501E and 6000-601E (PS3.5 7.6). */
export function repeatingGroupKey(key: TagKey): TagKey | undefined {
  const group = parseInt(key.slice(0, 4), 16);
  if ((group & 1) === 1) return undefined;
  if (group >= 0x5000 && group <= 0x501e) return '50XXXXXX';
  if (group >= 0x6000 && group <= 0x601e) return `60XX${key.slice(4)}`;
  return undefined;
}
