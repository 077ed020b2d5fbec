/**
 * cases.csv: a site's per-submission sheet of case (patient) demographics, the
 * MIDRC data dictionary subset hilum searches on. One table of columns drives the
 * zod row schema, the JSON Schema published in docs/catalog.md, and the messages.
 *
 * The case id is the hospital's PatientID: PHI. This module never returns it in an
 * error or a result other than the parsed row handed to the pseudonymizer, and its
 * messages quote the column and the row, never a value.
 */
import { z } from 'zod';
import { CsvSyntaxError, parseCsv } from './csv';
import { caseNode } from './dictionary/case';
import { demographicsNode } from './dictionary/demographics';
import type { NodeDef } from './dictionary/types';

export const MAX_AGE = 89;

/** An enum property's values, read from the dictionary: the older cases.csv takes exactly what the demographics and case nodes take. */
function valuesOf(node: NodeDef, property: string): readonly string[] {
  const values = node.properties.find((p) => p.name === property)?.values;
  if (!values) throw new Error(`the dictionary's ${node.node} node has no enum ${property}`);
  return values;
}
const SEX = valuesOf(demographicsNode, 'sex');
const RACE = valuesOf(demographicsNode, 'race');
const ETHNICITY = valuesOf(demographicsNode, 'ethnicity');
const YES_NO = valuesOf(caseNode, 'covid19_positive');

interface Column {
  readonly name: string;
  readonly required: boolean;
  readonly description: string;
  readonly enum?: readonly string[];
  readonly pattern?: string;
}

/** The columns, in the MIDRC dictionary's names. */
export const CASE_COLUMNS: readonly Column[] = [
  {
    name: 'case_id',
    required: true,
    description: "The site's patient identifier (the DICOM PatientID of the patient's studies). Pseudonymized on arrival, never stored.",
    pattern: '^\\S.{0,63}$',
  },
  { name: 'sex', required: false, description: 'Sex', enum: SEX },
  {
    name: 'age_at_index',
    required: false,
    description: 'Age in years at the index event; above 89 is recorded as 89 with a flag; "90+" is accepted',
    pattern: '^(\\d{1,3}|90\\+)$',
  },
  { name: 'race', required: false, description: 'Race (OMB categories)', enum: RACE },
  { name: 'ethnicity', required: false, description: 'Ethnicity', enum: ETHNICITY },
  { name: 'covid19_positive', required: false, description: 'COVID-19 test result positive', enum: YES_NO },
  {
    name: 'index_date',
    required: false,
    description: 'Index event date (YYYY-MM-DD); only its year is kept',
    pattern: '^\\d{4}-\\d{2}-\\d{2}$',
  },
];

/** The JSON Schema of one row (string cells, empty meaning absent), published in docs/catalog.md. */
export const CASE_ROW_JSON_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'hilum cases.csv row',
  type: 'object',
  additionalProperties: false,
  required: CASE_COLUMNS.filter((c) => c.required).map((c) => c.name),
  properties: Object.fromEntries(
    CASE_COLUMNS.map((c) => [
      c.name,
      {
        type: 'string',
        description: c.description,
        ...(c.enum ? { enum: [...c.enum, ''] } : {}),
        ...(c.pattern ? { pattern: c.pattern } : {}),
      },
    ]),
  ),
} as const;

/** Case-insensitive match onto the dictionary's spelling. */
const oneOf = (values: readonly string[]) =>
  z.string().transform((v, ctx) => {
    const found = values.find((allowed) => allowed.toLowerCase() === v.trim().toLowerCase());
    if (!found) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must be one of: ${values.join(', ')}` });
      return z.NEVER;
    }
    return found;
  });
const optional = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

export const caseRowSchema = z
  .object({
    case_id: z
      .string()
      .transform((v) => v.trim())
      .pipe(z.string().min(1, 'is required').max(64, 'is longer than 64 characters')),
    sex: optional(oneOf(SEX)),
    age_at_index: optional(
      z.string().transform((v, ctx) => {
        const t = v.trim();
        if (t === '90+') return { age: MAX_AGE, capped: true };
        if (!/^\d{1,3}$/.test(t) || Number(t) > 120) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be a whole number of years from 0 to 120, or 90+' });
          return z.NEVER;
        }
        const n = Number(t);
        return n > MAX_AGE ? { age: MAX_AGE, capped: true } : { age: n, capped: false };
      }),
    ),
    race: optional(oneOf(RACE)),
    ethnicity: optional(oneOf(ETHNICITY)),
    covid19_positive: optional(oneOf(YES_NO)),
    index_date: optional(
      z.string().transform((v, ctx) => {
        const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v.trim());
        const valid =
          m &&
          !Number.isNaN(Date.parse(`${m[1]}-${m[2]}-${m[3]}T00:00:00Z`)) &&
          new Date(`${m[1]}-${m[2]}-${m[3]}T00:00:00Z`).getUTCDate() === Number(m[3]);
        if (!valid) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be a date as YYYY-MM-DD' });
          return z.NEVER;
        }
        return Number(m![1]);
      }),
    ),
  })
  .strict();

/** A valid row, demographics normalized; `caseId` is still the site's raw identifier (PHI). */
/** A case's demographics as the commons keeps them: from a sheet row, and on the catalog's case entity. */
export interface CaseDemographics {
  readonly sex?: string;
  /** Age at index in years, capped at 89; `ageCapped` says the real age was higher. */
  readonly ageAtIndex?: number;
  readonly ageCapped?: boolean;
  readonly race?: string;
  readonly ethnicity?: string;
  readonly covid19Positive?: string;
  /** The year of the index date (a full date is PHI). */
  readonly indexYear?: number;
  /** What day 0 of the case's timeline is (the `case` node's `index_event`). */
  readonly indexEvent?: string;
  /** The ICD-10-CM categories (three characters, e.g. U07) of the case's `condition` records: the search facet. */
  readonly conditions?: readonly string[];
  /** `Positive` when any COVID-19 test of the case's `measurement` records was positive, `Negative` when all were. */
  readonly covid19Tested?: 'Positive' | 'Negative';
}

export interface CaseRow extends CaseDemographics {
  readonly row: number;
  readonly caseId: string;
}

export interface CaseSheetError {
  /** 1-based line of the file (the header is line 1). */
  readonly row: number;
  readonly column?: string;
  readonly message: string;
}

export type CaseSheetResult = { readonly ok: true; readonly cases: CaseRow[] } | { readonly ok: false; readonly errors: CaseSheetError[] };

export const MAX_CASE_ROWS = 50_000;
const MAX_ERRORS = 100;

export function parseCaseSheet(text: string): CaseSheetResult {
  let table;
  try {
    table = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError)
      return { ok: false, errors: [{ row: error.line, message: error.message.replace(/^line \d+: /, '') }] };
    throw error;
  }
  const [header, ...rows] = table;
  if (!header) return { ok: false, errors: [{ row: 1, message: 'the sheet is empty; the first line names the columns' }] };
  const known = new Set(CASE_COLUMNS.map((c) => c.name));
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const errors: CaseSheetError[] = [];
  // An unknown header is reported by position: a header cell could hold anything.
  names.forEach((name, i) => {
    if (!known.has(name))
      errors.push({ row: header.line, message: `column ${i + 1} is not a cases.csv column (${[...known].join(', ')})` });
  });
  const seenHeader = new Set<string>();
  for (const name of names) {
    if (known.has(name) && seenHeader.has(name)) errors.push({ row: header.line, column: name, message: 'appears twice in the header' });
    seenHeader.add(name);
  }
  for (const column of CASE_COLUMNS)
    if (column.required && !names.includes(column.name))
      errors.push({ row: header.line, column: column.name, message: 'is a required column' });
  if (errors.length) return { ok: false, errors };
  if (rows.length === 0) return { ok: false, errors: [{ row: 2, message: 'the sheet has no cases' }] };
  if (rows.length > MAX_CASE_ROWS)
    return { ok: false, errors: [{ row: header.line, message: `the sheet has more than ${MAX_CASE_ROWS} cases; split it` }] };

  const cases: CaseRow[] = [];
  const rowOfCase = new Map<string, number>();
  for (const row of rows) {
    if (errors.length >= MAX_ERRORS) break;
    if (row.fields.length !== names.length) {
      errors.push({ row: row.line, message: `has ${row.fields.length} fields; the header has ${names.length}` });
      continue;
    }
    const parsed = caseRowSchema.safeParse(Object.fromEntries(names.map((n, i) => [n, row.fields[i]!])));
    if (!parsed.success) {
      for (const issue of parsed.error.issues) errors.push({ row: row.line, column: String(issue.path[0] ?? ''), message: issue.message });
      continue;
    }
    const v = parsed.data;
    const earlier = rowOfCase.get(v.case_id);
    if (earlier !== undefined) {
      errors.push({ row: row.line, column: 'case_id', message: `repeats the case of row ${earlier}` });
      continue;
    }
    rowOfCase.set(v.case_id, row.line);
    cases.push(
      stripUndefined({
        row: row.line,
        caseId: v.case_id,
        sex: v.sex,
        ageAtIndex: v.age_at_index?.age,
        ageCapped: v.age_at_index ? v.age_at_index.capped : undefined,
        race: v.race,
        ethnicity: v.ethnicity,
        covid19Positive: v.covid19_positive,
        indexYear: v.index_date,
      }),
    );
  }
  return errors.length ? { ok: false, errors } : { ok: true, cases };
}

function stripUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}
