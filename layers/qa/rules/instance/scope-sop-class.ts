import { QA_TAG } from '../../dataset-view';
import { SOP_CLASSES_BY_MODALITY } from '../../iod-tables';
import type { InstanceRule } from './rule';

/** The SOP class is an image storage class of a modality in scope (e.g. not Secondary Capture labelled DX). */
export const scopeSopClass: InstanceRule = {
  id: 'scope.sop-class',
  level: 'instance',
  defaultSeverity: 'quarantine',
  description: "SOP Class UID is an image storage class of a modality in the project's scope",
  overridable: false,
  offline: true,
  check: ({ view, config }) => {
    if (!view) return [];
    const sopClass = view.text(QA_TAG.SOPClassUID);
    const allowed = config.modalities.flatMap((m) => SOP_CLASSES_BY_MODALITY[m] ?? []);
    return allowed.includes(sopClass) ? [] : ["SOPClassUID is not an image storage class of the project's modalities"];
  },
};
