/**
 * One clinical sheet (a node's records as CSV, TSV or JSON) parsed and validated against the
 * dictionary, row by row, every error at once. Dates become days from the case's index event
 * here, so no date goes further; ages above 89 become "90+".
 *
 * A sheet is PHI until pseudonymized (the case id is the hospital's PatientID; a cell could
 * hold anything): errors name the file, row, column and what to fix, never a cell's value,
 * and a column the dictionary does not know is named by position.
 */
import { createHash } from 'node:crypto';
import { CsvSyntaxError, parseCsv } from './csv';
import { CODE_SYSTEMS, INDEX_DATE_COLUMN, type NodeDef, type PropertyDef } from './dictionary';

export type ClinicalValue = string | number;
export type SheetFormat = 'csv' | 'tsv' | 'json';

export const SHEET_ERROR_CODES = [
  'syntax',
  'empty',
  'too_many_rows',
  'unknown_column',
  'duplicate_column',
  'missing_column',
  'field_count',
  'not_an_object',
  'required',
  'not_in_enum',
  'bad_code',
  'not_an_integer',
  'not_a_number',
  'out_of_range',
  'too_long',
  'bad_age',
  'bad_date',
  'date_without_index',
  'days_and_date',
  'end_before_start',
  'duplicate_record',
  'unknown_case',
] as const;
export type SheetErrorCode = (typeof SHEET_ERROR_CODES)[number];

export interface SheetError {
  readonly file: string;
  /** CSV/TSV: the 1-based line (the header is line 1). JSON: the 1-based position of the record in the array. */
  readonly row: number;
  readonly column?: string;
  readonly code: SheetErrorCode;
  /** Says what to change; never quotes the cell. */
  readonly message: string;
}

export interface ClinicalRow {
  readonly row: number;
  /** The site's raw case id (PHI): only for the pseudonymizer. */
  readonly caseId: string;
  /**
   * The record's values by property (case_id left out), dates already turned into days; in a
   * shifted-dates project (date-mode.ts) its `date` properties still hold the site's dates (PHI
   * like caseId): the intake shifts them, with the case's key, before anything is stored.
   */
  readonly values: Readonly<Record<string, ClinicalValue>>;
}

export type SheetResult =
  | { readonly ok: true; readonly rows: readonly ClinicalRow[]; readonly indexDates: ReadonlyMap<string, string> }
  | { readonly ok: false; readonly errors: readonly SheetError[] };

export const MAX_SHEET_ROWS = 100_000;
/** Errors reported at most (a sheet of one wrong column in 100,000 rows would otherwise answer megabytes). */
export const MAX_SHEET_ERRORS = 1000;
/** Days from the index event a record may lie at, either way (a century). */
export const MAX_DAYS = 36_525;
/** Ages above this are reported as AGE_CAP (HIPAA Safe Harbor, as MIDRC keeps them). */
export const MAX_AGE = 89;
export const AGE_CAP = '90+';

export interface SheetInput {
  readonly node: NodeDef;
  readonly text: string;
  readonly format: SheetFormat;
  /** The name errors carry (the uploaded file's, or `{node}.{format}`). */
  readonly file: string;
  /**
   * Index dates by raw case id, from the site's own case sheet (`hilum upload --clinical`
   * converts dates at the site). A row's own `index_date` column takes precedence.
   */
  readonly indexDates?: ReadonlyMap<string, string>;
}

export function parseClinicalSheet(input: SheetInput): SheetResult {
  const { node, file } = input;
  const errors: SheetError[] = [];
  const fail = (row: number, code: SheetErrorCode, message: string, column?: string) => {
    if (errors.length < MAX_SHEET_ERRORS) errors.push({ file, row, code, message, ...(column !== undefined ? { column } : {}) });
  };
  const records = readRecords(input, fail);
  if (!records) return { ok: false, errors };
  const rowShapeErrors = errors.length;

  const properties = new Map(node.properties.map((p) => [p.name, p]));
  const dateColumns = new Map(node.properties.filter((p) => p.dateColumn).map((p) => [p.dateColumn!, p]));
  const known = (name: string) => properties.has(name) || dateColumns.has(name) || name === INDEX_DATE_COLUMN;
  for (const [position, name] of records.columns.entries()) {
    if (!known(name))
      fail(
        records.headerRow,
        'unknown_column',
        `column ${position + 1} is not a ${node.node} column: use one of ${columnList(node)}`,
        `#${position + 1}`,
      );
  }
  for (const p of node.properties) {
    const sent = records.columns.includes(p.name) || (p.dateColumn !== undefined && records.columns.includes(p.dateColumn));
    if (p.required && !sent && records.kind !== 'json')
      fail(records.headerRow, 'missing_column', `is required: add the column${p.dateColumn ? ` (or ${p.dateColumn})` : ''}`, p.name);
  }
  // A header the dictionary does not match makes every row's errors noise: report the header alone.
  if (errors.length > rowShapeErrors) return { ok: false, errors: errors.slice(rowShapeErrors) };
  if (records.rows.length === 0 && errors.length === 0) {
    fail(records.headerRow + 1, 'empty', `the sheet has no ${node.node} records`);
    return { ok: false, errors };
  }
  if (records.rows.length > MAX_SHEET_ROWS) {
    fail(records.headerRow, 'too_many_rows', `the sheet has more than ${MAX_SHEET_ROWS} records: split it into several sheets`);
    return { ok: false, errors };
  }

  const rows: ClinicalRow[] = [];
  const indexDates = new Map<string, string>();
  const seen = new Map<string, number>();
  for (const record of records.rows) {
    const before = errors.length;
    const cell = (name: string): string | undefined => {
      const v = record.cells.get(name);
      return v === undefined || v.trim() === '' ? undefined : v.trim();
    };
    const caseId = cell('case_id');
    if (caseId === undefined) fail(record.row, 'required', 'is required: the patient identifier (PatientID) of the case', 'case_id');
    else if (caseId.length > 64) fail(record.row, 'too_long', 'is longer than 64 characters', 'case_id');

    let indexDate: Date | undefined;
    const indexText = cell(INDEX_DATE_COLUMN) ?? (caseId !== undefined ? input.indexDates?.get(caseId) : undefined);
    if (indexText !== undefined) {
      indexDate = parseDate(indexText);
      if (!indexDate) fail(record.row, 'bad_date', 'must be a date as YYYY-MM-DD', INDEX_DATE_COLUMN);
      else if (caseId !== undefined && cell(INDEX_DATE_COLUMN) !== undefined) indexDates.set(caseId, indexText);
    }

    const values: Record<string, ClinicalValue> = {};
    for (const p of node.properties) {
      if (p.name === 'case_id') continue;
      const raw = cell(p.name);
      const dateText = p.dateColumn ? cell(p.dateColumn) : undefined;
      if (raw !== undefined && dateText !== undefined) {
        fail(record.row, 'days_and_date', `send either ${p.name} or ${p.dateColumn}, not both`, p.name);
        continue;
      }
      if (dateText !== undefined) {
        const date = parseDate(dateText);
        if (!date) fail(record.row, 'bad_date', 'must be a date as YYYY-MM-DD', p.dateColumn);
        else if (!indexDate)
          fail(
            record.row,
            'date_without_index',
            `a date needs the case's index date: add an ${INDEX_DATE_COLUMN} column, or send ${p.name} (days from the index event) instead`,
            p.dateColumn,
          );
        else {
          const days = Math.round((date.getTime() - indexDate.getTime()) / 86_400_000);
          if (Math.abs(days) > MAX_DAYS)
            fail(record.row, 'out_of_range', `is more than ${MAX_DAYS} days from the index date: check both dates`, p.dateColumn);
          else values[p.name] = days;
        }
        continue;
      }
      if (raw === undefined) {
        if (p.required) fail(record.row, 'required', `is required${p.dateColumn ? ` (or ${p.dateColumn})` : ''}: ${p.description}`, p.name);
        continue;
      }
      const checked = checkValue(p, raw);
      if ('error' in checked) fail(record.row, checked.error, checked.message, p.name);
      else values[p.name] = checked.value;
    }
    for (const p of node.properties) {
      const end = values[p.name];
      const start = p.notBefore !== undefined ? values[p.notBefore] : undefined;
      // Days compare as numbers, dates (YYYY-MM-DD) as text: both in time order.
      if (end !== undefined && start !== undefined && typeof end === typeof start && end < start)
        fail(record.row, 'end_before_start', `is before ${p.notBefore}: an end cannot precede its start`, p.name);
    }
    if (errors.length > before || caseId === undefined) continue;
    const key = `${caseId}\0${node.key.map((k) => String(values[k] ?? '')).join('\0')}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      fail(
        record.row,
        'duplicate_record',
        `repeats the record of row ${earlier} (same case${node.key.length ? ` and ${node.key.join(', ')}` : ''}): keep one`,
        'case_id',
      );
      continue;
    }
    seen.set(key, record.row);
    rows.push({ row: record.row, caseId, values });
  }
  return errors.length ? { ok: false, errors } : { ok: true, rows, indexDates };
}

interface RawRecord {
  readonly row: number;
  readonly cells: ReadonlyMap<string, string>;
}
interface RawRecords {
  readonly kind: SheetFormat;
  readonly headerRow: number;
  readonly columns: readonly string[];
  readonly rows: readonly RawRecord[];
}
type Fail = (row: number, code: SheetErrorCode, message: string, column?: string) => void;

function readRecords({ text, format }: SheetInput, fail: Fail): RawRecords | undefined {
  if (format === 'json') return readJson(text, fail);
  let table;
  try {
    table = parseCsv(text, format === 'tsv' ? '\t' : ',');
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    fail(error.line, 'syntax', `${error.message.replace(/^line \d+: /, '')}: fix the quoting of the line`);
    return undefined;
  }
  const [header, ...rows] = table;
  if (!header) {
    fail(1, 'empty', 'the sheet is empty: its first line names the columns');
    return undefined;
  }
  const columns = header.fields.map((f) => f.trim().toLowerCase());
  const seen = new Set<string>();
  let duplicate = false;
  columns.forEach((c) => {
    if (c !== '' && seen.has(c)) {
      fail(header.line, 'duplicate_column', 'appears twice in the header: keep one', c);
      duplicate = true;
    }
    seen.add(c);
  });
  if (duplicate) return undefined;
  const out: RawRecord[] = [];
  for (const row of rows) {
    if (row.fields.length !== columns.length) {
      fail(row.line, 'field_count', `has ${row.fields.length} fields and the header ${columns.length}: check the delimiters and quoting`);
      continue;
    }
    out.push({ row: row.line, cells: new Map(columns.map((c, i) => [c, row.fields[i]!])) });
  }
  return { kind: format, headerRow: header.line, columns, rows: out };
}

function readJson(text: string, fail: Fail): RawRecords | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
  } catch {
    fail(1, 'syntax', 'is not valid JSON: send an array of records, one object per record');
    return undefined;
  }
  if (!Array.isArray(parsed)) {
    fail(1, 'syntax', 'must be a JSON array of records, one object per record');
    return undefined;
  }
  const columns = new Set<string>();
  const rows: RawRecord[] = [];
  parsed.forEach((item, i) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      fail(i + 1, 'not_an_object', 'must be an object of property: value');
      return;
    }
    const cells = new Map<string, string>();
    for (const [k, v] of Object.entries(item as Record<string, unknown>)) {
      const name = k.trim().toLowerCase();
      columns.add(name);
      if (v === null || v === undefined) continue;
      if (typeof v === 'string' || typeof v === 'number') cells.set(name, String(v));
      else cells.set(name, '\u0000'); // fails every type check below with that type's message
    }
    rows.push({ row: i + 1, cells });
  });
  return { kind: 'json', headerRow: 1, columns: [...columns], rows };
}

type Checked = { readonly value: ClinicalValue } | { readonly error: SheetErrorCode; readonly message: string };

/** One cell against its property; exported for the QA rule and the CLI's own checks. */
export function checkValue(p: PropertyDef, raw: string): Checked {
  switch (p.type) {
    case 'string':
      if (raw.includes('\u0000')) return { error: 'not_in_enum', message: 'must be text' };
      return raw.length > (p.maxLength ?? 256)
        ? { error: 'too_long', message: `is longer than ${p.maxLength ?? 256} characters: shorten it` }
        : { value: raw };
    case 'enum': {
      const found = p.values!.find((v) => v.toLowerCase() === raw.toLowerCase());
      return found ? { value: found } : { error: 'not_in_enum', message: `must be one of: ${p.values!.join(', ')}` };
    }
    case 'code': {
      const system = CODE_SYSTEMS[p.codeSystem!] as { readonly pattern?: string };
      const code = raw.toUpperCase().replace(/\s+/g, '');
      if (!system.pattern || !new RegExp(system.pattern).test(code))
        return { error: 'bad_code', message: `must be a ${p.codeSystem} code (${CODE_EXAMPLES[p.codeSystem!] ?? 'see the dictionary'})` };
      return { value: p.codeSystem === 'ICD-10-CM' ? icd10WithDot(code) : code };
    }
    case 'integer':
    case 'days': {
      if (!/^[-+]?\d{1,9}$/.test(raw))
        return {
          error: 'not_an_integer',
          message: `must be a whole number${p.type === 'days' ? ' of days (negative before the index event)' : ''}`,
        };
      const n = Number(raw);
      const min = p.type === 'days' ? -MAX_DAYS : p.minimum;
      const max = p.type === 'days' ? MAX_DAYS : p.maximum;
      if ((min !== undefined && n < min) || (max !== undefined && n > max))
        return { error: 'out_of_range', message: `must be from ${min ?? '-∞'} to ${max ?? '∞'}` };
      return { value: n };
    }
    case 'number': {
      const n = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw) ? Number(raw) : Number.NaN;
      if (!Number.isFinite(n))
        return { error: 'not_a_number', message: 'must be a number (a dot for decimals, no units: units go in their own column)' };
      if ((p.minimum !== undefined && n < p.minimum) || (p.maximum !== undefined && n > p.maximum))
        return { error: 'out_of_range', message: `must be from ${p.minimum ?? '-∞'} to ${p.maximum ?? '∞'}` };
      return { value: n };
    }
    case 'date':
      return parseDate(raw) ? { value: raw.trim() } : { error: 'bad_date', message: 'must be a date as YYYY-MM-DD' };
    case 'age': {
      if (raw === AGE_CAP) return { value: AGE_CAP };
      if (!/^\d{1,3}$/.test(raw) || Number(raw) > 120)
        return { error: 'bad_age', message: `must be whole years from 0 to 120, or ${AGE_CAP}` };
      const n = Number(raw);
      return { value: n > MAX_AGE ? AGE_CAP : n };
    }
  }
}

const CODE_EXAMPLES: Partial<Record<string, string>> = {
  'ICD-10-CM': 'such as U07.1 or J12.82',
  LOINC: 'such as 94500-6',
  RxNorm: 'an RXCUI such as 2284718',
  'SNOMED CT': 'a concept id such as 840539006',
  CPT: 'five characters such as 94002',
  CVX: 'such as 208',
};

/** ICD-10-CM codes are stored with their dot after the category (J1282 -> J12.82). */
function icd10WithDot(code: string): string {
  const bare = code.replace('.', '');
  return bare.length > 3 ? `${bare.slice(0, 3)}.${bare.slice(3)}` : bare;
}

/** A calendar date as YYYY-MM-DD (UTC midnight), or undefined. */
export function parseDate(text: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.getUTCDate() === Number(m[3]) && date.getUTCMonth() === Number(m[2]) - 1 ? date : undefined;
}

function columnList(node: NodeDef): string {
  const names = node.properties.flatMap((p) => (p.dateColumn ? [p.name, p.dateColumn] : [p.name]));
  return [...names, INDEX_DATE_COLUMN].join(', ');
}

/** A record's id within its project: the same node, case and key values are the same record (a sheet sent again replaces it). */
export function clinicalRecordId(node: NodeDef, casePseudonym: string, values: Readonly<Record<string, ClinicalValue>>): string {
  const key = [node.node, casePseudonym, ...node.key.map((k) => String(values[k] ?? ''))].join('\0');
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

/** The format a file's name or a request's content type says. */
export function sheetFormatOf(nameOrType: string): SheetFormat | undefined {
  const v = nameOrType.toLowerCase();
  if (v.endsWith('.csv') || v.startsWith('text/csv')) return 'csv';
  if (v.endsWith('.tsv') || v.startsWith('text/tab-separated-values')) return 'tsv';
  if (v.endsWith('.json') || v.startsWith('application/json')) return 'json';
  return undefined;
}
