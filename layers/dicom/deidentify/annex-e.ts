/**
 * PS3.15 Annex E Table E.1-1 (2024b) as an action per tag, for the Basic
 * Profile with Retain Patient Characteristics. The table lives in
 * ../reference/ with its provenance; this module only resolves it.
 */
import table from '../reference/ps3.15-annex-e.json';
import type { TagKey } from '../tags';

/** X remove, Z empty, D dummy, U remap UID, K keep (sequences are still cleaned inside). */
export type Action = 'X' | 'Z' | 'D' | 'U' | 'K';

export interface Rule {
  action: Action;
  /** The table's keyword, used to name counts. */
  keyword: string;
}

interface Row {
  tag: string;
  keyword: string | null;
  kind: string;
  basic: string;
  options: { retainPatientCharacteristics: string | null };
}

/**
 * Combined codes choose by the attribute's type in the object's IOD, which the
 * skeleton does not know; it takes the conservative end: anything that allows
 * X is removed, Z/D is emptied.
 */
export function resolveCode(code: string): Action {
  if (code.includes('X')) return 'X';
  if (code === 'Z/D') return 'Z';
  if (code === 'Z' || code === 'D' || code === 'U' || code === 'K') return code;
  // C (clean) is not implemented by the skeleton; removal is the safe stand-in.
  return 'X';
}

function buildRules(rows: readonly Row[]): ReadonlyMap<TagKey, Rule> {
  const rules = new Map<TagKey, Rule>();
  for (const row of rows) {
    if (row.kind !== 'exact') continue;
    const key = row.tag.replace(/[(),]/g, '').toUpperCase();
    // Retain Patient Characteristics is the project default; its C cells (clean) fall back to the basic code.
    const code = row.options.retainPatientCharacteristics === 'K' ? 'K' : row.basic;
    rules.set(key, { action: resolveCode(code), keyword: row.keyword ?? key });
  }
  return rules;
}

export const BASIC_PROFILE_RULES: ReadonlyMap<TagKey, Rule> = buildRules(table as readonly Row[]);

/** (50xx,xxxx) curves and (60xx,xxxx) overlays: the table lists repeating-group rows; the skeleton drops the whole group. */
export function repeatingGroupName(group: number): string | undefined {
  if ((group & 1) === 1) return undefined;
  if (group >= 0x5000 && group <= 0x501e) return 'CurveGroup';
  if (group >= 0x6000 && group <= 0x601e) return 'OverlayGroup';
  return undefined;
}
