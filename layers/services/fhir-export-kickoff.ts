/**
 * The FHIR Bulk Data kick-off (docs/fhir.md): checks the cohort or release, records the export job
 * with the caller's identity and announces it on the hilum bus, whose rule starts the export
 * workflow (layers/services/fhir-export.ts builds the files).
 */
import { randomUUID } from 'node:crypto';
import type { Caller } from '../access/caller';
import type { Level } from '../access';
import type { FhirExportJob, FhirExportSubject } from '../catalog/fhir/bulk-data';
import type { FhirResourceType } from '../catalog/fhir/resources';
import { NotFound } from '../common/errors';
import { loadCohortFor } from './cohort-access';
import { fhirExportRepository, pipelineEvents, releaseRepository } from './commons-context';

export interface KickOff {
  readonly subject: FhirExportSubject;
  readonly request: string;
  readonly apiBaseUrl: string;
  readonly types?: readonly FhirResourceType[];
  /** `_since`, an ISO instant in UTC. */
  readonly since?: string;
}

/** Records the job and starts its workflow; a cohort or release the caller may not read is not found (nothing recorded). */
export async function startFhirExport(caller: Caller, level: Level, kickOff: KickOff): Promise<FhirExportJob> {
  if (kickOff.subject.kind === 'cohort') await loadCohortFor(caller, level, kickOff.subject.cohortId);
  else if (!(await releaseRepository().getRelease(kickOff.subject.releaseNumber))) throw new NotFound('no such release');
  const now = new Date().toISOString();
  const job: FhirExportJob = {
    jobId: randomUUID(),
    owner: caller.subject,
    ownerName: caller.username,
    ownerGroups: [...caller.groups],
    level,
    subject: kickOff.subject,
    request: kickOff.request,
    apiBaseUrl: kickOff.apiBaseUrl,
    ...(kickOff.types ? { types: [...kickOff.types] } : {}),
    ...(kickOff.since ? { since: kickOff.since } : {}),
    status: 'in-progress',
    progress: 'queued',
    createdAt: now,
    updatedAt: now,
  };
  await fhirExportRepository().createJob(job);
  await pipelineEvents().fhirExportRequested({ jobId: job.jobId });
  return job;
}
