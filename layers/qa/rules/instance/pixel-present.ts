import { QA_TAG } from '../../dataset-view';
import type { InstanceRule } from './rule';

export const pixelPresent: InstanceRule = {
  id: 'pixel.present',
  level: 'instance',
  defaultSeverity: 'quarantine',
  description: 'The instance carries Pixel Data',
  overridable: false,
  offline: true,
  check: ({ view }) => (view && !view.has(QA_TAG.PixelData) ? ['no PixelData in the instance'] : []),
};
