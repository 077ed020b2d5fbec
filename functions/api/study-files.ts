import { httpHandler } from '../../layers/adapters/aws/http';
import { logger } from '../../layers/adapters/aws/powertools';
import { publicationRepository } from '../../layers/services/commons-context';
import { studyPath } from '../../layers/common/id-schemas';
import { requireStudy } from '../../layers/services/access-context';
import { presignDownload } from '../../layers/services/presign-download';

/** GET /studies/{studyUid}/files: short-lived presigned GET URLs, one per instance of a published study the caller may get. */
export const handler = httpHandler({ path: studyPath }, async function listStudyFiles({ caller, audit, path }) {
  const { study, decision } = await requireStudy(caller, audit, path.studyUid);
  const instances = await publicationRepository().listInstances(study.studyUid);
  const files = await Promise.all(
    instances.map(async (instance) => {
      const { url, expiresAt } = await presignDownload({
        objectKey: instance.objectKey,
        size: instance.size,
        fileName: `${instance.sopUid}.dcm`,
      });
      return {
        seriesUid: instance.seriesUid,
        sopUid: instance.sopUid,
        size: instance.size,
        sha256: instance.sha256,
        transferSyntaxUid: instance.transferSyntaxUid,
        url,
        expiresAt,
      };
    }),
  );
  audit.record({
    action: 'download.url',
    targetType: 'study',
    targetId: study.studyUid,
    details: { objects: files.length, basis: decision.basis, ...(decision.grantId ? { grantId: decision.grantId } : {}) },
  });
  logger.info('download urls issued', { studyUid: study.studyUid, files: files.length });
  return { statusCode: 200, body: { studyUid: study.studyUid, files } };
});
