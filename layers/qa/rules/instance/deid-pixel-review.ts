import { declaresBurnedInAnnotation } from '../../../dicom';
import { QA_TAG } from '../../dataset-view';
import type { InstanceRule } from './rule';

/**
 * Pixels that may show identity (BurnedInAnnotation YES, or a SOP class such as
 * Secondary Capture or ultrasound that usually carries burned-in text) wait for a
 * curator, who may admit them from quarantine with a written reason.
 */
export const deidPixelReview: InstanceRule = {
  id: 'deid.pixel-review',
  level: 'instance',
  defaultSeverity: 'quarantine',
  description: 'Burned-in annotation or a high-risk SOP class: pixels need review by a curator',
  overridable: true,
  offline: true,
  check: ({ view, deidOutcome, config }) => {
    const found: string[] = [];
    if (deidOutcome === 'needs-pixel-review' || (view && declaresBurnedInAnnotation(view.text(QA_TAG.BurnedInAnnotation)))) {
      found.push('BurnedInAnnotation is YES: pixels need review for burned-in identity');
    }
    if (view && config.pixelReviewSopClasses.includes(view.text(QA_TAG.SOPClassUID))) {
      found.push('the SOP class often carries burned-in text: pixels need review');
    }
    return found;
  },
};
