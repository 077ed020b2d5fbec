/**
 * Applies the resolved Annex E rules to a data set and to every sequence item
 * below it, counting what it did per `${keyword}:${action}`. Never records values.
 */
import { dictionaryEntry, type DataSet } from '../dcmjs';
import { sequenceItems } from '../dataset';
import { elementOf, formatTag, groupOf, isPrivateGroup, TAG, type TagKey } from '../tags';
import { repeatingGroupName, type Rule } from './annex-e';
import { dummyValue, emptyValue, remapValues } from './replace';

export type Counts = Record<string, number>;

export interface CleanContext {
  rules: ReadonlyMap<TagKey, Rule>;
  remap: (uid: string) => string;
  counts: Counts;
}

function count(counts: Counts, name: string, action: string): void {
  const key = `${name}:${action}`;
  counts[key] = (counts[key] ?? 0) + 1;
}

function keywordOf(key: TagKey): string {
  return dictionaryEntry(key)?.keyword ?? formatTag(key);
}

/** Elements dropped whatever the table says; returns the name to count them under. */
function alwaysRemoved(key: TagKey): string | undefined {
  const group = groupOf(key);
  // Private elements, including private sequences and UN: the Basic Profile keeps none.
  if (isPrivateGroup(group)) return 'private';
  const repeating = repeatingGroupName(group);
  if (repeating) return repeating;
  // Group lengths (retired outside group 0002) go stale once elements are removed, and mislead readers.
  if (elementOf(key) === 0) return 'GroupLength';
  // Trailing padding is opaque bytes after the pixels: not in Annex E, but free to carry anything.
  if (key === TAG.DataSetTrailingPadding) return 'DataSetTrailingPadding';
  return undefined;
}

export function cleanDataSet(dataSet: DataSet, ctx: CleanContext): void {
  for (const key of Object.keys(dataSet)) {
    const element = dataSet[key];
    if (!element) continue;
    const removedAs = alwaysRemoved(key);
    if (removedAs) {
      delete dataSet[key];
      count(ctx.counts, removedAs, 'X');
      continue;
    }
    const rule = ctx.rules.get(key);
    const action = rule?.action ?? 'K';
    const name = rule?.keyword ?? keywordOf(key);
    switch (action) {
      case 'X':
        delete dataSet[key];
        break;
      case 'Z':
        emptyValue(element);
        break;
      case 'D':
        dummyValue(element);
        break;
      case 'U':
        remapValues(element, ctx.remap);
        break;
      case 'K':
        // Keep, but a kept sequence is cleaned inside (PS3.15 E.1.1, K on a sequence).
        for (const item of sequenceItems(element)) cleanDataSet(item, ctx);
        continue;
    }
    count(ctx.counts, name, action);
  }
}
