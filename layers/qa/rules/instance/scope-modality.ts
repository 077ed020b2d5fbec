import { QA_TAG } from '../../dataset-view';
import type { InstanceRule } from './rule';

/** The instance's Modality is one the project accepts (default CR, DX, CT; MR by configuration). */
export const scopeModality: InstanceRule = {
  id: 'scope.modality',
  level: 'instance',
  defaultSeverity: 'quarantine',
  description: "Modality is in the project's scope",
  overridable: false,
  offline: true,
  check: ({ view, config }) => {
    if (!view) return [];
    const modality = view.text(QA_TAG.Modality);
    if (modality === '') return ['Modality is missing'];
    return config.modalities.includes(modality) ? [] : [`Modality is not in the project's scope (${config.modalities.join(', ')})`];
  },
};
