/**
 * `hilum upload --clinical DIR`: a folder of clinical sheets, one per dictionary node, named
 * `{node}.csv`, `{node}.tsv` or `{node}.json` (docs/clinical-dictionary.md). Every sheet is
 * validated here first, all errors of all sheets at once, and dates are turned into days from
 * the index event with the `index_date` column of case.csv, so no date leaves the site. What is
 * sent is each node's records as JSON, in days; the commons validates them again. A
 * `linkage_tokens.csv` from `hilum link-tokens` in the folder is checked and sent too.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BASE_DICTIONARY,
  CASE_LEVEL_NODES,
  clinicalDateShift,
  dictionaryForDates,
  parseClinicalSheet,
  sheetFormatOf,
  shiftRowDates,
  type ClinicalDateMode,
  type ClinicalValue,
  type SheetError,
} from '../../layers/clinical';
import type { DeidProfile, KeyOptions } from '../../layers/dicom';
import { parseTokenSheet } from '../../layers/clinical/linkage';
import { UsageError } from '../command';

export interface PreparedSheet {
  readonly node: string;
  readonly file: string;
  readonly records: number;
  /**
   * The records of a JSON sheet, dates already converted, the site's case ids still in (the commons pseudonymizes them).
   * For a shifted-dates project: the dates as the site has them, until shiftPreparedSheets moves them (else the commons does).
   */
  readonly body: readonly object[];
  /** The dates were shifted here with the project key (sent as `dates=shifted`). */
  readonly datesShifted?: boolean;
}

export class ClinicalSheetsInvalid extends Error {
  override readonly name = 'ClinicalSheetsInvalid';
  constructor(readonly errors: readonly SheetError[]) {
    super(
      `the clinical sheets have ${errors.length} error(s); nothing was sent:\n` +
        errors.map((e) => `  ${e.file} row ${e.row}${e.column ? `, column ${e.column}` : ''} [${e.code}]: ${e.message}`).join('\n'),
    );
  }
}

/** The tokens sheet `hilum link-tokens` writes; in a clinical folder, `hilum upload` sends it with the sheets (docs/linkage.md). */
export const LINKAGE_TOKENS_FILE = 'linkage_tokens.csv';

/** The folder's tokens sheet, checked whole (rows named, never values), or undefined when it has none. */
export async function readLinkageTokens(dir: string): Promise<string | undefined> {
  const text = await readFile(join(dir, LINKAGE_TOKENS_FILE), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (text === undefined) return undefined;
  const sheet = parseTokenSheet(text);
  if (!sheet.ok) {
    const first = sheet.errors[0]!;
    throw new UsageError(
      `--clinical ${dir}: ${LINKAGE_TOKENS_FILE} has ${sheet.errors.length} error(s); the first: row ${first.row}${first.column ? `, column ${first.column}` : ''}: ${first.message}`,
    );
  }
  return text;
}

/** A project whose clinical dates are `shifted` (settings.clinicalDates) reads the date columns instead of days. */
export async function prepareClinicalDir(dir: string, dates: ClinicalDateMode = 'days_from_index'): Promise<PreparedSheet[]> {
  const dictionary = dictionaryForDates(BASE_DICTIONARY, dates);
  const names = (await readdir(dir)).filter((n) => !n.startsWith('.') && n !== LINKAGE_TOKENS_FILE).sort();
  const files = new Map<string, string>();
  for (const name of names) {
    const node = name.replace(/\.(csv|tsv|json)$/i, '');
    if (node === name || !BASE_DICTIONARY.node(node))
      throw new UsageError(
        `--clinical ${dir}: ${name} is not a clinical sheet; name each {node}.csv, .tsv or .json, the nodes: ${BASE_DICTIONARY.nodes.map((n) => n.node).join(', ')}`,
      );
    if (files.has(node)) throw new UsageError(`--clinical ${dir}: two sheets for ${node}; keep one`);
    files.set(node, name);
  }
  if (files.size === 0) throw new UsageError(`--clinical ${dir}: no clinical sheets in the folder`);

  // case.csv first: its index dates convert every other sheet's dates.
  const order = BASE_DICTIONARY.nodes.map((n) => n.node).filter((n) => files.has(n));
  let indexDates: ReadonlyMap<string, string> = new Map();
  const errors: SheetError[] = [];
  const prepared: PreparedSheet[] = [];
  for (const node of order) {
    const file = files.get(node)!;
    const result = parseClinicalSheet({
      node: dictionary.node(node)!,
      text: await readFile(join(dir, file), 'utf8'),
      format: sheetFormatOf(file)!,
      file,
      indexDates,
    });
    if (!result.ok) {
      errors.push(...result.errors);
      continue;
    }
    if (node === 'case') indexDates = result.indexDates;
    const records = result.rows.map((r) => ({ case_id: r.caseId, ...r.values }));
    prepared.push({ node, file, records: records.length, body: records });
  }
  if (errors.length) throw new ClinicalSheetsInvalid(errors);
  // Case-level sheets first: the other nodes' records must name cases the commons has.
  return [...prepared.filter((p) => CASE_LEVEL_NODES.has(p.node)), ...prepared.filter((p) => !CASE_LEVEL_NODES.has(p.node))];
}

/**
 * A shifted-dates project's sheets with their dates moved back by each patient's own image date
 * shift (the de-identifier's, keyed on the PatientID and this site): what a site that
 * de-identifies its images sends, so no date leaves it. The commons stores them as they come.
 */
export function shiftPreparedSheets(sheets: readonly PreparedSheet[], keys: KeyOptions, profile: DeidProfile): PreparedSheet[] {
  const dictionary = dictionaryForDates(BASE_DICTIONARY, 'shifted');
  return sheets.map((sheet) => {
    const node = dictionary.node(sheet.node)!;
    if (!node.properties.some((p) => p.type === 'date')) return sheet;
    const body = (sheet.body as readonly Record<string, ClinicalValue>[]).map((record) => {
      const caseId = String(record.case_id);
      return shiftRowDates(node, record, clinicalDateShift(caseId, keys, profile));
    });
    return { ...sheet, body, datesShifted: true };
  });
}
