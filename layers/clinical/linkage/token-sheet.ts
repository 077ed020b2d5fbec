/**
 * The two sheets of linkage: the site's roster (case id and identifiers, which never leave
 * the site) and the tokens sheet computed from it (case id, variant, token), which travels
 * with the clinical sheets. Errors name the row and column, never a value.
 */
import { createSecretKey } from 'node:crypto';
import { parseCsv, CsvSyntaxError } from '../csv';
import { IdentifierError, normalizePerson } from './normalize';
import { missingIndexedVariants } from './token-index';
import { isLinkVariant, linkTokens, LINK_VARIANT_NAMES, TOKEN_PATTERN, type LinkTokens, type LinkVariant } from './variants';

export interface LinkSheetError {
  readonly row: number;
  readonly column?: string;
  readonly code:
    | 'syntax'
    | 'missing_column'
    | 'required'
    | 'invalid'
    | 'unknown_variant'
    | 'missing_variant'
    | 'duplicate'
    | 'too_many_rows'
    | 'unknown_case';
  readonly message: string;
}

export interface CaseLinkTokens {
  /** The sheet row the case first appears on. */
  readonly row: number;
  readonly caseId: string;
  readonly tokens: LinkTokens;
}

export type LinkSheetResult =
  { readonly ok: true; readonly cases: readonly CaseLinkTokens[] } | { readonly ok: false; readonly errors: readonly LinkSheetError[] };

/** 100,000 cases of 13 variants: a sheet the site holds (`hilum upload` sends it in parts). */
export const MAX_TOKEN_ROWS = 1_300_000;
/**
 * The cases one request stores: each case writes its record and up to 4 index entries and
 * removes up to 4 stale ones (docs/linkage.md), so 2,000 cases are at most 18,000 writes,
 * under 5 s at a new on-demand table's 4,000 writes a second, well inside the API's 29 s.
 */
export const MAX_CASES_PER_REQUEST = 2_000;
const MAX_ERRORS = 1000;
export const ROSTER_COLUMNS = ['case_id', 'first_name', 'last_name', 'birth_date', 'sex', 'zip'] as const;
export const TOKEN_SHEET_COLUMNS = ['case_id', 'variant', 'token'] as const;

function table(text: string, required: readonly string[]): { rows: { line: number; get(column: string): string }[] } | LinkSheetError {
  let parsed;
  try {
    parsed = parseCsv(text).filter((r) => r.fields.some((f) => f.trim() !== ''));
  } catch (error) {
    if (error instanceof CsvSyntaxError) return { row: error.line, code: 'syntax', message: error.message };
    throw error;
  }
  const header = (parsed[0]?.fields ?? []).map((f) => f.trim().toLowerCase());
  const missing = required.find((c) => !header.includes(c));
  if (missing) return { row: 1, column: missing, code: 'missing_column', message: `the header has no ${missing} column` };
  return {
    rows: parsed.slice(1).map((r) => ({ line: r.line, get: (column: string) => (r.fields[header.indexOf(column)] ?? '').trim() })),
  };
}

/**
 * The tokens of every person of a roster (CSV: case_id, first_name, last_name, birth_date,
 * sex, and optionally zip) under the linkage key; any refused row refuses the whole roster.
 */
export function rosterTokens(text: string, key: Uint8Array): LinkSheetResult {
  const parsed = table(
    text,
    ROSTER_COLUMNS.filter((c) => c !== 'zip'),
  );
  if (!('rows' in parsed)) return { ok: false, errors: [parsed] };
  const errors: LinkSheetError[] = [];
  const cases: CaseLinkTokens[] = [];
  const seen = new Set<string>();
  const secret = createSecretKey(key);
  for (const r of parsed.rows) {
    if (errors.length >= MAX_ERRORS) break;
    const caseId = r.get('case_id');
    if (!caseId) {
      errors.push({ row: r.line, column: 'case_id', code: 'required', message: 'case_id is required' });
      continue;
    }
    if (seen.has(caseId)) {
      errors.push({ row: r.line, column: 'case_id', code: 'duplicate', message: 'this case_id is on an earlier row too' });
      continue;
    }
    seen.add(caseId);
    try {
      const person = normalizePerson({
        firstName: r.get('first_name'),
        lastName: r.get('last_name'),
        birthDate: r.get('birth_date'),
        sex: r.get('sex'),
        zip: r.get('zip'),
      });
      cases.push({ row: r.line, caseId, tokens: linkTokens(person, secret) });
    } catch (error) {
      if (!(error instanceof IdentifierError)) throw error;
      errors.push({ row: r.line, column: error.field, code: 'invalid', message: error.message });
    }
  }
  return errors.length ? { ok: false, errors } : { ok: true, cases };
}

const csvField = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/** The tokens sheet: one row per case and variant. */
export function tokenSheetCsv(cases: readonly CaseLinkTokens[]): string {
  const lines = [TOKEN_SHEET_COLUMNS.join(',')];
  for (const c of cases)
    for (const variant of LINK_VARIANT_NAMES) {
      const token = c.tokens[variant];
      if (token) lines.push(`${csvField(c.caseId)},${variant},${token}`);
    }
  return `${lines.join('\n')}\n`;
}

/** A tokens sheet read back: every row checked, tokens grouped per case in the order cases first appear. */
export function parseTokenSheet(text: string): LinkSheetResult {
  const parsed = table(text, TOKEN_SHEET_COLUMNS);
  if (!('rows' in parsed)) return { ok: false, errors: [parsed] };
  if (parsed.rows.length > MAX_TOKEN_ROWS)
    return {
      ok: false,
      errors: [{ row: 1, code: 'too_many_rows', message: `a tokens sheet holds at most ${MAX_TOKEN_ROWS} rows; split it` }],
    };
  const errors: LinkSheetError[] = [];
  const byCase = new Map<string, { row: number; tokens: Partial<Record<LinkVariant, string>> }>();
  for (const r of parsed.rows) {
    if (errors.length >= MAX_ERRORS) break;
    const [caseId, variant, token] = [r.get('case_id'), r.get('variant'), r.get('token')];
    if (!caseId) errors.push({ row: r.line, column: 'case_id', code: 'required', message: 'case_id is required' });
    else if (!isLinkVariant(variant))
      errors.push({
        row: r.line,
        column: 'variant',
        code: 'unknown_variant',
        message: `variant must be one of ${LINK_VARIANT_NAMES.join(', ')}`,
      });
    else if (!TOKEN_PATTERN.test(token))
      errors.push({
        row: r.line,
        column: 'token',
        code: 'invalid',
        message: 'token must be 43 base64url characters (hilum link-tokens writes them)',
      });
    else {
      const entry = byCase.get(caseId) ?? { row: r.line, tokens: {} };
      if (entry.tokens[variant])
        errors.push({ row: r.line, column: 'variant', code: 'duplicate', message: 'this case has this variant on an earlier row' });
      entry.tokens[variant] = token;
      byCase.set(caseId, entry);
    }
  }
  for (const [, { row, tokens }] of byCase) {
    if (errors.length >= MAX_ERRORS) break;
    const missing = missingIndexedVariants(tokens);
    if (missing.length)
      errors.push({
        row,
        column: 'variant',
        code: 'missing_variant',
        message: `this case lacks the ${missing.join(', ')} token(s), which every case needs (hilum link-tokens writes them for everyone)`,
      });
  }
  return errors.length
    ? { ok: false, errors: errors.sort((a, b) => a.row - b.row) }
    : { ok: true, cases: [...byCase].map(([caseId, { row, tokens }]) => ({ row, caseId, tokens })) };
}
