import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3Client } from '../../layers/common/clients';
import { NotFound } from '../../layers/common/errors';
import { httpHandler } from '../../layers/common/http';
import { logger } from '../../layers/common/powertools';
import { inScope } from '../../layers/catalog/visibility';
import { buckets, catalog, limits } from '../shared/context';
import { scopeOf } from '../search/scope';
import { studyPath } from '../shared/schemas';

/** GET /studies/{studyUid}/files: short-lived presigned GET URLs for each instance of a published study. */
export const handler = httpHandler({ roles: ['researcher', 'curator'], path: studyPath }, async ({ caller, path }) => {
  const study = await catalog().getStudy(path.studyUid);
  // A study the caller may not see is reported as absent, so UIDs cannot be probed.
  if (!study || study.status !== 'published' || !inScope(await scopeOf(caller, [study.project]), study.project)) throw new NotFound('no such published study');
  const instances = await catalog().listInstances(study.studyUid);
  const { downloadUrlTtlSeconds } = limits();
  const expiresAt = new Date(Date.now() + downloadUrlTtlSeconds * 1000).toISOString();
  const files = await Promise.all(instances.map(async (instance) => ({
    seriesUid: instance.seriesUid,
    sopUid: instance.sopUid,
    size: instance.size,
    sha256: instance.sha256,
    transferSyntaxUid: instance.transferSyntaxUid,
    url: await getSignedUrl(s3Client(), new GetObjectCommand({
      Bucket: buckets.released(), Key: instance.objectKey,
      ResponseContentDisposition: `attachment; filename="${instance.sopUid}.dcm"`,
    }), { expiresIn: downloadUrlTtlSeconds }),
    expiresAt,
  })));
  logger.info('download urls issued', { studyUid: study.studyUid, files: files.length, caller: caller.subject });
  return { statusCode: 200, body: { studyUid: study.studyUid, files } };
});
