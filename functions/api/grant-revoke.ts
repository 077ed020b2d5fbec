import { z } from 'zod';
import { NotFound } from '../../layers/common/errors';
import { httpHandler } from '../../layers/adapters/aws/http';
import { logger } from '../../layers/adapters/aws/powertools';
import { uuid } from '../../layers/common/id-schemas';
import { accessRepository } from '../../layers/services/commons-context';

/**
 * DELETE /grants/{grantId}[?reason=...] (the DAC, admins): the grant stops at once
 * (every data route reads grants per request). Revoking twice answers the same.
 */
export const handler = httpHandler(
  {
    path: z.object({ grantId: uuid }),
    query: z.object({ reason: z.string().trim().min(3).max(2000).optional() }).strict(),
  },
  async function revokeGrant({ caller, audit, path, query }) {
    const grant = await accessRepository().getGrant(path.grantId);
    if (!grant) throw new NotFound('no such grant');
    audit.resource('grant', grant.grantId);
    const at = new Date().toISOString();
    const revoked = await accessRepository().revoke(grant, caller.subject, at, query.reason);
    if (revoked) {
      audit.record({
        action: 'grant.revoke',
        targetType: 'grant',
        targetId: grant.grantId,
        ...(query.reason ? { reason: query.reason } : {}),
        details: { subject: grant.subject, ...(grant.project ? { project: grant.project } : { cohortId: grant.cohortId }) },
      });
      logger.info('grant revoked', { grantId: grant.grantId });
    }
    return { statusCode: 200, body: { grantId: grant.grantId, status: 'revoked', revokedAt: revoked ? at : grant.revokedAt } };
  },
);
