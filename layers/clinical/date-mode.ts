/**
 * How a project keeps its clinical timeline (issue 19). `days_from_index`, the default and
 * MIDRC's way: dates become whole days from the case's index event. `shifted`: for a project
 * whose de-identification profile shifts the images' dates per patient, clinical dates stay
 * dates, moved back by the SAME keyed number of days as the patient's images (the same HMAC of
 * project key, site and PatientID), so a record's date lines up with its studies' StudyDate.
 * The choice is the project's setting `clinicalDates`, validated when the project is saved.
 *
 * In the shifted mode a node's `days` properties that have a date column are that column
 * instead, typed `date`, and the case node carries the (shifted) `index_date`. A date is
 * shifted where the key and the site's case id meet: the commons' intake, beside the case
 * pseudonym, or the site itself when it de-identifies there. No unshifted date is stored.
 */
import { dateShiftDays, shiftDate, type DeidProfile, type KeyOptions } from '../dicom';
import type { ClinicalValue } from './clinical-sheet';
import type { CaseClinical } from './consistency';
import { INDEX_DATE_COLUMN, loadDictionary, type Dictionary, type NodeDef, type PropertyDef } from './dictionary';

export const CLINICAL_DATE_MODES = ['days_from_index', 'shifted'] as const;
export type ClinicalDateMode = (typeof CLINICAL_DATE_MODES)[number];
/** The project setting that chooses the mode. */
export const CLINICAL_DATES_SETTING = 'clinicalDates';

type Settings = Readonly<Record<string, string | number | boolean>> | undefined;

/** The project's mode; the default when the setting is absent (a saved project's setting is valid). */
export function clinicalDateModeOf(settings: Settings): ClinicalDateMode {
  const value = settings?.[CLINICAL_DATES_SETTING];
  return value === 'shifted' ? 'shifted' : 'days_from_index';
}

/**
 * What is wrong with a project's `clinicalDates` setting under its profile, or undefined. The
 * shifted mode needs a profile that shifts the images' dates: otherwise there is no shift for
 * the clinical dates to line up with, and they would be kept as they are.
 */
export function clinicalDatesSettingProblem(settings: Settings, profile: DeidProfile): string | undefined {
  const value = settings?.[CLINICAL_DATES_SETTING];
  if (value === undefined) return undefined;
  if (!(CLINICAL_DATE_MODES as readonly unknown[]).includes(value))
    return `settings.${CLINICAL_DATES_SETTING} must be one of: ${CLINICAL_DATE_MODES.join(', ')}`;
  if (value === 'shifted' && !profile.options.retainLongitudinalModifiedDates)
    return `settings.${CLINICAL_DATES_SETTING} 'shifted' needs a de-identification profile that shifts dates (retainLongitudinalModifiedDates); profile ${profile.name} does not`;
  return undefined;
}

const INDEX_DATE_PROPERTY: PropertyDef = {
  name: INDEX_DATE_COLUMN,
  type: 'date',
  description: "The date of the case's index event, shifted with the patient's images.",
};

/**
 * The node as a shifted-dates project's sheets carry it: every `days` property with a date
 * column becomes that column, a `date` (required as the days were, in the key and in
 * `notBefore` in its place); a days property without one stays days from the index event.
 */
export function shiftedDatesNode(node: NodeDef): NodeDef {
  const renamed = new Map(node.properties.filter((p) => p.type === 'days' && p.dateColumn).map((p) => [p.name, p.dateColumn!]));
  if (renamed.size === 0 && node.node !== 'case') return node;
  const properties = node.properties.map((p): PropertyDef => {
    const dateName = renamed.get(p.name);
    if (!dateName) return p;
    return {
      name: dateName,
      type: 'date',
      daysProperty: p.name,
      description: `${p.description.replace(/^Days from the index event to /, 'Date of ')} Shifted with the patient's images.`,
      ...(p.required ? { required: true } : {}),
      ...(p.notBefore ? { notBefore: renamed.get(p.notBefore) ?? p.notBefore } : {}),
    };
  });
  return {
    ...node,
    key: node.key.map((k) => renamed.get(k) ?? k),
    properties:
      node.node === 'case' && !properties.some((p) => p.name === INDEX_DATE_COLUMN) ? [...properties, INDEX_DATE_PROPERTY] : properties,
  };
}

/** The dictionary a project of this mode validates and exports with. */
export function dictionaryForDates(dictionary: Dictionary, mode: ClinicalDateMode): Dictionary {
  if (mode === 'days_from_index') return dictionary;
  const nodes = dictionary.nodes.map(shiftedDatesNode);
  const byName = new Map(nodes.map((n) => [n.node, n]));
  return { nodes, node: (name) => byName.get(name) };
}

/** A project's dictionary: the base with its extension (valid: checked when saved), in its date mode. */
export function projectClinicalDictionary(
  project: { readonly clinicalDictionary?: unknown; readonly settings?: Settings } | undefined,
): Dictionary {
  return dictionaryForDates(loadDictionary(project?.clinicalDictionary), clinicalDateModeOf(project?.settings));
}

/** Whether a node's records carry dates (the shifted mode's date properties). */
export const hasDateProperties = (node: NodeDef): boolean => node.properties.some((p) => p.type === 'date');

/** The patient's shift in days: the de-identifier's own, keyed on `id:` + the PatientID exactly as the images are. */
export function clinicalDateShift(caseId: string, keys: KeyOptions, profile: DeidProfile): number {
  return dateShiftDays(`id:${caseId.trim()}`, keys, profile);
}

/** A YYYY-MM-DD date moved back by `days`, through the DICOM date shifter; undefined when it is not a date. */
export function shiftClinicalDate(date: string, days: number): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.trim());
  const shifted = m ? shiftDate(`${m[1]}${m[2]}${m[3]}`, days) : undefined;
  return shifted ? `${shifted.slice(0, 4)}-${shifted.slice(4, 6)}-${shifted.slice(6, 8)}` : undefined;
}

/**
 * A validated row's values with every date property shifted. Throws (value-free) on a date
 * that is not one: the sheet's validation lets none through, and keeping it would store it.
 */
export function shiftRowDates(node: NodeDef, values: Readonly<Record<string, ClinicalValue>>, days: number): Record<string, ClinicalValue> {
  const out: Record<string, ClinicalValue> = { ...values };
  for (const p of node.properties) {
    const v = out[p.name];
    if (p.type !== 'date' || v === undefined) continue;
    const shifted = shiftClinicalDate(String(v), days);
    if (shifted === undefined) throw new TypeError(`a ${node.node} record's ${p.name} is not a date: it cannot be shifted`);
    out[p.name] = shifted;
  }
  return out;
}

const DAY_MS = 86_400_000;
const dayNumber = (date: string): number => Date.parse(`${date}T00:00:00Z`) / DAY_MS;

/**
 * A shifted-mode record's values on the days-from-index timeline (each date as its days
 * property), for checks written in days: the shift cancels out, as every date of the case,
 * its index date included, moved by the same days. Without an index date the days count
 * from 1970-01-01: differences stay true, positions relative to the index do not.
 */
export function asDaysFromIndex(
  node: NodeDef | undefined,
  values: Readonly<Record<string, ClinicalValue>>,
  indexDate: string | undefined,
): Record<string, ClinicalValue> {
  if (!node) return { ...values };
  const origin = indexDate !== undefined ? dayNumber(indexDate) : 0;
  const out: Record<string, ClinicalValue> = {};
  for (const [name, v] of Object.entries(values)) {
    const p = node.properties.find((q) => q.name === name);
    if (p?.type === 'date' && p.daysProperty && typeof v === 'string' && !Number.isNaN(dayNumber(v)))
      out[p.daysProperty] = dayNumber(v) - origin;
    else out[name] = v;
  }
  return out;
}

/**
 * A case's records as the consistency checks read them (days from index), in either mode: a
 * shifted-mode case's dates become days from its shifted index date. Without an index date the
 * checks that place records against the index (before birth, age at imaging) cannot run, so the
 * age at index is left out; the order of records (vaccine doses) is still checked.
 */
export function caseClinicalOnIndexTimeline(dictionary: Dictionary, clinical: CaseClinical, indexDate: string | undefined): CaseClinical {
  const dated = clinical.records.some((r) => {
    const node = dictionary.node(r.node);
    return node !== undefined && hasDateProperties(node);
  });
  if (!dated) return clinical;
  const records = clinical.records.map((r) => ({ ...r, values: asDaysFromIndex(dictionary.node(r.node), r.values, indexDate) }));
  return indexDate !== undefined && clinical.ageAtIndex !== undefined ? { ageAtIndex: clinical.ageAtIndex, records } : { records };
}
