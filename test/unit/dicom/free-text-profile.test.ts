/**
 * The free-text decisions (layers/dicom/profiles/free-text.json): every row of
 * PS3.15 Table E.1-1 that an option would clean is decided, the page shows the
 * decisions as they are, and under the default profile the engine removes text
 * written about the patient while it still cleans acquisition descriptors; the
 * verifier fails an output that kept such text.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deidentify, DEFAULT_PROFILE, verifyDeidentified } from '../../../layers/dicom';
import { readDicomFile, writeDicomFile, type DataSet } from '../../../layers/dicom/dcmjs';
import table from '../../../layers/dicom/reference/ps3.15-annex-e.json';
import { FREE_TEXT_DECISIONS, freeTextTableMarkdown, type FreeTextDecision } from '../../../layers/dicom/profiles/free-text';
import { makeDicom } from '../../support/synthetic-dicom';
import { SECRET } from './helpers';

interface Row {
  tag: string;
  keyword: string | null;
  basic: string;
  options: Record<string, string | null>;
}
const ROWS = table as Row[];
const byTag = new Map(ROWS.map((r) => [r.tag, r]));

const OPTION_NAMES: Record<string, string> = {
  cleanDescriptors: 'Clean Descriptors',
  retainPatientCharacteristics: 'Retain Patient Characteristics',
};

/** "X; Clean Descriptors: C": the basic code, then the codes of the options that clean the row. */
function annexE(tag: string): string {
  const row = byTag.get(tag);
  if (!row) return '?';
  const options = Object.entries(OPTION_NAMES)
    .filter(([option]) => row.options[option] === 'C')
    .map(([, name]) => `${name}: C`);
  return [row.basic, ...options].join('; ');
}

const WHAT: Record<string, string> = { X: 'removed', Z: 'emptied', D: 'dummy value' };
function hilum(decision: FreeTextDecision): string {
  if (decision.action === 'clean') return 'C: kept, cleaned';
  const basic = byTag.get(decision.tag)?.basic ?? 'X';
  const code = basic.includes('X') ? 'X' : basic === 'Z/D' ? 'Z' : basic;
  return `${code}: ${WHAT[code] ?? code} (the option does not apply)`;
}

const DOC = join(__dirname, '../../../docs/deidentification.md');
const BEGIN = '<!-- free-text-decisions:begin (generated from layers/dicom/profiles/free-text.json; a test checks it) -->';
const END = '<!-- free-text-decisions:end -->';

describe('free-text decisions of the profile', () => {
  it('decides every Annex E row that Clean Descriptors or Retain Patient Characteristics would clean, and no other', () => {
    const cleaned = ROWS.filter((r) => r.options.cleanDescriptors === 'C' || r.options.retainPatientCharacteristics === 'C').map(
      (r) => r.tag,
    );
    expect(FREE_TEXT_DECISIONS.map((d) => d.tag)).toEqual(cleaned);
    for (const d of FREE_TEXT_DECISIONS) expect(d.keyword).toBe(byTag.get(d.tag)?.keyword);
  });

  it('removes the patient-level free text the issue names', () => {
    const removed = new Set(FREE_TEXT_DECISIONS.filter((d) => d.action === 'remove').map((d) => d.keyword));
    for (const keyword of [
      'PatientComments',
      'AdditionalPatientHistory',
      'Occupation',
      'IdentifyingComments',
      'PatientState',
      'MedicalAlerts',
      'Allergies',
      'SpecialNeeds',
      'PreMedication',
      'ReasonForStudy',
      'VisitComments',
      'StudyComments',
    ])
      expect(removed).toContain(keyword);
    const cleaned = new Set(FREE_TEXT_DECISIONS.filter((d) => d.action === 'clean').map((d) => d.keyword));
    for (const keyword of ['StudyDescription', 'SeriesDescription', 'ProtocolName', 'ImageComments', 'ContrastBolusAgent'])
      expect(cleaned).toContain(keyword);
  });

  it('is shown in docs/deidentification.md exactly as the data says', () => {
    const doc = readFileSync(DOC, 'utf8');
    const start = doc.indexOf(BEGIN);
    const end = doc.indexOf(END);
    expect(start).toBeGreaterThan(0);
    const shown = doc.slice(start + BEGIN.length, end).trim();
    const expected = freeTextTableMarkdown(annexE, hilum);
    if (shown !== expected) process.stdout.write(`${BEGIN}\n${expected}\n${END}\n`);
    expect(shown).toBe(expected);
  });
});

describe('under the default profile', () => {
  const patientText: DataSet = {
    '00104000': { vr: 'LT', Value: ['Patient prefers morning slots'] }, // PatientComments
    '001021B0': { vr: 'LT', Value: ['Smoker, prior lobectomy'] }, // AdditionalPatientHistory
    '00102180': { vr: 'SH', Value: ['Welder'] }, // Occupation
    '00084000': { vr: 'LT', Value: ['Twin of another patient'] }, // IdentifyingComments
    '00380500': { vr: 'LO', Value: ['Sedated'] }, // PatientState
    '00102000': { vr: 'LO', Value: ['Pacemaker'] }, // MedicalAlerts
    '00102110': { vr: 'LO', Value: ['Iodine'] }, // Allergies
    '00321030': { vr: 'LO', Value: ['Cough for three weeks'] }, // ReasonForStudy
    '00081030': { vr: 'LO', Value: ['CT CHEST W CONTRAST'] }, // StudyDescription
    '0008103E': { vr: 'LO', Value: ['AXIAL 5 mm'] }, // SeriesDescription
  };
  const original = makeDicom({ elements: patientText, privateBlock: false });

  it('removes text written about the patient and keeps the acquisition descriptors', () => {
    const out = readDicomFile(deidentify(original, { ...SECRET, profile: DEFAULT_PROFILE }).bytes).dict;
    for (const tag of ['00104000', '001021B0', '00102180', '00084000', '00380500', '00102000', '00102110', '00321030'])
      expect(out[tag]).toBeUndefined();
    expect(out['00081030']?.Value).toEqual(['CT CHEST W CONTRAST']);
    expect(out['0008103E']?.Value).toEqual(['AXIAL 5 mm']);
  });

  it('fails verification of an output that kept PatientComments', () => {
    const out = deidentify(original, { ...SECRET, profile: DEFAULT_PROFILE }).bytes;
    expect(verifyDeidentified(original, out).passed).toBe(true);
    const file = readDicomFile(out);
    file.dict['00104000'] = { vr: 'LT', Value: ['Patient prefers morning slots'] };
    const tampered = writeDicomFile(file);
    const result = verifyDeidentified(original, tampered);
    expect(result.passed).toBe(false);
    expect(result.failures).toContainEqual({ check: 'allowed-attributes', keyword: '(0010,4000)' });
  });
});
