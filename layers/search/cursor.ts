/**
 * Search cursors name the last study of a page by its position in page order
 * (publication second, study UID), not by a row number, so a cursor stays valid
 * when the snapshot is rebuilt between two pages: newer studies go to the front
 * and the next page still starts right after the last study shown.
 */
import { compareText, Snapshot, studyUidAt } from './snapshot';

export interface CursorPosition {
  readonly sec: number;
  readonly uid: string;
}

export class InvalidSearchCursor extends Error {
  override readonly name = 'InvalidSearchCursor';
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.sec, position.uid]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): CursorPosition {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && Number.isInteger(value[0]) && typeof value[1] === 'string') {
      return { sec: value[0] as number, uid: value[1] as string };
    }
  } catch {
    /* fall through */
  }
  throw new InvalidSearchCursor('the cursor is not valid');
}

/** The first row that comes after the position in page order (binary search). */
export function firstRowAfter(snapshot: Snapshot, position: CursorPosition): number {
  let lo = 0;
  let hi = snapshot.count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const sec = snapshot.publishedSec[mid]!;
    const after = sec < position.sec || (sec === position.sec && compareText(studyUidAt(snapshot, mid), position.uid) > 0);
    if (after) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
