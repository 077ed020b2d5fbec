import { z } from 'zod';
import { countScope, inScope, seesEverything } from '../../layers/access';
import { httpHandler } from '../../layers/adapters/aws/http';
import { NotFound } from '../../layers/common/errors';
import { referenceFor, representativeness, REFERENCES } from '../../layers/catalog/representativeness';
import type { ProjectLedger } from '../../layers/catalog/sequestration';
import { accessRepository, projectRepository, releaseRepository } from '../../layers/services/commons-context';
import { ledgerOf } from '../../layers/services/sequestration-store';

/**
 * GET /releases/{releaseNumber}/representativeness: per project the caller may count, the
 * Jensen-Shannon distance of the release's cases from the project's reference population (each
 * attribute and intersection the reference gives), and the trend: the same distances at every
 * release up to this one. A researcher's figures count only the open cases (never a sequestered
 * case, never a sequestered project); a curator's count every case, and a curator also gets each
 * sequestering project's balance report (open vs sequestered distributions and their distances).
 */
export const handler = httpHandler(
  { path: z.object({ releaseNumber: z.coerce.number().int().min(1).max(999_999) }) },
  async function releaseRepresentativeness({ caller, path }) {
    const releases = (await releaseRepository().listReleases())
      .filter((r) => r.releaseNumber <= path.releaseNumber)
      .sort((a, b) => a.releaseNumber - b.releaseNumber);
    if (releases[releases.length - 1]?.releaseNumber !== path.releaseNumber) throw new NotFound(`no release ${path.releaseNumber}`);
    const projects = await projectRepository().listProjects();
    const everything = seesEverything(caller);
    const scope = everything ? 'all' : countScope(caller, projects, await accessRepository().grantsFor(caller));
    const settings = new Map(projects.map((p) => [p.projectId, p]));
    const counted = (p: ProjectLedger) =>
      inScope(scope, p.project) && (everything || settings.get(p.project)?.availability !== 'sequestered');
    const casesOf = (p: ProjectLedger) => (everything ? p.cases : p.cases.filter((c) => c.set === 'open'));

    const trend = new Map<string, { release: number; cases: number; distances: Record<string, number | null> }[]>();
    let latest: { project: string; reference: string; cases: number; dimensions: unknown; balance?: unknown }[] = [];
    for (const release of releases) {
      const ledger = await ledgerOf(release);
      if (!ledger) continue;
      const rows = ledger.projects.filter(counted).map((p) => {
        const measured = representativeness(casesOf(p), referenceFor(settings.get(p.project)));
        const distances = Object.fromEntries(measured.dimensions.map((d) => [d.dimension, d.jsDistance ?? null]));
        const list = trend.get(p.project) ?? [];
        list.push({ release: release.releaseNumber, cases: measured.cases, distances });
        trend.set(p.project, list);
        // The split's balance report describes the sequestered set: curators' only.
        return { project: p.project, ...measured, ...(everything && p.balance ? { balance: p.balance } : {}) };
      });
      if (release.releaseNumber === path.releaseNumber) latest = rows;
    }
    const referenceIds = new Set(latest.map((p) => p.reference));
    return {
      statusCode: 200,
      body: {
        releaseNumber: path.releaseNumber,
        measure: 'Jensen-Shannon distance, base 2 (the square root of the divergence): 0 the same distribution, 1 disjoint',
        cases: everything ? 'all cases' : 'open cases (sequestered cases are never counted)',
        references: [...referenceIds].map((id) => REFERENCES[id]),
        projects: latest.map((p) => ({ ...p, trend: trend.get(p.project) ?? [] })),
      },
    };
  },
);
