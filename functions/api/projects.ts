import { z } from 'zod';
import { AVAILABILITIES } from '../../layers/catalog/commons-entities';
import { httpHandler } from '../../layers/adapters/aws/http';
import { logger } from '../../layers/adapters/aws/powertools';
import { BadRequest, Conflict } from '../../layers/common/errors';
import { DictionaryConfigError, clinicalDateModeOf, clinicalDatesSettingProblem, loadDictionary } from '../../layers/clinical';
import { profileForProject } from '../../layers/dicom';
import { ProjectKeyBlocked } from '../../layers/adapters/aws/secrets';
import { createDeidKey, projectRepository } from '../../layers/services/commons-context';
import { slug } from '../../layers/common/id-schemas';
import { minimumSubgroupSizeProblem } from '../../layers/evaluation';
import { CaseLabelConfigError, loadCaseLabel } from '../../layers/clinical/case-label';

/**
 * POST /projects (curator, admin): creates a project or updates its name,
 * availability, description, settings, contributing sites and clinical dictionary
 * extension (`clinicalDictionary`, validated by `loadDictionary`) and its own case label
 * (`caseLabel`, validated by `loadCaseLabel` against that dictionary). A project must exist
 * before a site submits to it (POST /submissions answers 404 otherwise): nothing
 * registers a project implicitly, so its availability is always a curator's decision.
 * Only the sites it lists may submit to it (`sites`; omitted on an update, the list
 * is kept; PUT /projects/{project}/sites changes it alone).
 *
 * The project's de-identification key is created first, so a saved project always
 * has one; saving a project that has a key never replaces it (docs/deidentification.md).
 */
export const handler = httpHandler(
  {
    body: z
      .object({
        projectId: slug,
        name: z.string().min(1).max(200),
        availability: z.enum(AVAILABILITIES),
        description: z.string().max(2000).optional(),
        settings: z
          .record(z.string().max(64), z.union([z.string().max(500), z.number(), z.boolean()]))
          .optional()
          .refine((s) => !s || Object.keys(s).length <= 50, 'at most 50 settings'),
        sites: z.array(slug).max(200).optional(),
        clinicalDictionary: z.unknown().optional(),
        caseLabel: z.unknown().optional(),
      })
      .strict(),
  },
  async function saveProject({ caller, body, audit }) {
    const settingsProblem = minimumSubgroupSizeProblem(body.settings);
    if (settingsProblem) throw new BadRequest(settingsProblem);
    await checkClinicalDates(body);
    if (body.clinicalDictionary !== undefined) {
      // Refused before anything is saved, every problem named (docs/clinical-dictionary.md).
      try {
        loadDictionary(body.clinicalDictionary);
      } catch (error) {
        if (error instanceof DictionaryConfigError) throw new BadRequest(error.message, error.problems);
        throw error;
      }
    }
    await checkCaseLabel(body);
    const now = new Date().toISOString();
    let key: { created: boolean };
    try {
      key = await createDeidKey(body.projectId);
    } catch (error) {
      if (error instanceof ProjectKeyBlocked) throw new Conflict(error.message);
      throw error;
    }
    const sites = body.sites ? [...new Set(body.sites)].sort() : undefined;
    const project = await projectRepository().putProject({
      ...body,
      ...(sites ? { sites } : {}),
      createdBy: caller.subject,
      createdAt: now,
      updatedAt: now,
    });
    audit.resource('project', project.projectId);
    if (sites) audit.record({ action: 'project.sites', targetType: 'project', targetId: project.projectId, details: { sites } });
    if (key.created) audit.record({ action: 'deid-key.create', targetType: 'project', targetId: project.projectId });
    logger.info('project saved', {
      project: project.projectId,
      availability: project.availability,
      sites: project.sites?.length ?? 0,
      keyCreated: key.created,
    });
    return { statusCode: 200, body: project };
  },
);

/**
 * The project's own case label must hold against the dictionary the project will have: an update
 * that omits either keeps the saved one, so a new dictionary is checked against the saved label too.
 */
async function checkCaseLabel(body: { projectId: string; caseLabel?: unknown; clinicalDictionary?: unknown }): Promise<void> {
  const saved =
    body.caseLabel === undefined || body.clinicalDictionary === undefined
      ? await projectRepository().getProject(body.projectId)
      : undefined;
  const label = body.caseLabel ?? saved?.caseLabel;
  if (label === undefined) return;
  try {
    loadCaseLabel(label, loadDictionary(body.clinicalDictionary ?? saved?.clinicalDictionary));
  } catch (error) {
    if (error instanceof CaseLabelConfigError) throw new BadRequest(error.message, error.problems);
    throw error;
  }
}

/**
 * `settings.clinicalDates` (docs/clinical-dictionary.md, "Dates") must name a mode the project's
 * profile can keep, and cannot change once the project has cases: their stored records are on
 * the timeline of the mode they came in (days from index, or dates shifted), and mixing the two
 * in one project would leave half its records unreadable as the other.
 */
async function checkClinicalDates(body: {
  projectId: string;
  settings?: Readonly<Record<string, string | number | boolean>>;
}): Promise<void> {
  const problem = clinicalDatesSettingProblem(body.settings, profileForProject(body.projectId));
  if (problem) throw new BadRequest(problem);
  const saved = await projectRepository().getProject(body.projectId);
  // Omitted settings are kept as saved (putProject updates only what the body gives).
  if (!saved || body.settings === undefined || clinicalDateModeOf(saved.settings) === clinicalDateModeOf(body.settings)) return;
  if ((await projectRepository().listCases(body.projectId)).length > 0)
    throw new Conflict(
      `settings.clinicalDates cannot change: project ${body.projectId} has cases whose clinical dates are kept as ${clinicalDateModeOf(saved.settings)}`,
    );
}
