/** Datasets for the QA rule tests: synthetic instances that pass every instance rule unless told otherwise. */
import type { DataSet } from '../../../layers/dicom/dcmjs';
import { evaluateInstance, loadQaConfig, type InstanceOptions, type QaConfigInput } from '../../../layers/qa';
import { makeDicom, type SyntheticDicomOptions } from '../../support/synthetic-dicom';

/** The CT Image module's Type 1 rescale attributes, which the synthetic CT leaves out. */
export const CT_RESCALE: DataSet = { '00281052': { vr: 'DS', Value: [0] }, '00281053': { vr: 'DS', Value: [1] } };

export function goodCt(options: SyntheticDicomOptions = {}): Uint8Array {
  return makeDicom({ ...options, elements: { ...CT_RESCALE, ...options.elements } });
}

export const config = (input: QaConfigInput = {}) => loadQaConfig(input);

/** Rule ids that fire on the bytes. */
export function firing(bytes: Uint8Array, options: InstanceOptions = {}): string[] {
  return evaluateInstance(bytes, options).findings.map((f) => f.ruleId);
}

export function messagesOf(bytes: Uint8Array, ruleId: string, options: InstanceOptions = {}): string[] {
  return evaluateInstance(bytes, options)
    .findings.filter((f) => f.ruleId === ruleId)
    .map((f) => f.message);
}
