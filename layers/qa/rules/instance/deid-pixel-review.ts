import { declaresBurnedInAnnotation, describePixelReview, type PixelReviewReason, type PixelRiskInput } from '../../../dicom';
import { QA_TAG, type DatasetView } from '../../dataset-view';
import type { InstanceRule } from './rule';

/** The attributes the pixel-review decision reads, from a scanned instance (an original or hilum's copy: both keep them). */
export function pixelRiskOf(view: DatasetView): PixelRiskInput {
  const modality = view.optionalText(QA_TAG.Modality);
  const burnedInAnnotation = view.optionalText(QA_TAG.BurnedInAnnotation);
  return {
    sopClassUid: view.text(QA_TAG.SOPClassUID),
    ...(modality !== undefined && { modality }),
    ...(burnedInAnnotation !== undefined && { burnedInAnnotation }),
    imageType: view.text(QA_TAG.ImageType) === '' ? [] : view.text(QA_TAG.ImageType).split('\\'),
  };
}

/**
 * Pixels that may show identity wait for a curator, who may admit them from quarantine with a
 * written reason. The de-identifier's pixel-review decision says which triggers fired (burned-in
 * flag, Secondary Capture, an unmarked radiograph, ...): each is reported as it is, so the site
 * reads the real cause. Without the de-identifier's triggers (a copy checked again after release),
 * the file's own BurnedInAnnotation is read. A SOP class the project lists as high-risk is a
 * trigger of its own, except for an image Clean Pixel Data cleared: its tabled layout's regions were
 * blanked and OCR found no identifying text outside them (layers/ingest/clean-pixels.ts).
 */
export const deidPixelReview: InstanceRule = {
  id: 'deid.pixel-review',
  level: 'instance',
  defaultSeverity: 'quarantine',
  description: 'Burned-in annotation or a high-risk SOP class: pixels need review by a curator',
  overridable: true,
  offline: true,
  check: ({ view, deidOutcome, pixelReview, pixelsCleared, config }) => {
    const risk = view ? pixelRiskOf(view) : undefined;
    const declared: PixelReviewReason[] = risk && declaresBurnedInAnnotation(risk.burnedInAnnotation) ? ['burned-in-annotation'] : [];
    const reasons = pixelReview ?? declared;
    const found = describePixelReview(reasons, risk);
    if (deidOutcome === 'needs-pixel-review' && found.length === 0)
      found.push('de-identification asked for pixel review (no trigger recorded)');
    if (risk && !pixelsCleared && config.pixelReviewSopClasses.includes(risk.sopClassUid) && !reasons.includes('secondary-capture')) {
      found.push('the SOP class often carries burned-in text: pixels need review');
    }
    return found;
  },
};
