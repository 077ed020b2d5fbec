import type { PixelReviewReason } from '../../../dicom';
import type { QaConfig } from '../../config';
import type { DatasetView } from '../../dataset-view';
import type { RuleMeta } from '../../types';

/** What an instance rule may look at: the scanned copy (de-identified in the pipeline), never PHI it needs. */
export interface InstanceContext {
  /** Undefined when the bytes are not a readable Part 10 instance. */
  readonly view: DatasetView | undefined;
  /** The value-free reason the bytes could not be read. */
  readonly parseError?: string;
  readonly config: QaConfig;
  /** `deidentified` in the pipeline; `original` in `hilum qa` at a site, before upload. */
  readonly phase: 'deidentified' | 'original';
  /** What the de-identifier reported, when it ran. */
  readonly deidOutcome?: 'ok' | 'needs-pixel-review';
  /** What triggered needs-pixel-review, when the de-identifier ran (codes, never values). */
  readonly pixelReview?: readonly PixelReviewReason[];
  /** True when Clean Pixel Data blanked the image's tabled layout and OCR found no identifying text outside it. */
  readonly pixelsCleared?: boolean;
  /** The independent verifier's verdict, when it ran (its failed checks are keywords, not values). */
  readonly verification?: { readonly passed: boolean; readonly failedChecks: readonly string[] };
}

export interface InstanceRule extends RuleMeta {
  readonly level: 'instance';
  /** Value-free messages, one per problem; empty when the instance passes. */
  check(context: InstanceContext): readonly string[];
}
