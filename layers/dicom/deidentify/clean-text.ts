/**
 * Clean Descriptors, for real: a kept description or comment loses every
 * occurrence of the identifiers found in the same data set (patient name
 * components, IDs, accession, institution, physician and operator names, the
 * dates), matched case-insensitively on word boundaries. The rest of the text
 * stays, so "CHEST PA for DOE JANE" becomes "CHEST PA for".
 */
import type { TagKey } from '../tags';

/** Attributes whose values are identifiers to scrub from free text: `name` ones by component and word, `text` ones by word too, `id` and dates whole. */
export const IDENTIFIER_SOURCES: ReadonlyMap<TagKey, 'name' | 'id' | 'text'> = new Map([
  ['00100010', 'name'], // PatientName
  ['00101001', 'name'], // OtherPatientNames
  ['00101005', 'name'], // PatientBirthName
  ['00101060', 'name'], // PatientMotherBirthName
  ['00080090', 'name'], // ReferringPhysicianName
  ['00081048', 'name'], // PhysiciansOfRecord
  ['00081050', 'name'], // PerformingPhysicianName
  ['00081060', 'name'], // NameOfPhysiciansReadingStudy
  ['00081070', 'name'], // OperatorsName
  ['00321032', 'name'], // RequestingPhysician
  ['0040A123', 'name'], // PersonName
  ['00100020', 'id'], // PatientID
  ['00100021', 'id'], // IssuerOfPatientID
  ['00101000', 'id'], // OtherPatientIDs
  ['00101040', 'text'], // PatientAddress
  ['00101090', 'id'], // MedicalRecordLocator
  ['00102154', 'id'], // PatientTelephoneNumbers
  ['00080050', 'id'], // AccessionNumber
  ['00200010', 'id'], // StudyID
  ['00080080', 'text'], // InstitutionName
  ['00080081', 'text'], // InstitutionAddress
  ['00081040', 'text'], // InstitutionalDepartmentName
  ['00081010', 'text'], // StationName
  ['00181000', 'id'], // DeviceSerialNumber
]);

const MIN_COMPONENT = 2;
const MIN_TOKEN = 3;
const IDENTIFYING = /[\p{L}\p{N}]/u;

const SCRUBBED_LIMIT = 1024;

export class IdentifierScrubber {
  private readonly terms = new Set<string>();
  private pattern: RegExp | undefined | null = null;
  private readonly scrubbed = new Map<string, { text: string; removed: number }>();

  /** Adds one identifying value (as text) and its components or tokens. */
  add(value: string, kind: 'name' | 'id' | 'text' | 'date'): void {
    for (const one of value.split('\\')) {
      const whole = one.trim();
      if (whole.length >= MIN_COMPONENT && IDENTIFYING.test(whole)) this.terms.add(whole.toLowerCase());
      if (kind === 'date' || kind === 'id') continue;
      const parts = kind === 'name' ? whole.split(/[\^=]/) : whole.split(/[^\p{L}\p{N}]+/u);
      const min = kind === 'name' ? MIN_COMPONENT : MIN_TOKEN;
      for (const part of parts) {
        const p = part.trim();
        if (p.length >= min && IDENTIFYING.test(p)) this.terms.add(p.toLowerCase());
        // A name component holds words ("VAN DER BERG"): each word counts too.
        if (kind === 'name') for (const word of p.split(/\s+/)) if (word.length >= MIN_TOKEN && IDENTIFYING.test(word)) this.terms.add(word.toLowerCase());
      }
    }
    this.pattern = null;
    this.scrubbed.clear();
  }

  private regex(): RegExp | undefined {
    if (this.pattern === null) {
      const escaped = [...this.terms].sort((a, b) => b.length - a.length).map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      this.pattern = escaped.length ? new RegExp(`(?<![\\p{L}\\p{N}])(?:${escaped.join('|')})(?![\\p{L}\\p{N}])`, 'giu') : undefined;
    }
    return this.pattern;
  }

  /**
   * The text without any identifier; `removed` counts the occurrences taken out.
   * Remembered per text while the terms stay the same: the files of a series
   * repeat their descriptions, and one scrubber serves the series.
   */
  scrub(text: string): { text: string; removed: number } {
    let result = this.scrubbed.get(text);
    if (!result) {
      result = this.scrubNow(text);
      if (this.scrubbed.size >= SCRUBBED_LIMIT) this.scrubbed.clear();
      this.scrubbed.set(text, result);
    }
    return result;
  }

  private scrubNow(text: string): { text: string; removed: number } {
    const re = this.regex();
    if (!re) return { text, removed: 0 };
    let removed = 0;
    const out = text.replace(re, () => {
      removed += 1;
      return '';
    });
    if (removed === 0) return { text, removed };
    // Collapse the gaps left behind, per value of a multi-valued string.
    return { text: out.split('\\').map((v) => v.replace(/[ \t]{2,}/g, ' ').replace(/ +([.,;:!?)\]])/g, '$1').trim()).join('\\'), removed };
  }
}
