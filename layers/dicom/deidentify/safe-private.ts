/**
 * Retain Safe Private: PS3.15 Table E.3.10-1 (../reference/), matched on the
 * group, the Private Creator that reserved the block, and the element's low
 * byte, never on the literal tag (the block number varies per file).
 */
import safeList from '../reference/ps3.15-safe-private-attributes.json';

interface SafeRow {
  tag: string;
  privateCreator: string;
  vr: string | null;
}

const normalize = (creator: string): string => creator.trim().toUpperCase();
const id = (group: number, creator: string, lowByte: number): string => `${group}|${normalize(creator)}|${lowByte}`;

const SAFE = new Map<string, string | null>();
const SAFE_CREATORS = new Set<string>();
for (const row of safeList as readonly SafeRow[]) {
  const match = /^\(([0-9A-Fa-f]{4}),xx([0-9A-Fa-f]{2})\)$/.exec(row.tag);
  if (!match?.[1] || !match[2]) continue;
  const group = parseInt(match[1], 16);
  SAFE.set(id(group, row.privateCreator, parseInt(match[2], 16)), row.vr);
  SAFE_CREATORS.add(`${group}|${normalize(row.privateCreator)}`);
}

/** Whether (group, creator, low byte) is on the safe list; `vr` is the list's VR (for implicit VR input). */
export function safePrivate(group: number, creator: string, lowByte: number): { vr: string | null } | undefined {
  const key = id(group, creator, lowByte);
  return SAFE.has(key) ? { vr: SAFE.get(key) ?? null } : undefined;
}

export function isSafeCreator(group: number, creator: string): boolean {
  return SAFE_CREATORS.has(`${group}|${normalize(creator)}`);
}
