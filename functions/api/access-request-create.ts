import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  AccessRuleRefused,
  checkDua,
  checkProjectRequest,
  cohortRequestProjects,
  countScope,
  CURRENT_DUA_VERSION,
  mayReadOwned,
  NO_SUCH_PROJECT,
  requestAsSeenByRequester,
} from '../../layers/access';
import type { AccessRequest } from '../../layers/catalog/access-entities';
import { NotFound } from '../../layers/common/errors';
import { httpHandler } from '../../layers/adapters/aws/http';
import { logger } from '../../layers/adapters/aws/powertools';
import { facetValuesAt, matchingRows } from '../../layers/search';
import { accessRepository, releaseRepository, projectRepository } from '../../layers/services/commons-context';
import { slug, uuid } from '../../layers/common/id-schemas';
import { frozenSnapshot } from '../../layers/services/snapshot-store';

/**
 * POST /access-requests (researchers): asks the DAC for a restricted project, or for
 * the studies of one of the caller's cohorts, with a research purpose and the data
 * use agreement version accepted. Sequestered data is never granted: a sequestered
 * project is answered 404 exactly like an unknown one (researchers never see it); an open
 * project needs no request (409), nor does a cohort without restricted studies when no
 * restricted project is hidden from the caller's counts: the answer never depends on
 * studies the caller may not count (a cohort request is otherwise taken, and the DAC
 * sees what it covers, possibly nothing).
 */
export const handler = httpHandler(
  {
    body: z
      .object({
        project: slug.optional(),
        cohortId: uuid.optional(),
        purpose: z.string().trim().min(20, 'describe the research purpose (at least 20 characters)').max(4000),
        duaVersion: z.string().min(1).max(40),
        duaAccepted: z.literal(true, { errorMap: () => ({ message: 'the data use agreement must be accepted' }) }),
      })
      .strict()
      .refine((b) => (b.project ? 1 : 0) + (b.cohortId ? 1 : 0) === 1, 'name exactly one of project or cohortId'),
  },
  async function createAccessRequest({ caller, access, audit, body }) {
    const refuse = (reason: string, target: { type: string; id: string }): never => {
      audit.deny('request-refused', target);
      audit.record({ action: 'access-request.refused', targetType: target.type, targetId: target.id, reason });
      throw new AccessRuleRefused(reason);
    };
    const dua = checkDua(body.duaVersion, CURRENT_DUA_VERSION);
    let scope: Pick<AccessRequest, 'project' | 'cohortId' | 'cohortProjects'>;
    if (body.project) {
      const target = { type: 'project', id: body.project };
      const check = checkProjectRequest(await projectRepository().getProject(body.project));
      if (!check.ok && 'unseen' in check) {
        // Unknown and sequestered answer alike: a refusal naming a sequestered project would tell
        // a researcher it exists. The audit keeps which it was, and why a sequestered one is refused.
        audit.deny(check.unseen, target);
        if (check.unseen === 'sequestered')
          audit.record({ action: 'access-request.refused', targetType: target.type, targetId: target.id, reason: check.reason });
        throw new NotFound(NO_SUCH_PROJECT);
      }
      if (!check.ok) refuse(check.reason, target);
      if (!dua.ok) refuse(dua.reason, target);
      scope = { project: body.project };
    } else {
      const cohort = await releaseRepository().getCohort(body.cohortId!);
      if (!cohort || !mayReadOwned(caller, access.level, cohort.owner)) throw new NotFound('no such cohort');
      const target = { type: 'cohort', id: cohort.cohortId };
      const release = await releaseRepository().getRelease(cohort.releaseNumber);
      if (!release) throw new NotFound("the cohort's release is gone");
      const snapshot = await frozenSnapshot(release.snapshotKey);
      const touched = matchingRows(snapshot, cohort.filters, 'all').flatMap((row) => facetValuesAt(snapshot, 'project', row));
      const [projectList, grants] = await Promise.all([projectRepository().listProjects(), accessRepository().grantsFor(caller)]);
      const projects = new Map(projectList.map((p) => [p.projectId, p]));
      const resolved = cohortRequestProjects(touched, projects, countScope(caller, projectList, grants));
      if (!resolved.ok) refuse(resolved.reason, target);
      if (!dua.ok) refuse(dua.reason, target);
      scope = { cohortId: cohort.cohortId, cohortProjects: (resolved as { projects: string[] }).projects };
    }
    const pending = (await accessRepository().listRequestsOf(caller.subject)).find(
      (r) => r.status === 'pending' && r.project === scope.project && r.cohortId === scope.cohortId,
    );
    if (pending) throw new AccessRuleRefused(`a request for this is already pending: ${pending.requestId}`);

    const request: AccessRequest = {
      requestId: randomUUID(),
      requester: caller.subject,
      requesterName: caller.username,
      ...scope,
      purpose: body.purpose,
      duaVersion: body.duaVersion,
      status: 'pending',
      createdAt: new Date().toISOString(),
    };
    await accessRepository().createRequest(request);
    audit.resource('access-request', request.requestId);
    audit.record({
      action: 'access-request.create',
      targetType: 'access-request',
      targetId: request.requestId,
      reason: request.purpose,
      details: { ...scope, duaVersion: request.duaVersion },
    });
    logger.info('access requested', { requestId: request.requestId, project: scope.project, cohortId: scope.cohortId });
    return { statusCode: 201, body: requestAsSeenByRequester(request) };
  },
);
