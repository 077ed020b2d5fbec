import type { Instance } from '../../../catalog/entities';
import * as keys from '../../../catalog/item-keys';
import { releasedKey } from '../../../pipeline/object-keys';

/**
 * How an instance is stored: without what its key already says. A write costs a unit per KB of item, and
 * a CT slice's record was just over 1 KB (two units, four in staging's transaction); its study, series and
 * SOP UIDs are in its key (`STUDY#{study}`, `INSTANCE#{series}#{sop}`) and its released object's key follows
 * from them (`releasedKey`), about 300 bytes of the item. Both are put back on read, so readers see the
 * whole Instance; items stored before carry them and are read as they are.
 */
export function instanceItem(instance: Instance): Record<string, unknown> {
  const { studyUid, seriesUid, sopUid, objectKey, ...rest } = instance;
  return {
    ...keys.instance(studyUid, seriesUid, sopUid),
    type: 'instance',
    ...rest,
    // Kept when it is not the derived one (none is today: staging and admission both release to releasedKey).
    ...(objectKey === releasedKey(studyUid, seriesUid, sopUid) ? {} : { objectKey }),
  };
}

/** The Instance an item stores (instanceItem's, or one written whole before it). */
export function instanceOf(item: Record<string, unknown>): Instance {
  const { pk, sk, gsi1pk: _g1, gsi1sk: _g2, type: _type, ...rest } = item;
  const studyUid = stored(rest.studyUid) ?? String(pk).slice('STUDY#'.length);
  // UIDs hold digits and dots only, so the sort key's separator is unambiguous.
  const [, keySeries = '', keySop = ''] = String(sk).split('#');
  const seriesUid = stored(rest.seriesUid) ?? keySeries;
  const sopUid = stored(rest.sopUid) ?? keySop;
  return {
    ...(rest as Omit<Instance, 'studyUid' | 'seriesUid' | 'sopUid' | 'objectKey'>),
    studyUid,
    seriesUid,
    sopUid,
    objectKey: stored(rest.objectKey) ?? releasedKey(studyUid, seriesUid, sopUid),
  };
}

function stored(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
