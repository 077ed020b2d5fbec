/**
 * Text burned into pixels, found by OCR (issue 18): which images are checked, what counts as
 * identifying text, and the check itself. Boxes and token classes leave here, never text.
 * The ink page's rows run in WebAssembly SIMD where the runtime has it (ink-row-simd.ts; HILUM_INK_WASM=0 keeps JS).
 */
export { DEFAULT_BURNED_IN_TEXT_POLICY, isAtRisk, type AtRiskInput, type BurnedInTextPolicy } from './policy';
export { classifyToken, looksLikeDate, normalizeToken, type TokenClass } from './tokens';
export { knownIdentifiersOf, NO_KNOWN_IDENTIFIERS, type KnownIdentifiers } from './known-identifiers';
export {
  checkBurnedInText,
  textRegions,
  MIN_WORD_CONFIDENCE,
  type BurnedInTextCheck,
  type BurnedInTextReason,
  type TextRegion,
} from './detect';
export { stopOcr, OCR_LANG_DIR } from './ocr';
