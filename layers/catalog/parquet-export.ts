/** Writes an export table as Parquet (hyparquet-writer, pure JS: it runs in Lambda without native code). */
import { parquetWriteBuffer, schemaFromColumnData, type ColumnSource } from 'hyparquet-writer';
import type { ColumnType, ExportColumn } from './export-tables';

export { EXPORT_TABLES, exportKey, type ExportTable, type StudyExportRow } from './export-tables';

export function toParquet<T>(columns: readonly ExportColumn<T>[], rows: readonly T[]): Uint8Array {
  const columnData = columns.map((c) => ({
    name: c.name,
    data: rows.map((r) => {
      const v = c.value(r);
      if (v === undefined) return null;
      if (c.type === 'DATE') return new Date(`${String(v)}T00:00:00Z`);
      return c.type === 'INT64' ? BigInt(v) : v;
    }),
  }));
  // The writer's basic types have no DATE: a date column is INT32 days since 1970 annotated DATE, by schema.
  const dates = columns.filter((c) => c.type === 'DATE');
  const typed = columnData.map((d, i): ColumnSource =>
    columns[i]!.type === 'DATE' ? d : { ...d, type: columns[i]!.type as Exclude<ColumnType, 'DATE'> },
  );
  const buffer = dates.length
    ? parquetWriteBuffer({
        columnData,
        schema: schemaFromColumnData({
          columnData: typed,
          schemaOverrides: Object.fromEntries(
            dates.map((c) => [c.name, { name: c.name, type: 'INT32', converted_type: 'DATE', repetition_type: 'OPTIONAL' }]),
          ),
        }),
        createdBy: 'hilum',
      })
    : parquetWriteBuffer({ columnData: typed, createdBy: 'hilum' });
  return new Uint8Array(buffer);
}
