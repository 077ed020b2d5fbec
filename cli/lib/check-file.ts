/**
 * The offline check of one file (`hilum qa`, `hilum upload`'s check), the same on the main thread and in a
 * check worker (cli/lib/check-lanes.ts): the pipeline's per-file decision, and the facts the study rules need.
 */
import { ReusedMemory, type Lease } from '../../layers/common/reused-memory';
import { DicomParseError, scanPart10 } from '../../layers/dicom';
import { processInstanceWithPixelCheck, type ProjectKey } from '../../layers/ingest/process-instance';
import { DatasetView, type Finding, type QaConfig } from '../../layers/qa';
import { noteFacts, type NotedFacts } from './folder-facts';

/** One file's outcome: its findings (named by its relative path) and, when it parses, its study facts. */
export interface CheckedFile {
  readonly findings: Finding[];
  readonly facts?: NotedFacts;
}

/**
 * The memory each file's de-identified copy is joined into, in this thread (the main thread or a check worker, each
 * checking one file at a time), given back when the file's check ends: a folder of 10 MB radiographs reuses one
 * buffer instead of a new one per file.
 */
export const keptCopies = new ReusedMemory({ keep: 1, largest: 64 * 1024 * 1024 });

/**
 * The ingest workflow's per-file decision on an original, composed (`processInstanceWithPixelCheck`:
 * the burned-in text check of an at-risk image, read within the project's inflation policy,
 * de-identify, verify, the instance rules on the copy with the de-identifier's pixel-review
 * triggers), so each file gets the verdict, rule ids and messages the pipeline would give it.
 */
export async function checkOriginal(original: Uint8Array, config: QaConfig, key: ProjectKey): Promise<readonly Finding[]> {
  let copy: Lease | undefined;
  const into = (length: number) => (copy = keptCopies.lease(length)).bytes;
  try {
    return (await processInstanceWithPixelCheck(original, { key, deidentifiedAtSite: false, config, into })).findings;
  } finally {
    // Only the findings (rule ids and messages, no byte of the copy) outlive the check.
    copy?.release();
  }
}

/** `bytes` (the file `fileId`, `order` its place in the folder) checked; nothing of the bytes is kept. */
export async function checkOneFile(
  bytes: Uint8Array,
  fileId: string,
  order: string,
  config: QaConfig,
  key: ProjectKey,
): Promise<CheckedFile> {
  const findings = (await checkOriginal(bytes, config, key)).map((f) => ({ ...f, fileId }));
  const view = findings.some((f) => f.ruleId === 'dicom.parses') ? undefined : originalView(bytes, config);
  return view ? { findings, facts: noteFacts(view, fileId, order) } : { findings };
}

/** The original as the study rules read it (its own UIDs and patient, within the intake inflation policy). */
function originalView(bytes: Uint8Array, config: QaConfig): DatasetView | undefined {
  try {
    return new DatasetView(scanPart10(bytes, { inflation: config.inflation }));
  } catch (error) {
    if (error instanceof DicomParseError) return undefined;
    throw error;
  }
}
