/**
 * The independent check between de-identification and release: it shares no
 * code with the de-identifier (its own reader path, attribute list and byte
 * search), so a bug in one is not repeated in the other. It reports check
 * names and keywords, never values.
 */
import { DicomParseError } from '../errors';
import { scanPart10, type ScannedFile } from '../part10';
import { formatTag, groupOf, isPrivateGroup, TAG } from '../tags';
import { readText, textEncoding, topLevel } from '../values';
import { leaks, phiNeedles } from './needles';
import { PHI_ATTRIBUTES } from './phi-attributes';
import { pixelPayload } from './pixel-data';

export interface VerificationFailure {
  check: string;
  keyword?: string;
}

export interface VerificationResult {
  passed: boolean;
  checks: number;
  failures: VerificationFailure[];
}

class Tally {
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

function noPrivateElements(output: ScannedFile, tally: Tally): void {
  const privateKeys = [...output.meta, ...output.elements].filter((e) => isPrivateGroup(groupOf(e.key))).map((e) => e.key);
  tally.check(privateKeys.length === 0, 'no-private-elements');
  // One failure per private tag names what survived.
  for (const key of new Set(privateKeys)) tally.check(false, 'no-private-elements', formatTag(key));
}

function identityRemovedFlag(output: ScannedFile, tally: Tally): void {
  const flag = topLevel(output).get(TAG.PatientIdentityRemoved);
  tally.check(flag !== undefined && readText(output, flag) === 'YES', 'patient-identity-removed', 'PatientIdentityRemoved');
}

function attributesChanged(original: ScannedFile, output: ScannedFile, tally: Tally): void {
  const before = topLevel(original);
  const after = topLevel(output);
  const encBefore = textEncoding(original);
  const encAfter = textEncoding(output);
  for (const { keyword, key } of PHI_ATTRIBUTES) {
    const o = before.get(key);
    const value = o ? readText(original, o, encBefore) : '';
    if (value === '') continue;
    const n = after.get(key);
    tally.check(!n || readText(output, n, encAfter) !== value, 'attribute-changed', keyword);
  }
}

function noValueLeaks(original: ScannedFile, output: ScannedFile, tally: Tally): void {
  for (const needle of phiNeedles(original)) {
    tally.check(!leaks(output, needle), 'no-phi-bytes', needle.keyword);
  }
}

function pixelsUnchanged(original: ScannedFile, output: ScannedFile, tally: Tally): void {
  const before = pixelPayload(original);
  const after = pixelPayload(output);
  const same = before === undefined
    ? after === undefined
    : after !== undefined && before.encapsulated === after.encapsulated && before.bytes.equals(after.bytes);
  tally.check(same, 'pixel-data-unchanged', 'PixelData');
}

/**
 * Compares an original with its de-identified output. Throws DicomParseError
 * only when the original is unreadable; an unreadable output is a failed check.
 */
export function verifyDeidentified(original: Uint8Array, output: Uint8Array): VerificationResult {
  const before = scanPart10(original);
  const tally = new Tally();
  let after: ScannedFile;
  try {
    after = scanPart10(output);
    tally.check(true, 'output-parses');
  } catch (error) {
    if (!(error instanceof DicomParseError)) throw error;
    tally.check(false, 'output-parses');
    return tally.result();
  }
  noPrivateElements(after, tally);
  identityRemovedFlag(after, tally);
  attributesChanged(before, after, tally);
  noValueLeaks(before, after, tally);
  pixelsUnchanged(before, after, tally);
  return tally.result();
}
