/** Clinical data intake, pure: cases.csv parsing and validation. */
export { parseCsv, CsvSyntaxError, type CsvRow } from './csv';
export {
  parseCaseSheet,
  caseRowSchema,
  CASE_COLUMNS,
  CASE_ROW_JSON_SCHEMA,
  MAX_CASE_ROWS,
  type CaseDemographics,
  type CaseRow,
  type CaseSheetError,
  type CaseSheetResult,
} from './case-sheet';
export { casePseudonym } from './case-pseudonym';
