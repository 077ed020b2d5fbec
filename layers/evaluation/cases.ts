/**
 * Which image of each sequestered case the model sees, and the case's label and subgroup
 * attributes. A case without the task's label (unknown) is left out and counted.
 */
import type { EvaluationSpec } from './spec';
import type { SubgroupAttribute } from './subgroups';

export interface CandidateInstance {
  readonly studyUid: string;
  readonly seriesUid: string;
  readonly sopUid: string;
  readonly objectKey: string;
  readonly modality?: string;
  readonly instanceNumber?: number;
  readonly manufacturer?: string;
}

/** A sequestered case as the split records it (layers/catalog/sequestration's LedgerCase fits). */
export interface SequesteredCase {
  readonly caseId: string;
  readonly site: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** One case of an evaluation: kept in the private location, never returned. */
export interface EvaluationCase {
  readonly caseIndex: number;
  readonly objectKey: string;
  readonly label: boolean;
  readonly attributes: Readonly<Partial<Record<SubgroupAttribute, string>>>;
}

const UNKNOWN = 'unknown';

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Of the case's series of the declared modality (the first by study then series UID), its
 * first or middle instance by Instance Number (then SOP Instance UID).
 */
export function chooseInstance(instances: readonly CandidateInstance[], series: EvaluationSpec['series']): CandidateInstance | undefined {
  const ofModality = instances.filter((i) => i.modality === series.modality);
  if (ofModality.length === 0) return undefined;
  const first = [...ofModality].sort((a, b) => byText(a.studyUid, b.studyUid) || byText(a.seriesUid, b.seriesUid))[0]!;
  const inSeries = ofModality
    .filter((i) => i.studyUid === first.studyUid && i.seriesUid === first.seriesUid)
    .sort((a, b) => (a.instanceNumber ?? 0) - (b.instanceNumber ?? 0) || byText(a.sopUid, b.sopUid));
  return series.instance === 'first' ? inSeries[0] : inSeries[Math.floor((inSeries.length - 1) / 2)];
}

const known = (value: string | undefined): string | undefined => (value === undefined || value === UNKNOWN ? undefined : value);

/** The case's label for the task: true, false, or undefined when the case has no answer. */
export function caseLabel(caseRecord: SequesteredCase, task: EvaluationSpec['task']): boolean | undefined {
  const value = known(caseRecord.attributes[task.label]);
  return value === undefined ? undefined : value === task.positive;
}

export function evaluationCase(
  caseIndex: number,
  caseRecord: SequesteredCase,
  instance: CandidateInstance,
  label: boolean,
): EvaluationCase {
  const attributes: Partial<Record<SubgroupAttribute, string>> = {};
  const put = (attribute: SubgroupAttribute, value: string | undefined): void => {
    const v = known(value);
    if (v !== undefined) attributes[attribute] = v;
  };
  put('sex', caseRecord.attributes.sex);
  put('race', caseRecord.attributes.race);
  put('ethnicity', caseRecord.attributes.ethnicity);
  put('ageBin', caseRecord.attributes.ageBand);
  put('site', caseRecord.site);
  put('manufacturer', instance.manufacturer);
  return { caseIndex, objectKey: instance.objectKey, label, attributes };
}
