/** Writes an export table as Parquet (hyparquet-writer, pure JS: it runs in Lambda without native code). */
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { ExportColumn } from './export-tables';

export { EXPORT_TABLES, exportKey, type ExportTable, type StudyExportRow } from './export-tables';

export function toParquet<T>(columns: readonly ExportColumn<T>[], rows: readonly T[]): Uint8Array {
  const buffer = parquetWriteBuffer({
    columnData: columns.map((c) => ({
      name: c.name,
      type: c.type,
      data: rows.map((r) => {
        const v = c.value(r);
        if (v === undefined) return null;
        return c.type === 'INT64' ? BigInt(v) : v;
      }),
    })),
    createdBy: 'hilum',
  });
  return new Uint8Array(buffer);
}
