/**
 * A project's own case label (layers/clinical/case-label.ts) as the release cut and model
 * evaluation use it: the definition checked against the project's dictionary, each case's value
 * from the project's records of the label's node.
 */
import type { Project } from '../catalog/commons-entities';
import type { ProjectLabel } from '../catalog/sequestration';
import { loadDictionary } from '../clinical';
import { caseLabelValues, COVID19_LABEL, loadCaseLabel } from '../clinical/case-label';
import { clinicalRepository } from './commons-context';

/** The project's label with its cases' values; undefined when the project defines none (COVID-19 status stratifies). */
export async function projectLabel(
  project: Pick<Project, 'projectId' | 'caseLabel' | 'clinicalDictionary'> | undefined,
): Promise<ProjectLabel | undefined> {
  if (project?.caseLabel === undefined) return undefined;
  const dictionary = loadDictionary(project.clinicalDictionary);
  const label = loadCaseLabel(project.caseLabel, dictionary);
  const records = await clinicalRepository().listNode(project.projectId, label.node);
  return { name: label.name, valueOf: caseLabelValues(label, dictionary, records) };
}

/** The labels an evaluation's task may name on the project: COVID-19 status, and the project's own. */
export function projectLabelNames(project: Pick<Project, 'caseLabel' | 'clinicalDictionary'>): string[] {
  if (project.caseLabel === undefined) return [COVID19_LABEL];
  return [COVID19_LABEL, loadCaseLabel(project.caseLabel, loadDictionary(project.clinicalDictionary)).name];
}
