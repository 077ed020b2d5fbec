import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AccessRuleRefused, checkProjectRequest, grantExpiry, mayDecide, MAX_GRANT_DAYS } from '../../layers/access';
import { RequestAlreadyDecided } from '../../layers/adapters/aws/dynamodb/access-repository';
import type { GrantRecord } from '../../layers/catalog/access-entities';
import { Forbidden, NotFound } from '../../layers/common/errors';
import { httpHandler } from '../../layers/adapters/aws/http';
import { logger } from '../../layers/adapters/aws/powertools';
import { accessRepository, projectRepository } from '../../layers/services/commons-context';
import { uuid } from '../../layers/common/id-schemas';

/**
 * POST /access-requests/{id}/approve `{reason, expiresInDays?}` and
 * POST /access-requests/{id}/deny `{reason}` (the DAC). Approval creates a grant
 * that expires (default a year, at most three), in the same transaction as the
 * decision. A DAC member never decides their own request.
 */
export const handler = httpHandler(
  {
    path: z.object({ requestId: uuid }),
    body: z
      .object({
        reason: z.string().trim().min(3, 'a reason is required').max(2000),
        expiresInDays: z.number().int().min(1).max(MAX_GRANT_DAYS).optional(),
      })
      .strict(),
  },
  async function decideAccessRequest({ caller, audit, path, body, event }) {
    const approve = (event.resource ?? '').endsWith('/approve');
    const request = await accessRepository().getRequest(path.requestId);
    if (!request) throw new NotFound('no such access request');
    audit.resource('access-request', request.requestId);
    const check = mayDecide(caller, request);
    if (!check.ok) {
      if (request.requester === caller.subject) {
        audit.deny('own-request');
        throw new Forbidden(check.reason);
      }
      throw new AccessRuleRefused(check.reason);
    }
    const now = new Date();
    const decision = { by: caller.subject, at: now.toISOString(), reason: body.reason };
    try {
      if (!approve) {
        const denied = await accessRepository().deny(request, decision);
        audit.record({
          action: 'access-request.deny',
          targetType: 'access-request',
          targetId: request.requestId,
          reason: body.reason,
          details: { requester: request.requester },
        });
        logger.info('access request denied', { requestId: request.requestId });
        return { statusCode: 200, body: denied };
      }
      if (request.project) {
        // The project may have changed since the request: sequestered data is never granted.
        const still = checkProjectRequest(await projectRepository().getProject(request.project));
        if (!still.ok) throw new AccessRuleRefused(still.reason);
      }
      const { expiresAt, ttl } = grantExpiry(now, body.expiresInDays);
      const grant: GrantRecord & { ttl: number } = {
        grantId: randomUUID(),
        subject: request.requester,
        status: 'active',
        ...(request.project ? { project: request.project } : { cohortId: request.cohortId!, cohortProjects: request.cohortProjects ?? [] }),
        grantedBy: caller.subject,
        grantedAt: decision.at,
        expiresAt,
        ttl,
        requestId: request.requestId,
      };
      const approved = await accessRepository().approve(request, decision, grant);
      audit.record({
        action: 'access-request.approve',
        targetType: 'access-request',
        targetId: request.requestId,
        reason: body.reason,
        details: { grantId: grant.grantId },
      });
      audit.record({
        action: 'grant.create',
        targetType: 'grant',
        targetId: grant.grantId,
        reason: body.reason,
        details: {
          subject: grant.subject,
          requestId: request.requestId,
          expiresAt,
          ...(grant.project ? { project: grant.project } : { cohortId: grant.cohortId, projects: grant.cohortProjects }),
        },
      });
      logger.info('access request approved', { requestId: request.requestId, grantId: grant.grantId });
      const { ttl: _ttl, ...shown } = grant;
      return { statusCode: 200, body: { ...approved, grant: shown } };
    } catch (error) {
      if (error instanceof RequestAlreadyDecided) throw new AccessRuleRefused(error.message);
      throw error;
    }
  },
);
