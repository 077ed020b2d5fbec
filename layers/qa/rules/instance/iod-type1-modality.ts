import { QA_TAG } from '../../dataset-view';
import { TYPE1_BY_MODALITY } from '../../iod-tables';
import type { InstanceRule } from './rule';
import { type1Problems } from './type1-check';

/** Type 1 attributes of the modality's own image modules (CT Image, MR Image, DX Image, Image Plane, ...). */
export const iodType1Modality: InstanceRule = {
  id: 'iod.type1-modality',
  level: 'instance',
  defaultSeverity: 'warn',
  description:
    "Type 1 attributes of the modality's image modules (CT/MR/DX Image, Image Plane, Frame of Reference, DX Detector) are present and valid",
  overridable: true,
  offline: true,
  check: ({ view }) => {
    if (!view) return [];
    const table = TYPE1_BY_MODALITY[view.text(QA_TAG.Modality)];
    return table ? type1Problems(view, table) : [];
  },
};
