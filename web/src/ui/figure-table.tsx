import type { ReactNode } from 'react';

/**
 * A plain table of a chart's figures (its text equivalent): a caption, header cells with
 * scope, no sorting or paging (these tables are a few rows each).
 */
export function FigureTable({
  caption,
  headers,
  rows,
  label,
}: {
  caption: ReactNode;
  headers: readonly string[];
  rows: readonly { key: string; cells: readonly ReactNode[] }[];
  /** A data-table name the tests read the table by. */
  label?: string;
}) {
  return (
    <div className="data-table">
      <table data-table={label}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {headers.map((h) => (
              <th key={h} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              {r.cells.map((c, i) =>
                i === 0 ? (
                  <th key={i} scope="row">
                    {c}
                  </th>
                ) : (
                  <td key={i}>{c}</td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
