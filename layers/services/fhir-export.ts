/**
 * FHIR Bulk Data export of a cohort or a release (docs/fhir.md): the kick-off
 * (fhir-export-kickoff.ts) records a job and announces it on the hilum bus; the export workflow's task builds the resources from what the
 * job's owner may download (decided again when the files are built, as every download is) and
 * writes one NDJSON file per resource type to the released bucket; the status URL answers the
 * progress, then the manifest with presigned URLs; DELETE removes the job and its files.
 */
import type { Caller } from '../access/caller';
import { decideStudy, mayReadOwned, type Level } from '../access';
import {
  effectiveStatus,
  exportFailureReason,
  fhirExportKey,
  fhirExportPrefix,
  TIMED_OUT_REASON,
  type FhirExportFile,
  type FhirExportJob,
} from '../catalog/fhir/bulk-data';
import { fhirResources, ndjson, type FhirCase, type FhirStudy } from '../catalog/fhir/resources';
import type { ManifestRow } from '../catalog/manifest';
import { BASE_DICTIONARY, loadDictionary, type ClinicalRecord, type Dictionary } from '../clinical';
import { NotFound } from '../common/errors';
import { accessContext } from './access-context';
import { cohortDownloadableObjects } from './cohort-clinical';
import {
  buckets,
  clinicalRepository,
  fhirExportRepository,
  objects,
  projectRepository,
  publicationRepository,
  releaseRepository,
} from './commons-context';
import { readReleaseManifest } from './release-manifest-store';

/** The job, if the caller may see it (its owner, or a route level of `all`); others: not found. */
export async function fhirExportJobFor(caller: Caller, level: Level, jobId: string): Promise<FhirExportJob & { status: string }> {
  const job = await fhirExportRepository().getJob(jobId);
  if (!job || !mayReadOwned(caller, level, job.owner)) throw new NotFound('no such export job');
  const status = effectiveStatus(job, new Date());
  return { ...job, status, ...(status === 'failed' && !job.error ? { error: TIMED_OUT_REASON } : {}) };
}

/** Deletes the job and its files (a running job's task sees it gone and removes what it wrote). */
export async function deleteFhirExport(caller: Caller, level: Level, jobId: string): Promise<FhirExportJob> {
  const job = await fhirExportJobFor(caller, level, jobId);
  await fhirExportRepository().deleteJob(jobId);
  await deleteFiles(jobId);
  return job;
}

export interface ExportOutcome {
  readonly status: 'complete' | 'failed' | 'cancelled';
  readonly files: number;
  readonly resources: number;
}

/** The export task's work: the resources of what the owner may download, one NDJSON file per type. */
export async function runFhirExport(jobId: string): Promise<ExportOutcome> {
  const job = await fhirExportRepository().getJob(jobId);
  if (!job) return { status: 'cancelled', files: 0, resources: 0 };
  if (job.status !== 'in-progress')
    return { status: job.status === 'complete' ? 'complete' : 'failed', files: job.output?.length ?? 0, resources: 0 };
  const owner: Caller = { subject: job.owner, username: job.ownerName, groups: job.ownerGroups, uploaderSites: [] };
  const transactionTime = new Date().toISOString();
  const progress = async (text: string) =>
    fhirExportRepository().updateInProgress({ ...job, progress: text, updatedAt: new Date().toISOString() });

  let rows: ManifestRow[];
  try {
    rows = await downloadableRows(owner, job);
  } catch (error) {
    // The cohort or release went away (or the owner lost it) since the kick-off: the job fails, saying why without values.
    if (!(error instanceof NotFound)) throw error;
    await fhirExportRepository().updateInProgress({ ...job, status: 'failed', error: error.message, updatedAt: new Date().toISOString() });
    return { status: 'failed', files: 0, resources: 0 };
  }
  if (!(await progress(`reading ${new Set(rows.map((r) => r.studyUid)).size} studies`))) return cancelled(jobId);
  const dictionaries = await dictionariesOf(new Set(rows.map((r) => r.project)));
  const cases = await casesOf(rows, dictionaries);
  const resources = fhirResources({ apiBaseUrl: job.apiBaseUrl, cases, dictionaries, ...(job.since ? { since: job.since } : {}) });
  if (!(await progress(`writing ${cases.length} patients`))) return cancelled(jobId);

  const output: FhirExportFile[] = [];
  for (const [type, list] of resources) {
    if (job.types && !job.types.includes(type)) continue;
    const body = new TextEncoder().encode(ndjson(list));
    const key = fhirExportKey(jobId, type);
    await objects().put(buckets.released(), key, body, { contentType: 'application/fhir+ndjson' });
    output.push({ type, key, count: list.length, bytes: body.byteLength });
  }
  const done = await fhirExportRepository().updateInProgress({
    ...job,
    status: 'complete',
    progress: 'complete',
    transactionTime,
    output,
    updatedAt: new Date().toISOString(),
  });
  if (!done) return cancelled(jobId);
  return { status: 'complete', files: output.length, resources: output.reduce((n, f) => n + f.count, 0) };
}

/**
 * The workflow's task failed for good (after its retries): the job is marked failed with a reason
 * made from the error's name only, and what it wrote is removed. A job finished or deleted
 * meanwhile (a timed-out task may still have completed it) is left as it is.
 */
export async function recordFhirExportFailure(jobId: string, errorName: string): Promise<ExportOutcome> {
  const job = await fhirExportRepository().getJob(jobId);
  if (!job) return { status: 'cancelled', files: 0, resources: 0 };
  if (job.status !== 'in-progress')
    return { status: job.status === 'complete' ? 'complete' : 'failed', files: job.output?.length ?? 0, resources: 0 };
  const marked = await fhirExportRepository().updateInProgress({
    ...job,
    status: 'failed',
    progress: 'failed',
    error: exportFailureReason(errorName),
    updatedAt: new Date().toISOString(),
  });
  if (!marked) return recordFhirExportFailure(jobId, errorName);
  await deleteFiles(jobId);
  return { status: 'failed', files: 0, resources: 0 };
}

async function cancelled(jobId: string): Promise<ExportOutcome> {
  await deleteFiles(jobId);
  return { status: 'cancelled', files: 0, resources: 0 };
}

async function deleteFiles(jobId: string): Promise<void> {
  for (const key of await objects().listKeys(buckets.released(), fhirExportPrefix(jobId))) await objects().delete(buckets.released(), key);
}

/** The release manifest's rows the owner may download: the cohort's (as its manifest lists them), or the whole release's. */
async function downloadableRows(owner: Caller, job: FhirExportJob): Promise<ManifestRow[]> {
  if (job.subject.kind === 'cohort') return (await cohortDownloadableObjects(owner, job.level, job.subject.cohortId)).rows;
  const release = await releaseRepository().getRelease(job.subject.releaseNumber);
  if (!release) throw new NotFound('the release is gone');
  const all = await readReleaseManifest(release.manifestKey);
  const ctx = await accessContext(owner, new Set(all.map((r) => r.project)));
  return all.filter((r) => decideStudy(ctx, r).allowed);
}

/** Each project's clinical dictionary: the base one with the project's own nodes and properties. */
async function dictionariesOf(projects: ReadonlySet<string>): Promise<Map<string, Dictionary>> {
  const out = new Map<string, Dictionary>();
  for (const project of projects) out.set(project, loadDictionary((await projectRepository().getProject(project))?.clinicalDictionary));
  return out;
}

/**
 * The export's cases: each study's case (its patient pseudonym) with the studies it has here and
 * the case's clinical records of every node its project's dictionary has. A study without a patient
 * pseudonym has no subject to hang from and is left out (de-identified studies always carry one).
 */
async function casesOf(rows: readonly ManifestRow[], dictionaries: ReadonlyMap<string, Dictionary>): Promise<FhirCase[]> {
  const instances = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const bySeries = instances.get(r.studyUid) ?? new Map<string, number>();
    bySeries.set(r.seriesUid, (bySeries.get(r.seriesUid) ?? 0) + 1);
    instances.set(r.studyUid, bySeries);
  }
  const cases = new Map<string, { project: string; casePseudonym: string; studies: FhirStudy[] }>();
  for (const [studyUid, instancesBySeries] of instances) {
    const study = await publicationRepository().getStudy(studyUid);
    if (!study?.patientPseudonym) continue;
    const key = `${study.project}\0${study.patientPseudonym}`;
    const entry = cases.get(key) ?? { project: study.project, casePseudonym: study.patientPseudonym, studies: [] };
    entry.studies.push({ study, series: await publicationRepository().listSeries(studyUid), instancesBySeries });
    cases.set(key, entry);
  }
  const records = new Map<string, ClinicalRecord[]>();
  for (const project of new Set([...cases.values()].map((c) => c.project))) {
    for (const node of (dictionaries.get(project) ?? BASE_DICTIONARY).nodes) {
      for (const r of await clinicalRepository().listNode(project, node.node)) {
        const key = `${project}\0${r.casePseudonym}`;
        if (cases.has(key)) records.set(key, [...(records.get(key) ?? []), r]);
      }
    }
  }
  return [...cases.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, c]) => ({ ...c, records: records.get(key) ?? [] }));
}
