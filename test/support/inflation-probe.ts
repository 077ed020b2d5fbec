/**
 * Runs one reader of hilum on a file in a fresh process and reports how it ended
 * and how much memory it took at its peak, as one JSON line on stdout:
 * `{ "error": name | null, "message": string, "peakMb": number }`.
 *
 * A fresh process because the peak resident set (getrusage maxrss) only ever
 * grows: in a test runner it would carry every earlier test's peak. The peak is
 * measured from the resident set once the file is read and the modules loaded.
 *
 *   node --require tsx/cjs test/support/inflation-probe.ts <reader> <file>
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { DEFAULT_INFLATION_POLICY, deidentify, parseDicom, verifyDeidentified } from '../../layers/dicom';
import { readDicomHeader } from '../../layers/dicom/dcmjs';
import { scanPart10 } from '../../layers/dicom/part10';
import { DEFAULT_QA_CONFIG, evaluateInstance } from '../../layers/qa';

const readers: Record<string, (bytes: Uint8Array) => unknown> = {
  /** What Parse does with a project on the default intake policy. */
  intake: (bytes) => parseDicom(bytes, { inflation: DEFAULT_INFLATION_POLICY }),
  /** Every other reader: the ceiling. */
  scan: (bytes) => scanPart10(bytes),
  deidentify: (bytes) => deidentify(bytes, { secret: 'a'.repeat(64), project: 'probe', site: 'probe-site' }).bytes,
  verify: (bytes) => verifyDeidentified(bytes, bytes),
  /** `hilum qa` and the check before `hilum upload`; a refusal is a finding, not an error. */
  'qa-original': (bytes) => {
    const evaluation = evaluateInstance(bytes, { config: DEFAULT_QA_CONFIG, phase: 'original' });
    const parses = evaluation.findings.find((f) => f.ruleId === 'dicom.parses');
    if (parses) throw Object.assign(new Error(parses.message), { name: 'Finding:dicom.parses' });
  },
  /** DICOMweb WADO-RS metadata. */
  metadata: (bytes) => readDicomHeader(bytes),
};

const [readerName = '', path = ''] = process.argv.slice(2);
const reader = readers[readerName];
if (!reader) throw new Error(`unknown reader ${readerName}`);
const bytes = new Uint8Array(readFileSync(path));
// Loading the modules (TypeScript compiled on the fly, cold caches) may have peaked higher than what is resident
// now; on Linux the peak is reset to the current resident set first, so only the reader's own peak is measured.
const peakReset = resetPeak();
const baselineKb = process.memoryUsage().rss / 1024;
let error: string | null = null;
let message = '';
try {
  reader(bytes);
} catch (thrown) {
  error = thrown instanceof Error ? thrown.name : 'non-error';
  message = thrown instanceof Error ? thrown.message : String(thrown);
}
const peakKb = (peakReset ? highWaterMarkKb() : undefined) ?? process.resourceUsage().maxRSS;
const peakMb = Math.round((peakKb - baselineKb) / 1024);
process.stdout.write(`${JSON.stringify({ error, message, peakMb })}\n`);

/** Resets this process's peak resident set (VmHWM) to its current one (Linux 4.0+); false where that is not possible. */
function resetPeak(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/** The peak resident set since the reset, in KB (getrusage's maxrss is not reset with it). */
function highWaterMarkKb(): number | undefined {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) : undefined;
}
