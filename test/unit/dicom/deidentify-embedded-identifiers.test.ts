/**
 * A kept or cleaned text that holds one of the file's own UIDs or dates, even
 * inside a longer run of digits, is removed (issue 12, fuzz seed 20261206
 * #95458: a FrameOfReferenceUID with the study date inside it moved under a
 * kept SH). Text that merely has digits and dots is kept.
 */
import { deidentify, DEFAULT_PROFILE } from '../../../layers/dicom';
import { EmbeddedIdentifiers } from '../../../layers/dicom/deidentify/embedded-identifiers';
import { makeDicom, SYNTHETIC_PHI, SYNTHETIC_UIDS } from '../../support/synthetic-dicom';
import { includesBytes, SECRET } from './helpers';

const SOFTWARE_VERSIONS = '00181020'; // LO, kept (K) by the default profile
const STUDY_DESCRIPTION = '00081030'; // LO, cleaned (C) under Clean Descriptors

function run(elements: Record<string, { vr: string; Value: string[] }>) {
  return deidentify(makeDicom({ elements }), { ...SECRET, profile: DEFAULT_PROFILE });
}

describe('kept text holding a UID or date of the same file', () => {
  it("removes a kept text equal to one of the file's own UIDs", () => {
    const out = run({ [SOFTWARE_VERSIONS]: { vr: 'LO', Value: [SYNTHETIC_UIDS.study] } });

    expect(includesBytes(out.bytes, SYNTHETIC_UIDS.study)).toBe(false);
    expect(out.actionCounts['SoftwareVersions:identifier-moved']).toBe(1);
  });

  it("removes a kept text that contains one of the file's UIDs among other words", () => {
    const out = run({ [SOFTWARE_VERSIONS]: { vr: 'LO', Value: [`REF ${SYNTHETIC_UIDS.frameOfReference} V2`] } });

    expect(includesBytes(out.bytes, SYNTHETIC_UIDS.frameOfReference)).toBe(false);
    expect(out.actionCounts['SoftwareVersions:identifier-moved']).toBe(1);
  });

  it('removes a kept text that carries the study date inside a longer run of digits (a UID of another root with a timestamp)', () => {
    const moved = `1.3.6.1.4.1.5962.1.4.4.1.${SYNTHETIC_PHI.studyDate}185059.5457`;
    const out = run({ [SOFTWARE_VERSIONS]: { vr: 'LO', Value: [moved] } });

    expect(includesBytes(out.bytes, SYNTHETIC_PHI.studyDate)).toBe(false);
    expect(out.actionCounts['SoftwareVersions:identifier-moved']).toBe(1);
  });

  it('removes a cleaned description in which a date survives cleaning because it sits inside a run of digits', () => {
    const out = run({ [STUDY_DESCRIPTION]: { vr: 'LO', Value: [`CT HEAD ${SYNTHETIC_PHI.studyDate}185059`] } });

    expect(includesBytes(out.bytes, SYNTHETIC_PHI.studyDate)).toBe(false);
    // The cleaner now cuts a run of six digits or more out as an ID-like number (issue 18), before the moved-date check.
    expect(out.actionCounts['identifierInText:removed']).toBe(1);
  });

  it('still cleans a date on word boundaries out of a description and keeps the rest, as before', () => {
    const out = run({ [STUDY_DESCRIPTION]: { vr: 'LO', Value: [`CT HEAD ${SYNTHETIC_PHI.studyDate}`] } });

    expect(includesBytes(out.bytes, SYNTHETIC_PHI.studyDate)).toBe(false);
    expect(includesBytes(out.bytes, 'CT HEAD')).toBe(true);
    expect(out.actionCounts['StudyDescription:identifier-moved']).toBeUndefined();
  });

  it('keeps version numbers, standard DICOM UIDs and digits that hold no date or UID of the file', () => {
    const kept = ['V3.51*P25', '1.2.840.10008.5.1.4.1.1.2', '20991231.7', '2.16.840.1.113883.6.1'];
    for (const value of kept) {
      const out = run({ [SOFTWARE_VERSIONS]: { vr: 'LO', Value: [value] } });
      expect(includesBytes(out.bytes, value)).toBe(true);
      expect(out.actionCounts['SoftwareVersions:identifier-moved']).toBeUndefined();
    }
  });
});

describe('EmbeddedIdentifiers', () => {
  const bytes = (text: string): Uint8Array => Buffer.from(text, 'latin1');
  const find = (found: EmbeddedIdentifiers, text: string): boolean => found.foundIn(bytes(text), 0, text.length);

  it('finds dates (each value and both ends of a range) and non-standard UIDs anywhere in a run of digits and dots', () => {
    const found = new EmbeddedIdentifiers();
    found.addDates('20240315\\20200101-20201231');
    found.addDates('20240316101010.5+0100'); // a DT: its date
    found.addUids('1.2.826.0.1.3680043.8.498.7711.1\\1.2.840.10008.5.1.4.1.1.2\0');

    expect(found.size).toBe(5);
    for (const hit of ['x20240315y', '1.3.6.20200101123.4', '20201231', 'A20240316', 'REF 1.2.826.0.1.3680043.8.498.7711.12'])
      expect(find(found, hit)).toBe(true);
    for (const miss of ['2024031', '2024-03-15', '1.2.840.10008.5.1.4.1.1.2', '1.2.826.0.1.3680043.8.498.7711', '2024 0315'])
      expect(find(found, miss)).toBe(false);
  });

  it('ignores UIDs shorter than a date and finds nothing when it holds nothing', () => {
    const found = new EmbeddedIdentifiers();
    expect(find(found, '20240315')).toBe(false);
    found.addUids('1.2.3');
    expect(found.size).toBe(0);
  });

  it('searches decoded text by its ASCII digits and dots only', () => {
    const found = new EmbeddedIdentifiers();
    found.addDates('20240315');
    expect(found.foundInText('ÉTUDE 20240315123')).toBe(true);
    expect(found.foundInText('2024É0315')).toBe(false);
  });
});
