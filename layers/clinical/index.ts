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
export * from './dictionary';
export {
  parseClinicalSheet,
  checkValue,
  parseDate,
  clinicalRecordId,
  sheetFormatOf,
  SHEET_ERROR_CODES,
  MAX_SHEET_ROWS,
  MAX_SHEET_ERRORS,
  MAX_DAYS,
  AGE_CAP,
  type ClinicalRow,
  type ClinicalValue,
  type SheetError,
  type SheetErrorCode,
  type SheetFormat,
  type SheetInput,
  type SheetResult,
} from './clinical-sheet';
export { nodeJsonSchema, sheetJsonSchema, dictionaryJsonSchemas } from './dictionary-schema';
export { renderDictionaryPage } from './dictionary-doc';
export { caseFieldsOf, caseSheetRecordValues, caseSummaryOf, SUMMARY_NODES, type ClinicalRecord } from './clinical-records';
export { clinicalInconsistencies, type CaseClinical } from './consistency';
export {
  CLINICAL_DATE_MODES,
  CLINICAL_DATES_SETTING,
  asDaysFromIndex,
  caseClinicalOnIndexTimeline,
  clinicalDateModeOf,
  clinicalDatesSettingProblem,
  clinicalDateShift,
  dictionaryForDates,
  hasDateProperties,
  projectClinicalDictionary,
  shiftClinicalDate,
  shiftRowDates,
  shiftedDatesNode,
  type ClinicalDateMode,
} from './date-mode';
