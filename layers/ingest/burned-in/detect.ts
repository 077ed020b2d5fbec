/**
 * The burned-in text check of one original: is it at risk (the project's policy), and if so, does
 * OCR of its rendered copy find a word that is one of its identifiers, a date, a name-like or an
 * ID-like token. The answer carries boxes and token classes only, never the text read.
 */
import { readDicomHeader, type DataSet } from '../../dicom';
import { ocrImageOf } from './image';
import { knownIdentifiersOf } from './known-identifiers';
import { OcrTimeout, recognizeWords, startOcr, type OcrBox, type OcrWord } from './ocr';
import { isAtRisk, type BurnedInTextPolicy } from './policy';
import { classifyToken, type TokenClass } from './tokens';
import type { KnownIdentifiers } from './known-identifiers';

/** A region of the image (original pixel coordinates) and what the text in it is. */
export interface TextRegion extends OcrBox {
  readonly classes: readonly TokenClass[];
}

/** Why a checked image is held for pixel review. */
export type BurnedInTextReason = 'text-in-pixels' | 'ocr-timeout' | 'ocr-failed';

export type BurnedInTextCheck =
  | { readonly status: 'not-at-risk' }
  | { readonly status: 'clear'; readonly ms: number }
  | { readonly status: 'held'; readonly reason: BurnedInTextReason; readonly regions: readonly TextRegion[]; readonly ms: number };

/** Words below this confidence are what Tesseract makes of anatomy and noise (45: bench burned-in, recall up from 60 with no false positive more). */
export const MIN_WORD_CONFIDENCE = 45;

const TAG = { SOPClassUID: '00080016', Modality: '00080060', ImageType: '00080008' } as const;

const strings = (dict: DataSet, tag: string): string[] =>
  ((dict as Record<string, { Value?: unknown[] } | undefined>)[tag]?.Value ?? []).filter((v): v is string => typeof v === 'string');

/** The regions whose words classify: first runs of a line's words read together (dates like `12 Mar 1985`), then single words. */
export function textRegions(words: readonly OcrWord[], known: KnownIdentifiers, factor: number): TextRegion[] {
  const confident = words.filter((w) => w.confidence >= MIN_WORD_CONFIDENCE);
  const regions: TextRegion[] = [];
  const scaled = (box: OcrBox): OcrBox => ({
    x: box.x * factor,
    y: box.y * factor,
    width: box.width * factor,
    height: box.height * factor,
  });
  const claimed = new Set<OcrWord>();
  const lines = new Map<number, OcrWord[]>();
  for (const word of confident) lines.set(word.line, [...(lines.get(word.line) ?? []), word]);
  for (const lineWords of lines.values()) {
    for (let size = 3; size >= 2; size--) {
      for (let i = 0; i + size <= lineWords.length; i++) {
        const run = lineWords.slice(i, i + size);
        if (run.some((w) => claimed.has(w))) continue;
        const cls = classifyToken(run.map((w) => w.text).join(' '), known);
        if (cls !== 'date' && cls !== 'known-identifier') continue;
        const x0 = Math.min(...run.map((w) => w.box.x));
        const y0 = Math.min(...run.map((w) => w.box.y));
        const x1 = Math.max(...run.map((w) => w.box.x + w.box.width));
        const y1 = Math.max(...run.map((w) => w.box.y + w.box.height));
        run.forEach((w) => claimed.add(w));
        regions.push({ ...scaled({ x: x0, y: y0, width: x1 - x0, height: y1 - y0 }), classes: [cls] });
      }
    }
  }
  for (const word of confident) {
    const cls = classifyToken(word.text, known);
    if (!cls || claimed.has(word)) continue;
    claimed.add(word);
    regions.push({ ...scaled(word.box), classes: [cls] });
  }
  return regions;
}

/**
 * Checks one original within the policy's budget. `original` is the file before de-identification
 * (its identifiers are what the pixels are compared with). Never throws for the pixels' sake: an
 * image that cannot be checked is held (ocr-failed), one that takes too long is held (ocr-timeout).
 */
export async function checkBurnedInText(original: Uint8Array, policy: BurnedInTextPolicy): Promise<BurnedInTextCheck> {
  let dict: DataSet;
  try {
    dict = readDicomHeader(original).dict;
  } catch {
    return { status: 'not-at-risk' }; // an unreadable file is the dicom.parses rule's to refuse
  }
  const atRisk = isAtRisk(
    {
      sopClassUid: strings(dict, TAG.SOPClassUID)[0] ?? '',
      modality: strings(dict, TAG.Modality)[0],
      imageType: strings(dict, TAG.ImageType),
    },
    policy,
  );
  if (!atRisk) return { status: 'not-at-risk' };
  try {
    await startOcr(); // once per process, outside the image's budget
  } catch {
    return { status: 'held', reason: 'ocr-failed', regions: [], ms: 0 };
  }
  const started = Date.now();
  const deadline = started + policy.budgetMs;
  const held = (reason: BurnedInTextReason, regions: readonly TextRegion[] = []): BurnedInTextCheck => ({
    status: 'held',
    reason,
    regions,
    ms: Date.now() - started,
  });
  try {
    const image = await ocrImageOf(original, policy.maxDimension, dict);
    if (Date.now() >= deadline) return held('ocr-timeout');
    const words = await recognizeWords(image, deadline);
    const regions = textRegions(words, knownIdentifiersOf(dict), image.factor);
    return regions.length > 0 ? held('text-in-pixels', regions) : { status: 'clear', ms: Date.now() - started };
  } catch (error) {
    return held(error instanceof OcrTimeout ? 'ocr-timeout' : 'ocr-failed');
  }
}
