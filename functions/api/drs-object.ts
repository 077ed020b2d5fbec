import { z } from 'zod';
import { DRS_ACCESS_ID, drsObjectOf, sopUidOfObjectId } from '../../layers/drs';
import { NotFound } from '../../layers/common/errors';
import { httpHandler } from '../../layers/adapters/aws/http';
import { publicationRepository } from '../../layers/services/commons-context';
import { requireStudy } from '../../layers/services/access-context';
import { presignDownload } from '../../layers/services/presign-download';

/**
 * GET /ga4gh/drs/v1/objects/{object_id}: a released instance as a DRS object (size,
 * created time, SHA-256, name, one https access method).
 * GET /ga4gh/drs/v1/objects/{object_id}/access/{access_id}: `{url}`, a presigned GET
 * of that one object. Both decide access like every data route: an object the
 * caller may not get is answered 404, in DRS's error shape `{msg, status_code}`.
 */
export const handler = httpHandler(
  {
    errorShape: 'drs',
    path: z.object({ object_id: z.string().min(1).max(300), access_id: z.string().min(1).max(100).optional() }),
  },
  async function getDrsObject({ caller, audit, path, event }) {
    const sopUid = sopUidOfObjectId(path.object_id);
    if (!sopUid) throw new NotFound('no such object');
    const objectId = `hilum:${sopUid}`;
    const ref = await publicationRepository().getObjectRef(sopUid);
    if (!ref) {
      audit.deny('not-found', { type: 'object', id: objectId });
      throw new NotFound('no such object');
    }
    const { decision } = await requireStudy(caller, audit, ref.studyUid, 'no such object');
    const instance = await publicationRepository().getInstance(ref.studyUid, ref.seriesUid, sopUid);
    if (!instance) throw new NotFound('no such object');
    audit.resource('object', objectId, decision.basis);

    if (path.access_id === undefined) {
      return { statusCode: 200, body: drsObjectOf(instance, event.requestContext?.domainName ?? 'localhost') };
    }
    if (path.access_id !== DRS_ACCESS_ID) throw new NotFound('no such access method');
    const { url, expiresAt, ttlSeconds } = await presignDownload({
      objectKey: instance.objectKey,
      size: instance.size,
      fileName: `${sopUid}.dcm`,
    });
    audit.record({
      action: 'download.url',
      targetType: 'object',
      targetId: objectId,
      details: { studyUid: ref.studyUid, ttlSeconds, basis: decision.basis, ...(decision.grantId ? { grantId: decision.grantId } : {}) },
    });
    return { statusCode: 200, body: { url }, headers: { 'x-hilum-url-expires': expiresAt } };
  },
);
