/** Sorting rows of a table by one column, stable, numbers as numbers and text by locale. */

export type SortDirection = 'ascending' | 'descending';

export function sortRows<T>(rows: readonly T[], value: (row: T) => string | number | undefined, direction: SortDirection): T[] {
  const sign = direction === 'ascending' ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index, key: value(row) }))
    .sort((a, b) => {
      const c = compareValues(a.key, b.key);
      return c !== 0 ? c * sign : a.index - b.index;
    })
    .map((x) => x.row);
}

/** Missing values last in either direction would need two passes; they sort as the smallest, consistently. */
export function compareValues(a: string | number | undefined, b: string | number | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true, sensitivity: 'base' });
}
