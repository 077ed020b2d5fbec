import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseDicom, DicomParseError } from '../../layers/dicom';
import { deidentifyInstance } from '../../layers/ingest/process-instance';
import { type DeidProfile } from '../../layers/dicom';
export { loadProfileFile } from './profile-file';
import { DEFAULT_QA_CONFIG, InvalidQaConfig, loadQaConfig, type QaConfig, type QaReport } from '../../layers/qa';
import { UsageError } from '../command';
import { checkFiles } from '../commands/qa';
import type { FoundFile } from './scan-files';
import { hashKey } from '../gateway/spool';

/**
 * What a site does to its files before they leave it: check them with the
 * commons' QA rules (holding back what would be quarantined), and optionally
 * de-identify them with the project's profile and secret, so only de-identified
 * bytes cross the network.
 */
export interface SiteDeid {
  readonly secret: string;
  readonly project: string;
  /** This site: it issued the PatientIDs, so it keys pseudonyms and date shifts (as the pipeline does with the submission's site). */
  readonly site: string;
  readonly profile: DeidProfile;
  /** Where de-identified copies go, mirroring the relative paths. */
  readonly outDir: string;
}

export interface Held {
  readonly relativePath: string;
  readonly reason: string;
}

/**
 * The pipeline's per-file decision on each file before it leaves (`hilum qa`'s check), with the project's profile;
 * and the files per study (as groupByStudy counts them) from the same reading of each file.
 */
export async function checkBeforeUpload(
  files: readonly FoundFile[],
  config: QaConfig,
  profile: DeidProfile,
  quiet = false,
  /** Files checked in parallel (0: one per core; cli/lib/check-lanes.ts). */
  jobs = 0,
  /** The main thread sends files meanwhile: the files are checked in worker threads only (CheckLanesOptions.besideTheMainThread). */
  besideTheMainThread = false,
  /** Aborted: the check ends at once with the signal's reason (CheckLanesOptions.signal). */
  signal?: AbortSignal,
): Promise<{ report: QaReport; held: Held[]; studies: Map<string, number> }> {
  const studies = new Map<string, number>();
  const report = await checkFiles(files, {
    config,
    profile,
    quiet,
    lanes: { jobs, ...(besideTheMainThread ? { besideTheMainThread } : {}), ...(signal ? { signal } : {}) },
    onStudy: (uid) => countStudy(studies, uid),
  });
  const held = report.quarantined.map((q) => ({ relativePath: q.fileId, reason: `would be quarantined by ${q.reasons.join('; ')}` }));
  return { report, held, studies };
}

/** Counts a file under a short hash of its Study Instance UID (never the UID itself), or as unreadable. */
function countStudy(studies: Map<string, number>, studyUid: string | undefined): void {
  const key = studyUid === undefined ? 'unreadable' : hashKey(studyUid).slice(0, 12);
  studies.set(key, (studies.get(key) ?? 0) + 1);
}

/** De-identifies each file into `outDir` with the pipeline's own de-identify step; files the engine cannot read are held back with the reason. */
export async function deidentifyForUpload(
  files: readonly FoundFile[],
  deid: SiteDeid,
  onFile?: (file: FoundFile) => void,
): Promise<{ files: FoundFile[]; held: Held[] }> {
  const out: FoundFile[] = [];
  const held: Held[] = [];
  for (const file of files) {
    try {
      const result = deidentifyInstance(new Uint8Array(await readFile(file.path)), {
        input: 'original',
        secret: deid.secret,
        project: deid.project,
        site: deid.site,
        profile: deid.profile,
      });
      const path = join(deid.outDir, file.relativePath);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, result.bytes);
      out.push({ path, relativePath: file.relativePath, size: result.bytes.byteLength });
    } catch (error) {
      if (!(error instanceof DicomParseError)) throw error;
      held.push({ relativePath: file.relativePath, reason: `cannot be de-identified: ${error.message}` });
    }
    onFile?.(file);
  }
  return { files: out, held };
}

/** Files per study, keyed by a short hash of the Study Instance UID (never the UID itself); for an upload without the check. */
export async function groupByStudy(files: readonly FoundFile[]): Promise<Map<string, number>> {
  const studies = new Map<string, number>();
  for (const file of files) {
    let studyUid: string | undefined;
    try {
      studyUid = parseDicom(new Uint8Array(await readFile(file.path))).summary.studyInstanceUid;
    } catch {
      studyUid = undefined;
    }
    countStudy(studies, studyUid);
  }
  return studies;
}

export async function loadQaConfigFile(path: string | undefined): Promise<QaConfig> {
  if (!path) return DEFAULT_QA_CONFIG;
  try {
    return loadQaConfig(JSON.parse(await readFile(path, 'utf8')));
  } catch (error) {
    if (error instanceof InvalidQaConfig) throw new UsageError(`--qa-config: ${error.message}`);
    throw new UsageError(`--qa-config: cannot read JSON from ${basename(path)}`);
  }
}
