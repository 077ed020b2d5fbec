/**
 * The shape of the clinical data dictionary: one node (a table, e.g. `measurement`) per file,
 * each a list of typed properties. The dictionary is data; parsing, validation, the JSON Schema,
 * the reference page and the export tables are all derived from it.
 */

/** Code systems the dictionary's codes and enumerations come from. */
export const CODE_SYSTEMS = {
  'ICD-10-CM': { url: 'http://hl7.org/fhir/sid/icd-10-cm', pattern: '^[A-Z][0-9][0-9A-Z](\\.?[0-9A-Z]{1,4})?$' },
  LOINC: { url: 'http://loinc.org', pattern: '^[0-9]{1,5}-[0-9]$' },
  RxNorm: { url: 'http://www.nlm.nih.gov/research/umls/rxnorm', pattern: '^[0-9]{1,8}$' },
  'SNOMED CT': { url: 'http://snomed.info/sct', pattern: '^[0-9]{6,18}$' },
  CPT: { url: 'http://www.ama-assn.org/go/cpt', pattern: '^[0-9]{4}[0-9A-Z]$' },
  CVX: { url: 'http://hl7.org/fhir/sid/cvx', pattern: '^[0-9]{1,3}$' },
  'OMB 1997': { url: 'https://www.govinfo.gov/content/pkg/FR-1997-10-30/pdf/97-28653.pdf' },
  DICOM: { url: 'http://dicom.nema.org/resources/ontology/DCM' },
  HL7: { url: 'http://terminology.hl7.org' },
  MIDRC: { url: 'https://github.com/uc-cdis/midrc_dictionary' },
} as const satisfies Record<string, { readonly url: string; readonly pattern?: string }>;
export type CodeSystem = keyof typeof CODE_SYSTEMS;

/**
 * - `string`: free of dates and identifiers by the submitter's duty (length-bounded);
 * - `enum`: one of `values` (case-insensitive on input, stored in the dictionary's spelling);
 * - `code`: a code of `codeSystem`, checked against the system's syntax;
 * - `integer` / `number`: with optional `minimum` / `maximum`;
 * - `days`: whole days from the case's index event (negative before it); a site may send the
 *   date instead in `dateColumn`, converted at intake and never stored;
 * - `age`: whole years; above 89 stored as "90+" (HIPAA Safe Harbor);
 * - `date`: YYYY-MM-DD, shifted with the patient's images. Only a project whose clinical dates
 *   are `shifted` has them (date-mode.ts derives them from the days properties); a dictionary
 *   extension cannot declare one.
 */
export type PropertyType = 'string' | 'enum' | 'code' | 'integer' | 'number' | 'days' | 'age' | 'date';

export interface PropertyDef {
  readonly name: string;
  readonly type: PropertyType;
  readonly description: string;
  readonly required?: boolean;
  readonly values?: readonly string[];
  readonly codeSystem?: CodeSystem;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly unit?: string;
  readonly maxLength?: number;
  /** For `days`: the name of the date column a site may send instead (YYYY-MM-DD). */
  readonly dateColumn?: string;
  /** For `days`: the start property this end may not precede (e.g. a condition's end after its start). */
  readonly notBefore?: string;
  /** For `date`: the days property it stands in for in a shifted-dates project. */
  readonly daysProperty?: string;
}

export interface NodeDef {
  /** snake_case, the file name of the node's sheet (`measurement.csv`) and of its export table. */
  readonly node: string;
  /** Bumped on every change of the node's properties (semantic versioning). */
  readonly version: string;
  readonly description: string;
  /** The MIDRC dictionary node it follows, where one exists. */
  readonly midrc?: string;
  /**
   * The properties that identify a record within its case (with `case_id`): a sheet sent
   * again replaces the records with the same key instead of adding copies. Empty for
   * one-per-case nodes (`case`, `demographics`).
   */
  readonly key: readonly string[];
  readonly properties: readonly PropertyDef[];
}

/** Every node's first property: the site's case id (its PatientID), pseudonymized on arrival. */
export const CASE_ID: PropertyDef = {
  name: 'case_id',
  type: 'string',
  required: true,
  maxLength: 64,
  description:
    "The site's patient identifier, the DICOM PatientID of the patient's studies. Pseudonymized on arrival with the project key exactly as PatientID is; never stored.",
};

/** The column a sheet with date columns carries so they can be turned into days from the index event. */
export const INDEX_DATE_COLUMN = 'index_date';
