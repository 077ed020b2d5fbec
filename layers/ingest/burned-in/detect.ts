/**
 * The burned-in text check of one original: is it at risk (the project's policy), and if so, does
 * OCR of its rendered copy find a word that is one of its identifiers, a date, a name-like or an
 * ID-like token. The answer carries boxes and token classes only, never the text read.
 */
import { headerStringsAsDcmjs, readDicomHeader, type DataSet } from '../../dicom';
import { CheckBudget, threadsClock, type CheckClock } from './budget';
import { pageToRead } from './ink-crops';
import { inkPageOf } from './ink-page';
import { knownIdentifiersOf } from './known-identifiers';
import { ocrThreadsCpuMs, OcrTimeout, recognizeWords, startOcr, type OcrBox, type OcrWord } from './ocr';
import { isAtRisk, type AtRiskInput, type BurnedInTextPolicy } from './policy';
import { withScratch, type CheckScratch } from './scratch';
import { classifyToken, normalizeToken, type TokenClass } from './tokens';
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
/**
 * A longer word (MIN_CHARACTERS letters and digits) whose every character Tesseract is this sure of
 * is read too, whatever its dictionary-weighed word confidence (names and IDs are never in the
 * dictionary). Short words are not: on unflattened anatomy Tesseract reads `Ee`, `al`, `FE` with
 * sure characters (bench burned-in: 25 of 50 clean images would be held at 80 without the length).
 */
export const MIN_CHARACTER_CONFIDENCE = 80;
export const MIN_CHARACTERS = 6;

function isConfident(word: OcrWord): boolean {
  if (word.confidence >= MIN_WORD_CONFIDENCE) return true;
  return (word.characterConfidence ?? 0) >= MIN_CHARACTER_CONFIDENCE && normalizeToken(word.text).length >= MIN_CHARACTERS;
}

const TAG = { SOPClassUID: '00080016', Modality: '00080060', ImageType: '00080008' } as const;

/** What the policy decides on, from an attribute's string values (dcmjs's `Value`, its strings only). */
function atRiskInput(values: (tag: string) => readonly string[]): AtRiskInput {
  return { sopClassUid: values(TAG.SOPClassUID)[0] ?? '', modality: values(TAG.Modality)[0], imageType: values(TAG.ImageType) };
}

const AT_RISK_VRS = { [TAG.SOPClassUID]: 'UI', [TAG.Modality]: 'CS', [TAG.ImageType]: 'CS' } as const;

const strings = (dict: DataSet, tag: string): string[] =>
  ((dict as Record<string, { Value?: unknown[] } | undefined>)[tag]?.Value ?? []).filter((v): v is string => typeof v === 'string');

/** The regions whose words classify: first runs of a line's words read together (dates like `12 Mar 1985`), then single words. */
export function textRegions(words: readonly OcrWord[], known: KnownIdentifiers, factor: number): TextRegion[] {
  const confident = words.filter(isConfident);
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

let turn: Promise<unknown> = Promise.resolve();
/** Runs checks one after another: the thread has one OCR worker, and a check's CPU budget is then its own CPU (budget.ts). */
function oneAtATime<T>(work: () => Promise<T>): Promise<T> {
  const mine = turn.then(work);
  turn = mine.catch(() => undefined);
  return mine;
}

/**
 * Checks one original within the policy's budget (CPU time, see budget.ts; `clock` is the check's own
 * threads', the calling one and the OCR worker's, unless a test gives its own). `original` is the file before de-identification (its identifiers
 * are what the pixels are compared with). Never throws for the pixels' sake: an image that cannot
 * be checked is held (ocr-failed), one that takes too long is held (ocr-timeout).
 */
export async function checkBurnedInText(
  original: Uint8Array,
  policy: BurnedInTextPolicy,
  clock: CheckClock = threadsClock(ocrThreadsCpuMs),
): Promise<BurnedInTextCheck> {
  // Most images are not at risk (a CT slice): their three values read by the walker, exactly as dcmjs would give them,
  // spare dcmjs's read of the whole header (~0.2 ms per CT slice). A file the walker cannot vouch for is read as before.
  const alike = headerStringsAsDcmjs(original, AT_RISK_VRS);
  const seen = alike && atRiskInput((tag) => alike.get(tag) ?? []);
  if (seen && !isAtRisk(seen, policy)) return { status: 'not-at-risk' };
  let dict: DataSet;
  try {
    dict = readDicomHeader(original).dict;
  } catch {
    return { status: 'not-at-risk' }; // an unreadable file is the dicom.parses rule's to refuse
  }
  const atRisk = isAtRisk(
    atRiskInput((tag) => strings(dict, tag)),
    policy,
  );
  if (!atRisk) return { status: 'not-at-risk' };
  // The scratch is held until OCR is done with the page, which may be the ink page itself.
  return oneAtATime(() => withScratch((scratch) => checkPixels(original, dict, policy, clock, scratch)));
}

/** The check of an at-risk original's pixels, its large arrays in `scratch`. */
async function checkPixels(
  original: Uint8Array,
  dict: DataSet,
  policy: BurnedInTextPolicy,
  clock: CheckClock,
  scratch: CheckScratch,
): Promise<BurnedInTextCheck> {
  const budget = new CheckBudget(policy.budgetMs, clock);
  const held = (reason: BurnedInTextReason, regions: readonly TextRegion[] = []): BurnedInTextCheck => ({
    status: 'held',
    reason,
    regions,
    ms: Math.round(budget.wallSpentMs()),
  });
  try {
    const ink = await inkPageOf(original, policy.maxDimension, dict, scratch);
    const page = pageToRead(ink, scratch);
    if (budget.overrun()) return held('ocr-timeout');
    // A page without ink that could be text holds no text: Tesseract is not asked, nor its worker started.
    if (!page.image) return { status: 'clear', ms: Math.round(budget.wallSpentMs()) };
    try {
      await budget.excluding(startOcr); // once per process, outside the image's budget
    } catch {
      return held('ocr-failed');
    }
    const read = await recognizeWords(page.image, budget);
    const words = read.map((word) => ({ ...word, box: page.toInkPage(word.box) }));
    const regions = textRegions(words, knownIdentifiersOf(dict), ink.factor);
    return regions.length > 0 ? held('text-in-pixels', regions) : { status: 'clear', ms: Math.round(budget.wallSpentMs()) };
  } catch (error) {
    return held(error instanceof OcrTimeout ? 'ocr-timeout' : 'ocr-failed');
  }
}
