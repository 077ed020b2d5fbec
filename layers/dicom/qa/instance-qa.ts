/**
 * Per-instance QA on a de-identified output. Each rule returns a finding or
 * nothing; the outcome is the worst severity. Messages name rules and
 * keywords, never values.
 */
import { DicomParseError } from '../errors';
import { scanPart10, type ScannedFile } from '../part10';
import { TAG } from '../tags';
import { readAscii, topLevel } from '../values';

export interface QaFinding {
  ruleId: string;
  severity: 'warn' | 'quarantine';
  message: string;
}

export interface QaResult {
  outcome: 'pass' | 'warn' | 'quarantine';
  findings: QaFinding[];
}

/** The modalities the commons accepts for now: radiographs (CR, DX), CT and MR. */
export const IN_SCOPE_MODALITIES: readonly string[] = ['CR', 'DX', 'CT', 'MR'];

interface QaInput {
  file: ScannedFile | undefined;
  deidOutcome: 'ok' | 'needs-pixel-review';
}

type Rule = (input: QaInput) => QaFinding | undefined;

function text(file: ScannedFile, key: string): string {
  const element = topLevel(file).get(key);
  return element ? readAscii(file, element) : '';
}

const rules: readonly Rule[] = [
  ({ deidOutcome }) =>
    deidOutcome === 'needs-pixel-review'
      ? { ruleId: 'deid.needs-pixel-review', severity: 'quarantine', message: 'BurnedInAnnotation is YES: pixels need review for burned-in identity' }
      : undefined,
  ({ file }) => {
    if (!file) return undefined;
    const modality = text(file, TAG.Modality);
    if (IN_SCOPE_MODALITIES.includes(modality)) return undefined;
    return {
      ruleId: 'modality.in-scope',
      severity: 'quarantine',
      message: modality === '' ? 'Modality is missing' : `Modality is not one of ${IN_SCOPE_MODALITIES.join(', ')}`,
    };
  },
  ({ file }) =>
    file && !file.elements.some((e) => e.depth === 0 && e.key === TAG.PixelData)
      ? { ruleId: 'pixel.present', severity: 'quarantine', message: 'no PixelData in the instance' }
      : undefined,
  ({ file }) => {
    if (!file) return { ruleId: 'uids.present', severity: 'quarantine', message: 'the instance could not be read' };
    const missing = [
      ['SOPInstanceUID', TAG.SOPInstanceUID],
      ['StudyInstanceUID', TAG.StudyInstanceUID],
      ['SeriesInstanceUID', TAG.SeriesInstanceUID],
    ].filter(([, key]) => text(file, key as string) === '').map(([keyword]) => keyword);
    return missing.length > 0 ? { ruleId: 'uids.present', severity: 'quarantine', message: `missing ${missing.join(', ')}` } : undefined;
  },
];

const RANK = { pass: 0, warn: 1, quarantine: 2 } as const;

export function runInstanceQa(output: Uint8Array, deidOutcome: 'ok' | 'needs-pixel-review'): QaResult {
  let file: ScannedFile | undefined;
  try {
    file = scanPart10(output);
  } catch (error) {
    if (!(error instanceof DicomParseError)) throw error;
    file = undefined;
  }
  const findings = rules.map((rule) => rule({ file, deidOutcome })).filter((f): f is QaFinding => f !== undefined);
  const outcome = findings.reduce<QaResult['outcome']>((worst, f) => (RANK[f.severity] > RANK[worst] ? f.severity : worst), 'pass');
  return { outcome, findings };
}
