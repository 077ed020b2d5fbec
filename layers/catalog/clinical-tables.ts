/**
 * A node's clinical records as a table: the columns (case pseudonym, project, site, then the
 * node's properties in dictionary order, typed from the dictionary) for CSV, Parquet and the
 * release's Athena export. No column holds a date or a site's identifier: the records have none.
 */
import { BASE_DICTIONARY, type ClinicalRecord, type NodeDef, type PropertyDef } from '../clinical';
import type { ColumnType, ExportColumn } from './export-tables';

export function clinicalColumns(node: NodeDef): ExportColumn<ClinicalRecord>[] {
  return [
    { name: 'case_id', type: 'STRING', value: (r) => r.casePseudonym },
    { name: 'project', type: 'STRING', value: (r) => r.project },
    { name: 'site', type: 'STRING', value: (r) => r.site },
    ...node.properties
      .filter((p) => p.name !== 'case_id')
      .map((p): ExportColumn<ClinicalRecord> => ({ name: p.name, type: columnTypeOf(p), value: (r) => valueOf(p, r) })),
  ];
}

/** Days and integers are INT32; numbers DOUBLE; ages STRING ("90+" is an age). */
function columnTypeOf(p: PropertyDef): ColumnType {
  if (p.type === 'days' || p.type === 'integer') return 'INT32';
  if (p.type === 'number') return 'DOUBLE';
  return 'STRING';
}

function valueOf(p: PropertyDef, r: ClinicalRecord): string | number | undefined {
  const v = r.values[p.name];
  if (v === undefined) return undefined;
  return columnTypeOf(p) === 'STRING' ? String(v) : Number(v);
}

/** RFC 4180 CSV of the table, header first; a field with a comma, quote or line break is quoted. */
export function clinicalTableCsv(node: NodeDef, records: readonly ClinicalRecord[]): string {
  const columns = clinicalColumns(node);
  const field = (v: string | number | undefined) => {
    if (v === undefined) return '';
    const s = String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [columns.map((c) => c.name).join(','), ...records.map((r) => columns.map((c) => field(c.value(r))).join(','))].join('\n') + '\n';
}

/** The release export's key of a node's table: its own Athena table `clinical_{node}`, partitioned by release like the imaging tables. */
export const clinicalExportKey = (node: string, release: number) => `analytics/clinical_${node}/release=${release}/part-0.parquet`;

/** The release export's clinical tables, one per dictionary node (`clinical_{node}`), with their columns: the Glue tables are made from these. */
export const CLINICAL_EXPORT_TABLES: Readonly<Record<string, readonly ExportColumn<ClinicalRecord>[]>> = Object.fromEntries(
  BASE_DICTIONARY.nodes.map((n) => [`clinical_${n.node}`, clinicalColumns(n)]),
);
