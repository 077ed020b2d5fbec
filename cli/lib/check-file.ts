/**
 * The offline check of one file (`hilum qa`, `hilum upload`'s check), the same on the main thread and in a
 * check worker (cli/lib/check-lanes.ts): the pipeline's per-file decision, and the facts the study rules need.
 */
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
 * The ingest workflow's per-file decision on an original, composed (`processInstanceWithPixelCheck`:
 * the burned-in text check of an at-risk image, read within the project's inflation policy,
 * de-identify, verify, the instance rules on the copy with the de-identifier's pixel-review
 * triggers), so each file gets the verdict, rule ids and messages the pipeline would give it.
 */
export async function checkOriginal(original: Uint8Array, config: QaConfig, key: ProjectKey): Promise<readonly Finding[]> {
  return (await processInstanceWithPixelCheck(original, { key, deidentifiedAtSite: false, config })).findings;
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
