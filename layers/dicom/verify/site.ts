/**
 * Verification of a file a site de-identified itself (`hilum upload
 * --deid-at-site`, `hilum gateway`): the commons never sees the original, so
 * nothing can be compared with it. What can be checked is the shape hilum's
 * engine leaves: only attributes the profile allows, no private element beyond
 * the safe list, the identity-removed marking naming this profile, keyed
 * pseudonyms for the patient, and every identifying UID remapped into the
 * `2.25.` root. The trust boundary for the values themselves moves to the site,
 * which runs the same engine with the project's secret.
 */
import table from '../reference/ps3.15-annex-e.json';
import type { DeidProfile } from '../profiles';
import { formatTag, TAG, type TagKey } from '../tags';
import { trimEndOf } from '../text/trim';
import { readText, topLevel } from '../values';
import { outputShapeChecked, Tally, type VerificationResult } from './index';

const PSEUDONYM = /^HILUM-[0-9A-F]{16}$/;
const DEIDENTIFICATION_METHOD: TagKey = '00120063';

/** Attributes whose UIDs the Basic profile replaces (U, or a combined code offering U). */
const REMAPPED_UIDS: ReadonlySet<TagKey> = new Set(
  (table as ReadonlyArray<{ tag: string; kind: string; basic: string }>)
    .filter((row) => row.kind === 'exact' && row.basic.split('/').includes('U'))
    .map((row) => row.tag.replace(/[(),]/g, '').toUpperCase()),
);

/**
 * `expectedKeyFingerprint` (the project's, computed by the caller with its secret)
 * makes a file de-identified with another secret fail: its pseudonyms and UIDs
 * would not join the project's data.
 */
export function verifySiteDeidentified(output: Uint8Array, profile: DeidProfile, expectedKeyFingerprint?: string): VerificationResult {
  const tally = new Tally();
  const file = outputShapeChecked(output, profile, tally);
  if (file === undefined) return tally.result();
  const top = topLevel(file);
  const method = top.get(DEIDENTIFICATION_METHOD);
  const methods = method
    ? readText(file, method)
        .split('\\')
        .map((v) => v.trim())
    : [];
  tally.check((methods[0] ?? '').startsWith(`hilum ${profile.name} `), 'deidentified-with-profile', 'DeidentificationMethod');
  if (expectedKeyFingerprint !== undefined)
    tally.check(methods.includes(`hilum key ${expectedKeyFingerprint}`), 'project-key', 'DeidentificationMethod');
  for (const [tag, keyword] of [
    [TAG.PatientID, 'PatientID'],
    [TAG.PatientName, 'PatientName'],
  ] as const) {
    const element = top.get(tag);
    tally.check(element !== undefined && PSEUDONYM.test(readText(file, element).trim()), 'patient-pseudonym', keyword);
  }
  for (const element of file.elements) {
    if (element.vr !== 'UI' || !REMAPPED_UIDS.has(element.key)) continue;
    const values = trimEndOf(readText(file, element), '\0')
      .split('\\')
      .map((v) => v.trim())
      .filter(Boolean);
    tally.check(
      values.every((v) => v.startsWith('2.25.')),
      'uids-remapped',
      formatTag(element.key),
    );
  }
  return tally.result();
}
