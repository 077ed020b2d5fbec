/**
 * A project's own binary case label (docs/sequestration.md, docs/evaluation.md): besides the
 * COVID-19 status every case has, a project may define one label from its clinical data, such as
 * "a pneumonia diagnosis (ICD-10-CM J12-J18) is recorded" or "a SARS-CoV-2 RT-PCR was positive".
 * The split stratifies on it instead of COVID-19 status, and an evaluation's task may name it.
 *
 * The definition names a node of the project's dictionary, one of its properties (an enum, a
 * code or a string) and the values that make a record positive; `where` restricts the records
 * that count (a measurement of one test); `absent` says what a case without a counted record is.
 * It is validated against the project's dictionary when the project is saved and when a release
 * reads it: every problem named, value-free.
 */
import { z } from 'zod';
import { checkValue } from './clinical-sheet';
import type { ClinicalRecord } from './clinical-records';
import type { Dictionary, PropertyDef } from './dictionary';

/** The default label, from the case sheet's `covid19_positive`: every case has it. */
export const COVID19_LABEL = 'covid19';

/** Names a label may not take: the attributes a case profile already holds. */
export const RESERVED_LABEL_NAMES: ReadonlySet<string> = new Set([
  COVID19_LABEL,
  'sex',
  'ageBand',
  'race',
  'ethnicity',
  'modality',
  'site',
]);

/** A case's label value, in the spelling the COVID-19 status uses. */
export type CaseLabelValue = 'Yes' | 'No' | 'unknown';

const LABEL_TYPES: ReadonlySet<PropertyDef['type']> = new Set(['enum', 'code', 'string']);

const caseLabelSchema = z
  .object({
    /** What an evaluation's task names and the ledger's case attribute is called. */
    name: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'must be snake_case (a-z, 0-9, _) of at most 32 characters'),
    node: z.string().min(1),
    property: z.string().min(1),
    /** A record is positive when its property holds one of these (an ICD-10-CM code also covers the codes under it). */
    positive: z.array(z.string().min(1).max(128)).min(1).max(100),
    /** A record is negative when its property holds one of these; absent: any other value is negative (so "Indeterminate" can count for neither). */
    negative: z.array(z.string().min(1).max(128)).min(1).max(100).optional(),
    where: z
      .object({ property: z.string().min(1), values: z.array(z.string().min(1).max(128)).min(1).max(100) })
      .strict()
      .optional(),
    /**
     * A case without a counted record: `unknown` (the default; left out of an evaluation) or
     * `negative` (for a node the sites send for every case, such as a diagnosis list).
     */
    absent: z.enum(['unknown', 'negative']).optional(),
  })
  .strict();

export type CaseLabelDefinition = z.infer<typeof caseLabelSchema>;

export class CaseLabelConfigError extends Error {
  override readonly name = 'CaseLabelConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`the case label configuration is invalid: ${problems.join('; ')}`);
  }
}

/**
 * The definition checked against the project's dictionary, its values in the dictionary's
 * spelling (an enum's case, a code's canonical form). Throws CaseLabelConfigError naming every
 * problem: a shape error, a reserved name, a node or property the dictionary lacks, a property
 * of another type, a value the property cannot hold.
 */
export function loadCaseLabel(config: unknown, dictionary: Dictionary): CaseLabelDefinition {
  const parsed = caseLabelSchema.safeParse(config);
  if (!parsed.success) throw new CaseLabelConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  const label = parsed.data;
  const problems: string[] = [];
  if (RESERVED_LABEL_NAMES.has(label.name)) problems.push(`name: "${label.name}" is a case attribute already; choose another name`);
  const node = dictionary.node(label.node);
  if (!node) {
    problems.push(`node: no node "${label.node}" (the nodes: ${dictionary.nodes.map((n) => n.node).join(', ')})`);
    throw new CaseLabelConfigError(problems);
  }
  const propertyOf = (path: string, name: string): PropertyDef | undefined => {
    const p = node.properties.find((q) => q.name === name && q.name !== 'case_id');
    if (!p) problems.push(`${path}: node "${node.node}" has no property "${name}"`);
    else if (!LABEL_TYPES.has(p.type)) problems.push(`${path}: "${name}" is of type ${p.type}; a label reads an enum, a code or a string`);
    else return p;
    return undefined;
  };
  const valuesOf = (path: string, p: PropertyDef | undefined, values: readonly string[]): string[] =>
    values.flatMap((raw, i) => {
      if (!p) return [];
      const checked = checkValue(p, raw.trim());
      if ('error' in checked) {
        problems.push(`${path}.${i}: ${checked.message}`);
        return [];
      }
      return [String(checked.value)];
    });
  const property = propertyOf('property', label.property);
  const positive = valuesOf('positive', property, label.positive);
  const negative = label.negative ? valuesOf('negative', property, label.negative) : undefined;
  if (negative?.some((v) => positive.includes(v))) problems.push('negative: a value cannot be both positive and negative');
  const whereProperty = label.where ? propertyOf('where.property', label.where.property) : undefined;
  const whereValues = label.where ? valuesOf('where.values', whereProperty, label.where.values) : [];
  if (problems.length) throw new CaseLabelConfigError(problems);
  return {
    ...label,
    positive,
    ...(negative ? { negative } : {}),
    ...(label.where ? { where: { property: label.where.property, values: whereValues } } : {}),
  };
}

/** Whether a record's value is one of the positive ones: an ICD-10-CM code is covered by its category and parents. */
function matches(value: unknown, wanted: readonly string[], hierarchical: boolean): boolean {
  if (typeof value !== 'string' && typeof value !== 'number') return false;
  const text = String(value);
  return wanted.some((w) => text === w || (hierarchical && text.startsWith(w)));
}

/**
 * Each case's value of the label from its records of the label's node. A record counts when
 * `where` admits it and its property holds a positive value or a negative one (any other value
 * when `negative` is not given; a record without the property does not count). `Yes` when a
 * counted record is positive; `No` when counted records are all negative, or there are none and
 * `absent` is `negative`; else `unknown`.
 */
export function caseLabelValues(
  label: CaseLabelDefinition,
  dictionary: Dictionary,
  records: readonly ClinicalRecord[],
): (casePseudonym: string) => CaseLabelValue {
  const property = dictionary.node(label.node)?.properties.find((p) => p.name === label.property);
  const hierarchical = property?.type === 'code' && property.codeSystem === 'ICD-10-CM';
  const whereProperty = label.where && dictionary.node(label.node)?.properties.find((p) => p.name === label.where!.property);
  const whereHierarchical = whereProperty !== undefined && whereProperty.type === 'code' && whereProperty.codeSystem === 'ICD-10-CM';
  const counted = new Map<string, boolean>();
  for (const record of records) {
    if (record.node !== label.node) continue;
    if (label.where && !matches(record.values[label.where.property], label.where.values, whereHierarchical)) continue;
    const value = record.values[label.property];
    if (value === undefined || value === '') continue;
    const positive = matches(value, label.positive, hierarchical);
    if (!positive && label.negative && !matches(value, label.negative, hierarchical)) continue;
    counted.set(record.casePseudonym, (counted.get(record.casePseudonym) ?? false) || positive);
  }
  return (casePseudonym) => {
    const seen = counted.get(casePseudonym);
    if (seen === undefined) return label.absent === 'negative' ? 'No' : 'unknown';
    return seen ? 'Yes' : 'No';
  };
}
