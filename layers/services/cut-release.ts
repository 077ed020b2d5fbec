/**
 * Cutting a release: everything published now, frozen. Reads every published
 * study with its series, instances and case from the catalog (a full rebuild of
 * the search rows, which also refreshes demographics changed since publication),
 * writes the release manifest and the frozen snapshot under keys of this attempt,
 * claims the release number (conditional write), writes the Parquet export (the imaging tables,
 * one clinical table per base dictionary node and the projects' extensions in `clinical_extension`,
 * the released cases' records), then
 * gives the live snapshot the new release numbers. A cut that loses the claim to a
 * concurrent cut of the same number deletes its objects and never touches the
 * winner's (it used to overwrite them before its 409).
 *
 * Synchronous and bounded by the API's 29 s: fine for thousands of studies. A
 * commons of millions cuts releases in a workflow (a Map over study pages), which
 * this function's steps are shaped for.
 */
import { randomUUID } from 'node:crypto';
import { ReleaseExists } from '../adapters/aws/dynamodb/release-repository';
import type { Case, Release, Series } from '../catalog/commons-entities';
import type { Instance, Study } from '../catalog/entities';
import { manifestRowOf, type ManifestRow } from '../catalog/manifest';
import { countByProject, sumCounts } from '../catalog/release-counts';
import { EXPORT_TABLES, exportKey, toParquet, type StudyExportRow } from '../catalog/parquet-export';
import {
  CLINICAL_EXPORT_NODES,
  CLINICAL_EXTENSION_COLUMNS,
  clinicalColumns,
  clinicalExportKey,
  clinicalExtensionExportKey,
  extensionValueRows,
  type ExtensionValueRow,
} from '../catalog/clinical-tables';
import { BASE_DICTIONARY, projectClinicalDictionary, type ClinicalRecord } from '../clinical';
import { studyRowOf } from '../catalog/search-rows';
import { buildSnapshot, type StudyRow } from '../search';
import {
  caseProfiles,
  projectLedger,
  sequestrationShareOf,
  type CaseStudyRow,
  type ProjectLedger,
  type SequestrationLedger,
} from '../catalog/sequestration';
import { buckets, clinicalRepository, objects, projectRepository, publicationRepository, releaseRepository } from './commons-context';
import { releaseObjectsPrefix, writeReleaseManifest } from './release-manifest-store';
import { projectLabel } from './project-label';
import { ledgerOf, writeSequestrationLedger } from './sequestration-store';
import { liveRows, publishMergedLive, releaseSnapshotKey, writeSnapshot } from './snapshot-store';

export interface CutRequest {
  readonly releaseNumber: number;
  readonly name?: string;
  readonly notes?: string;
  readonly createdBy: string;
}

export async function cutRelease(request: CutRequest): Promise<Release> {
  const n = request.releaseNumber;
  const live = await liveRows();
  const firstRelease = new Map(live.rows.map((r) => [r.studyUid, r.firstRelease]));
  const studies = await publicationRepository().listAllPublishedStudies();
  const cases = await casesOf(studies);

  const rows: StudyRow[] = [];
  const caseRows: CaseStudyRow[] = [];
  const studyExport: StudyExportRow[] = [];
  const seriesExport: Series[] = [];
  const instances: Instance[] = [];
  for (const study of studies) {
    const caseRecord = study.patientPseudonym ? cases.get(`${study.project}\0${study.patientPseudonym}`) : undefined;
    const first = firstRelease.get(study.studyUid) ?? n;
    rows.push(studyRowOf(study, caseRecord, first));
    caseRows.push({ row: rows[rows.length - 1]!, ...(study.patientPseudonym ? { casePseudonym: study.patientPseudonym } : {}) });
    studyExport.push({ study, ...(caseRecord ? { caseRecord } : {}), firstRelease: first });
    seriesExport.push(...(await publicationRepository().listSeries(study.studyUid)));
    instances.push(...(await publicationRepository().listInstances(study.studyUid)));
  }
  const manifest: ManifestRow[] = instances.map(manifestRowOf);
  const ledger = await sequestrationLedger(n, studies, caseRows);
  // What researchers may ever see: no study of a sequestered case, nothing of a sequestered project.
  const withheld = withheldStudies(ledger);
  const projectList = await projectRepository().listProjects();
  const sequesteredProjects = new Set(projectList.filter((p) => p.availability === 'sequestered').map((p) => p.projectId));
  const projectOfStudy = new Map(studies.map((s) => [s.studyUid, s.project]));
  const exported = (s: { readonly studyUid: string }) =>
    !withheld.has(s.studyUid) && !sequesteredProjects.has(projectOfStudy.get(s.studyUid) ?? '');

  // This attempt's own keys: a concurrent cut of the same number writes beside them, not over them.
  const attempt = randomUUID();
  const manifestKey = await writeReleaseManifest(n, attempt, manifest);
  const snapshotKey = releaseSnapshotKey(n, attempt);
  await writeSnapshot(snapshotKey, buildSnapshot(rows));
  const sequestrationKey = await writeSequestrationLedger(ledger, attempt);

  // Counted per project so GET /releases can sum only the projects its caller may count.
  const projects = countByProject(studies, seriesExport, instances);
  const open = (s: { readonly studyUid: string }) => !withheld.has(s.studyUid);
  const openProjects = countByProject(studies.filter(open), seriesExport.filter(open), instances.filter(open));
  const release: Release = {
    releaseNumber: n,
    ...(request.name ? { name: request.name } : {}),
    ...(request.notes ? { notes: request.notes } : {}),
    createdBy: request.createdBy,
    createdAt: new Date().toISOString(),
    ...sumCounts(projects),
    projects,
    openProjects,
    sequestrationKey,
    manifestKey,
    snapshotKey,
    exportPrefix: 'analytics/',
  };
  const released = buckets.released();
  try {
    await releaseRepository().createRelease(release);
  } catch (error) {
    if (error instanceof ReleaseExists)
      for (const key of [manifestKey, snapshotKey, sequestrationKey]) await objects().delete(released, key);
    throw error;
  }
  // Written by the claim's winner only: Athena reads every object under a release's partition,
  // so the export's keys are the number's alone and a losing cut must never write them.
  // The export is for researchers' queries (Athena): studies they may never see stay out of it.
  await objects().put(
    released,
    exportKey('studies', n),
    toParquet(
      EXPORT_TABLES.studies,
      studyExport.filter((r) => exported(r.study)),
    ),
    {
      contentType: 'application/vnd.apache.parquet',
    },
  );
  await objects().put(released, exportKey('series', n), toParquet(EXPORT_TABLES.series, seriesExport.filter(exported)), {
    contentType: 'application/vnd.apache.parquet',
  });
  await objects().put(released, exportKey('instances', n), toParquet(EXPORT_TABLES.instances, instances.filter(exported)), {
    contentType: 'application/vnd.apache.parquet',
  });
  // The clinical tables: the records of the cases whose studies this release holds, one table per base node,
  // and what projects' dictionary extensions add (nodes, properties) in the long-format extension table.
  const releasedCases = new Set(studies.filter((s) => s.patientPseudonym && exported(s)).map((s) => `${s.project}\0${s.patientPseudonym}`));
  const releasedRecords = async (project: string, node: string) =>
    (await clinicalRepository().listNode(project, node)).filter((r) => releasedCases.has(`${r.project}\0${r.casePseudonym}`));
  const releasedProjects = [...new Set(studies.map((s) => s.project))].sort();
  const dictionaries = new Map(releasedProjects.map((p) => [p, projectClinicalDictionary(projectList.find((q) => q.projectId === p))]));
  const extensionRows: ExtensionValueRow[] = [];
  for (const node of CLINICAL_EXPORT_NODES) {
    const records: ClinicalRecord[] = [];
    for (const project of releasedProjects) {
      const own = await releasedRecords(project, node.node);
      records.push(...own);
      extensionRows.push(...extensionValueRows(dictionaries.get(project)!, own));
    }
    await objects().put(released, clinicalExportKey(node.node, n), toParquet(clinicalColumns(node), records), {
      contentType: 'application/vnd.apache.parquet',
    });
  }
  for (const project of releasedProjects) {
    const dictionary = dictionaries.get(project)!;
    for (const node of dictionary.nodes.filter((d) => !BASE_DICTIONARY.node(d.node)))
      extensionRows.push(...extensionValueRows(dictionary, await releasedRecords(project, node.node)));
  }
  await objects().put(released, clinicalExtensionExportKey(n), toParquet(CLINICAL_EXTENSION_COLUMNS, extensionRows), {
    contentType: 'application/vnd.apache.parquet',
  });
  // What attempts of this number that died before their claim left behind.
  for (const key of await objects().listKeys(released, releaseObjectsPrefix(n))) {
    if (key !== manifestKey && key !== snapshotKey && key !== sequestrationKey) await objects().delete(released, key);
  }
  // The live snapshot gets the release numbers: the rebuilt rows as they are, or merged onto a concurrent rebuild's.
  await publishMergedLive(rows, 4, { version: live.version, rows: [] });
  return release;
}

/**
 * The release's sequestration ledger: each project's cases, earlier releases' assignments kept
 * (the latest release's ledger holds them all), new cases drawn where the project sequesters.
 */
async function sequestrationLedger(n: number, studies: readonly Study[], caseRows: readonly CaseStudyRow[]): Promise<SequestrationLedger> {
  const previous = await ledgerOf(await releaseRepository().latestRelease());
  const settings = new Map((await projectRepository().listProjects()).map((p) => [p.projectId, p]));
  const projects: ProjectLedger[] = [];
  for (const project of [...new Set(studies.map((s) => s.project))].sort()) {
    const earlier = previous?.projects.find((p) => p.project === project);
    // The project's own label, if it defines one, is what the split stratifies on after the site.
    const label = await projectLabel(settings.get(project));
    projects.push(
      projectLedger(project, n, sequestrationShareOf(settings.get(project)), caseProfiles(project, caseRows, label), earlier, label?.name),
    );
  }
  return { release: n, projects };
}

function withheldStudies(ledger: SequestrationLedger): Set<string> {
  return new Set(ledger.projects.flatMap((p) => p.cases.filter((c) => c.set === 'sequestered').flatMap((c) => c.studyUids)));
}

async function casesOf(studies: readonly Study[]): Promise<Map<string, Case>> {
  const out = new Map<string, Case>();
  for (const project of new Set(studies.map((s) => s.project))) {
    for (const c of await projectRepository().listCases(project)) out.set(`${c.project}\0${c.casePseudonym}`, c);
  }
  return out;
}
