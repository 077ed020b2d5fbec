/**
 * The independent check between de-identification and release: it shares no
 * decision with the de-identifier (its own attribute list, allow-list
 * computation, dates, needles and match rules), only DATA (the Annex E table,
 * the keep-list, the safe private list and the profile), so a bug in one is not
 * repeated in the other. The one code both use is the generic multi-pattern
 * automaton (../text/multi-pattern.ts), tested against a naive search on its
 * own and, here, against the per-needle search it replaced.
 * It reports check names and keywords, never values.
 */
import { bytesEqual } from '../../common/bytes';
import { DicomParseError } from '../errors';
import { scanPart10, type ScannedFile } from '../part10';
import { DEFAULT_PROFILE, type DeidProfile } from '../profiles';
import { elementOf, formatTag, groupOf, isPrivateGroup, TAG } from '../tags';
import { readText, textEncoding, topLevel } from '../values';
import { allowListFor, META_ALLOWED, VENDOR_DESCRIPTORS, type AllowList } from './allow-list';
import { identifiersInText } from './free-text';
import { leakedNeedles } from './leak-search';
import { elementPaths, lowerAscii, phiNeedles, type Haystack, type Region } from './needles';
import { PHI_ATTRIBUTES } from './phi-attributes';
import { cleanPixelsFailures, recordsCleanPixelData } from './clean-pixels';
import { pixelPayload } from './pixel-data';
import { malformedValues } from './value-forms';
import { misplacedElements } from './vr-check';

export interface VerificationFailure {
  check: string;
  keyword?: string;
}

export interface VerificationResult {
  passed: boolean;
  checks: number;
  failures: VerificationFailure[];
}

export class Tally {
  checks = 0;
  readonly failures: VerificationFailure[] = [];
  private readonly seen = new Set<string>();

  check(ok: boolean, check: string, keyword?: string): void {
    this.checks += 1;
    const id = `${check}\0${keyword ?? ''}`;
    if (!ok && !this.seen.has(id)) {
      this.seen.add(id);
      this.failures.push(keyword === undefined ? { check } : { check, keyword });
    }
  }

  result(): VerificationResult {
    return { passed: this.failures.length === 0, checks: this.checks, failures: this.failures };
  }
}

/** Every element of the output, at any depth, must be one the profile allows. */
function onlyAllowedAttributes(output: ScannedFile, allow: AllowList, tally: Tally): void {
  for (const e of output.meta) tally.check(META_ALLOWED.has(e.key), 'allowed-attributes', formatTag(e.key));
  const creators = new Map<string, string>();
  output.elements.forEach((e) => {
    const group = groupOf(e.key);
    const element = elementOf(e.key);
    if (isPrivateGroup(group) && element >= 0x10 && element <= 0xff)
      creators.set(`${e.parent}|${e.item}|${group}|${element}`, readText(output, e).trim().toUpperCase());
  });
  let privateCount = 0;
  output.elements.forEach((e) => {
    const group = groupOf(e.key);
    const element = elementOf(e.key);
    if (!isPrivateGroup(group)) {
      tally.check(allow.public.has(e.key), 'allowed-attributes', formatTag(e.key));
      return;
    }
    let safe = false;
    if (allow.retainSafePrivate && e.itemCount === undefined) {
      if (element >= 0x10 && element <= 0xff) safe = allow.safeCreators.has(`${group}|${readText(output, e).trim().toUpperCase()}`);
      else if (element > 0xff) {
        const creator = creators.get(`${e.parent}|${e.item}|${group}|${element >> 8}`);
        safe = creator !== undefined && allow.safePrivate.has(`${group}|${creator}|${element & 0xff}`);
      }
    }
    if (!safe) privateCount += 1;
    tally.check(safe, 'no-private-elements', safe ? undefined : formatTag(e.key));
  });
  if (privateCount > 0) tally.check(false, 'no-private-elements');
}

/** Every explicit VR of a public element, at any depth, is one the data dictionary allows for its tag (or UN). */
function vrsMatchDictionary(output: ScannedFile, tally: Tally): void {
  misplacedElements(output).forEach((misplaced, i) => {
    const e = output.elements[i];
    if (e) tally.check(!misplaced, 'vr-matches-dictionary', misplaced ? formatTag(e.key) : undefined);
  });
}

/**
 * Every value of a public element, at any depth, takes its VR's form (CS, DS, IS, UI and TM characters and lengths;
 * binary VRs a whole number of values, one for a VM 1 attribute): a value that does not is one moved under the tag.
 */
function valuesTakeTheirForm(output: ScannedFile, tally: Tally): void {
  malformedValues(output).forEach((malformed, i) => {
    const e = output.elements[i];
    if (e) tally.check(!malformed, 'values-take-vr-form', malformed ? formatTag(e.key) : undefined);
  });
}

function identityRemovedFlag(output: ScannedFile, tally: Tally): void {
  const flag = topLevel(output).get(TAG.PatientIdentityRemoved);
  tally.check(flag !== undefined && readText(output, flag) === 'YES', 'patient-identity-removed', 'PatientIdentityRemoved');
}

function attributesChanged(original: ScannedFile, output: ScannedFile, profile: DeidProfile, tally: Tally): void {
  const before = topLevel(original);
  const after = topLevel(output);
  const encBefore = textEncoding(original);
  const encAfter = textEncoding(output);
  for (const { keyword, key, compare, retainedBy } of PHI_ATTRIBUTES) {
    if (!compare || (retainedBy && profile.options[retainedBy])) continue;
    const o = before.get(key);
    const value = o ? readText(original, o, encBefore) : '';
    if (value === '') continue;
    const n = after.get(key);
    tally.check(!n || readText(output, n, encAfter) !== value, 'attribute-changed', keyword);
  }
}

interface Valued {
  paths: string[];
  values: Map<string, string>;
  /** Paths of values that are not what their tag names: person names (PN) and values whose VR the dictionary does not allow for the tag. */
  foreign: Set<string>;
}

function valuesByPath(file: ScannedFile): Valued {
  const paths = elementPaths(file);
  const values = new Map<string, string>();
  const foreign = new Set<string>();
  const encoding = textEncoding(file);
  const misplaced = misplacedElements(file);
  file.elements.forEach((e, i) => {
    if (e.key !== TAG.PixelData && e.itemCount === undefined && e.valueEnd - e.valueStart <= 1024)
      values.set(paths[i] as string, readText(file, e, encoding));
    if (e.vr === 'PN' || misplaced[i]) foreign.add(paths[i] as string);
  });
  return { paths, values, foreign };
}

/** Dates by VR, wherever they are: an output DA/DT equal to the original's at the same place was not shifted. */
function datesShifted(output: ScannedFile, out: Valued, orig: Valued, profile: DeidProfile, tally: Tally): void {
  if (profile.options.retainLongitudinalFullDates) return;
  output.elements.forEach((e, i) => {
    if (e.vr !== 'DA' && e.vr !== 'DT') return;
    const path = out.paths[i] as string;
    const before = orig.values.get(path);
    const after = out.values.get(path);
    tally.check(!before || before.trim() === '' || before !== after, 'dates-shifted', formatTag(e.key));
  });
}

function haystacks(output: ScannedFile, out: Valued, orig: Valued): Haystack[] {
  const exempt: Region[] = [];
  const changedDates: Region[] = [];
  output.elements.forEach((e, i) => {
    const path = out.paths[i] as string;
    const region = { start: e.valueStart, end: e.valueEnd };
    // A vendor descriptor is excused only when it was one in the original: a name written there as PN is not.
    if (VENDOR_DESCRIPTORS.has(e.key) && !orig.foreign.has(path) && orig.values.get(path) === out.values.get(path)) exempt.push(region);
    if ((e.vr === 'DA' || e.vr === 'DT') && orig.values.get(path) !== out.values.get(path)) changedDates.push(region);
  });
  const pixel = output.elements.find((e) => e.depth === 0 && e.key === TAG.PixelData);
  const cut = (source: Uint8Array, start: number, end: number, regions: boolean): Haystack => {
    const shift = (r: Region): Region => ({ start: r.start - start, end: r.end - start });
    return {
      bytes: lowerAscii(source.subarray(start, end)),
      exempt: regions ? exempt.map(shift) : [],
      changedDates: regions ? changedDates.map(shift) : [],
    };
  };
  const data = output.dataSet;
  const pieces = pixel
    ? [cut(data, 0, pixel.valueStart, true), cut(data, pixel.valueEnd, data.byteLength, true)]
    : [cut(data, 0, data.byteLength, true)];
  // A deflated file's File Meta lies outside its inflated data set.
  if (output.dataSet !== output.bytes) {
    const metaEnd = output.meta.reduce((end, e) => Math.max(end, e.valueEnd), 132);
    pieces.push(cut(output.bytes, 0, metaEnd, false));
  }
  return pieces;
}

function noValueLeaks(original: ScannedFile, output: ScannedFile, out: Valued, orig: Valued, profile: DeidProfile, tally: Tally): void {
  const needles = phiNeedles(original, profile);
  // All needles in one pass per haystack: one search per needle took needles times header bytes.
  const leaked = leakedNeedles(haystacks(output, out, orig), needles);
  needles.forEach((needle, i) => tally.check(!leaked[i], 'no-phi-bytes', needle.keyword));
}

/** Kept text holds no identifier in another form: a phone number, an unshifted written date, a name in other letter case (free-text.ts). */
function noIdentifierInText(original: ScannedFile, output: ScannedFile, profile: DeidProfile, tally: Tally): void {
  const kinds = identifiersInText(original, output, allowListFor(profile));
  if (kinds.length === 0) tally.check(true, 'no-identifier-in-text');
  for (const kind of kinds) tally.check(false, 'no-identifier-in-text', kind);
}

/**
 * The pixels are the original's, byte for byte; or, for a copy that records the Clean Pixel Data Option (113101),
 * the original's except exactly the blanked regions of the layout the original's device matches (clean-pixels.ts).
 */
function pixelsUnchanged(original: ScannedFile, output: ScannedFile, tally: Tally, decodedOriginal?: ScannedFile): void {
  if (recordsCleanPixelData(output)) {
    const failed = cleanPixelsFailures(original, output, decodedOriginal);
    tally.check(!failed.includes('clean-pixel-data-layout'), 'clean-pixel-data-layout', 'DeidentificationMethodCodeSequence');
    tally.check(!failed.includes('clean-pixel-data-blank'), 'clean-pixel-data-blank', 'PixelData');
    tally.check(!failed.includes('pixel-data-unchanged'), 'pixel-data-unchanged', 'PixelData');
    return;
  }
  const before = pixelPayload(original);
  const after = pixelPayload(output);
  const same =
    before === undefined
      ? after === undefined
      : after !== undefined && before.encapsulated === after.encapsulated && bytesEqual(before.bytes, after.bytes);
  tally.check(same, 'pixel-data-unchanged', 'PixelData');
}

/**
 * The checks that need only the output, which both verifications (this one and the site's, site.ts) run first:
 * it parses, holds only what the profile allows, its VRs are the dictionary's (a value under another attribute's
 * tag, a name as "Manufacturer" PN, is not what hilum's engine leaves), its values take their VR's form, and it is
 * marked de-identified. The parsed output, or undefined when it does not parse (tallied as a failure).
 */
export function outputShapeChecked(output: Uint8Array, profile: DeidProfile, tally: Tally): ScannedFile | undefined {
  let file: ScannedFile;
  try {
    file = scanPart10(output);
  } catch (error) {
    if (!(error instanceof DicomParseError)) throw error;
    tally.check(false, 'output-parses');
    return undefined;
  }
  tally.check(true, 'output-parses');
  onlyAllowedAttributes(file, allowListFor(profile), tally);
  vrsMatchDictionary(file, tally);
  valuesTakeTheirForm(file, tally);
  identityRemovedFlag(file, tally);
  return file;
}

/**
 * Compares an original with its de-identified output under the profile it was
 * de-identified with (default: the default profile). Throws DicomParseError
 * only when the original is unreadable; an unreadable output is a failed check.
 */
export function verifyDeidentified(
  original: Uint8Array,
  output: Uint8Array,
  profile: DeidProfile = DEFAULT_PROFILE,
  /** The original written as Explicit VR Little Endian, for a cleaned copy of an original whose pixels are not native little endian. */
  decodedOriginal?: Uint8Array,
): VerificationResult {
  const before = scanPart10(original);
  const tally = new Tally();
  const after = outputShapeChecked(output, profile, tally);
  if (after === undefined) return tally.result();
  const orig = valuesByPath(before);
  const out = valuesByPath(after);
  attributesChanged(before, after, profile, tally);
  datesShifted(after, out, orig, profile, tally);
  noValueLeaks(before, after, out, orig, profile, tally);
  noIdentifierInText(before, after, profile, tally);
  pixelsUnchanged(before, after, tally, decodedOriginal ? scanPart10(decodedOriginal) : undefined);
  return tally.result();
}
