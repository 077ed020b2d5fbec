/**
 * A node's clinical records as a table: the columns (case pseudonym, project, site, then the
 * node's properties in dictionary order, typed from the dictionary) for CSV, Parquet and the
 * release's Athena export. No column holds a site's identifier or a real date: the records have
 * none (a shifted-dates project's dates are shifted with the patient's images).
 *
 * The Athena tables are made at deploy time, a project's dictionary extension at run time: so a
 * base node's table has the base properties (days and their shifted-date columns both), and
 * everything a project adds (its own nodes, properties added to base nodes) goes to one
 * long-format table, `clinical_extension`: a row per record and property, the value as text
 * with its dictionary type.
 */
import {
  BASE_DICTIONARY,
  dictionaryForDates,
  mergedNode,
  type ClinicalRecord,
  type ClinicalValue,
  type Dictionary,
  type NodeDef,
  type PropertyDef,
} from '../clinical';
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

/** Days and integers are INT32; numbers DOUBLE; (shifted) dates DATE; ages STRING ("90+" is an age). */
function columnTypeOf(p: PropertyDef): ColumnType {
  if (p.type === 'days' || p.type === 'integer') return 'INT32';
  if (p.type === 'number') return 'DOUBLE';
  if (p.type === 'date') return 'DATE';
  return 'STRING';
}

function valueOf(p: PropertyDef, r: ClinicalRecord): string | number | undefined {
  const v = r.values[p.name];
  if (v === undefined) return undefined;
  const type = columnTypeOf(p);
  return type === 'STRING' || type === 'DATE' ? String(v) : Number(v);
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

/**
 * The base nodes as the release exports them: each with its days properties and, beside them,
 * the shifted-dates mode's date columns, so one deploy-time table holds the records of projects
 * of either mode (the other mode's columns empty).
 */
export const CLINICAL_EXPORT_NODES: readonly NodeDef[] = BASE_DICTIONARY.nodes.map((n) =>
  mergedNode([BASE_DICTIONARY, dictionaryForDates(BASE_DICTIONARY, 'shifted')], n.node)!,
);

/** One value of the long-format extension table: a record's property that no base table has a column for. */
export interface ExtensionValueRow {
  readonly record: ClinicalRecord;
  readonly property: PropertyDef;
  readonly value: ClinicalValue;
}

export const CLINICAL_EXTENSION_TABLE = 'clinical_extension';

export const CLINICAL_EXTENSION_COLUMNS: readonly ExportColumn<ExtensionValueRow>[] = [
  { name: 'case_id', type: 'STRING', value: (r) => r.record.casePseudonym },
  { name: 'project', type: 'STRING', value: (r) => r.record.project },
  { name: 'site', type: 'STRING', value: (r) => r.record.site },
  { name: 'node', type: 'STRING', value: (r) => r.record.node },
  { name: 'record_id', type: 'STRING', value: (r) => r.record.recordId },
  { name: 'property', type: 'STRING', value: (r) => r.property.name },
  { name: 'value_type', type: 'STRING', value: (r) => r.property.type },
  { name: 'value', type: 'STRING', value: (r) => String(r.value) },
];

/**
 * The extension table's rows of one project's records, read with the project's own dictionary
 * (extension and date mode applied): every value of a node the base dictionary lacks, and every
 * value of a property a base node's export table has no column for. Records of nodes the
 * dictionary does not know (a node since removed from the configuration) are left out.
 */
export function extensionValueRows(dictionary: Dictionary, records: readonly ClinicalRecord[]): ExtensionValueRow[] {
  const baseColumns = new Map(CLINICAL_EXPORT_NODES.map((n) => [n.node, new Set(n.properties.map((p) => p.name))]));
  const rows: ExtensionValueRow[] = [];
  for (const record of records) {
    const node = dictionary.node(record.node);
    if (!node) continue;
    const inBase = baseColumns.get(record.node);
    for (const property of node.properties) {
      const value = record.values[property.name];
      if (property.name === 'case_id' || value === undefined || inBase?.has(property.name)) continue;
      rows.push({ record, property, value });
    }
  }
  return rows;
}

export const clinicalExtensionExportKey = (release: number) => `analytics/${CLINICAL_EXTENSION_TABLE}/release=${release}/part-0.parquet`;

/**
 * The release export's clinical tables, one per base node (`clinical_{node}`), and the long-format
 * `clinical_extension`, with their columns: the Glue tables are made from these.
 */
export const CLINICAL_EXPORT_TABLES: Readonly<Record<string, readonly ExportColumn<never>[]>> = {
  ...Object.fromEntries(CLINICAL_EXPORT_NODES.map((n) => [`clinical_${n.node}`, clinicalColumns(n)])),
  [CLINICAL_EXTENSION_TABLE]: CLINICAL_EXTENSION_COLUMNS,
};
