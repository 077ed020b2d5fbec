import { useMemo, useState, type ReactNode } from 'react';
import { sortRows, type SortDirection } from '../lib/table-sort';

/**
 * A table with sortable columns (buttons in the headers, aria-sort on the sorted one) and
 * paging: client-side over the rows it is given, or server-side when `onNextPage` is set
 * (the API's cursors: a next page, no page count).
 */

export interface Column<T> {
  readonly key: string;
  readonly header: string;
  readonly cell: (row: T) => ReactNode;
  /** The value to sort by; a column without one cannot be sorted. */
  readonly sortValue?: (row: T) => string | number | undefined;
}

export function DataTable<T>({
  caption,
  columns,
  rows,
  rowKey,
  pageSize = 25,
  onNextPage,
  empty = 'Nothing to show.',
}: {
  caption: string;
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  pageSize?: number;
  /** Server paging: called for the next page; the rows given then grow. */
  onNextPage?: (() => void) | undefined;
  empty?: ReactNode;
}) {
  const [sort, setSort] = useState<{ key: string; direction: SortDirection } | undefined>();
  const [page, setPage] = useState(0);
  const sorted = useMemo(() => {
    const column = sort && columns.find((c) => c.key === sort.key);
    return sort && column?.sortValue ? sortRows(rows, column.sortValue, sort.direction) : rows;
  }, [rows, sort, columns]);
  const pages = Math.max(1, Math.ceil(sorted.length / pageSize));
  const current = Math.min(page, pages - 1);
  const shown = sorted.slice(current * pageSize, (current + 1) * pageSize);

  const toggle = (key: string) =>
    setSort((s) =>
      s?.key === key ? { key, direction: s.direction === 'ascending' ? 'descending' : 'ascending' } : { key, direction: 'ascending' },
    );

  return (
    <div className="data-table">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" aria-sort={sort?.key === c.key ? sort.direction : undefined}>
                {c.sortValue ? (
                  <button type="button" className="sort" onClick={() => toggle(c.key)}>
                    {c.header}
                    <span aria-hidden="true">{sort?.key === c.key ? (sort.direction === 'ascending' ? ' ▲' : ' ▼') : ' ↕'}</span>
                  </button>
                ) : (
                  c.header
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.length === 0 ? (
            <tr>
              <td colSpan={columns.length}>{empty}</td>
            </tr>
          ) : (
            shown.map((row) => (
              <tr key={rowKey(row)}>
                {columns.map((c) => (
                  <td key={c.key}>{c.cell(row)}</td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
      <nav className="pager" aria-label={`${caption}: pages`}>
        <button type="button" onClick={() => setPage(current - 1)} disabled={current === 0}>
          Previous page
        </button>
        <span>
          Page {current + 1} of {pages}
          {onNextPage ? '+' : ''} ({sorted.length} rows)
        </span>
        <button
          type="button"
          onClick={() => {
            if (current + 1 < pages) setPage(current + 1);
            else if (onNextPage) {
              onNextPage();
              setPage(current + 1);
            }
          }}
          disabled={current + 1 >= pages && !onNextPage}
        >
          Next page
        </button>
      </nav>
    </div>
  );
}
