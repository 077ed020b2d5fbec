import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { ZipFile } from 'yazl';
import { z } from 'zod';
import { NotFound } from '../../layers/common/errors';
import { httpHandler } from '../../layers/adapters/aws/http';
import { logger } from '../../layers/adapters/aws/powertools';
import type { Instance } from '../../layers/catalog/entities';
import { buckets, objects, publicationRepository } from '../../layers/services/commons-context';
import { uid } from '../../layers/common/id-schemas';
import { requireStudy } from '../../layers/services/access-context';
import { presignDownload } from '../../layers/services/presign-download';
import { objectStream, uploadStream } from '../../layers/adapters/aws/s3-stream';

/**
 * GET /studies/{studyUid}/archive[?series=UID]: a study (or one series) as a zip,
 * answered with a presigned URL of the zip, not the zip itself: API Gateway and
 * Lambda cannot return more than 6 MB. The zip is built once per study version and
 * series in the released bucket under `archives/`, streamed entry by entry from the
 * released objects through yazl into an S3 multipart upload (DICOM is stored, not
 * deflated: pixel data barely compresses and the time would go to the CPU), then
 * reused by every caller allowed to get the study (MIDRC pre-builds series zips the
 * same way). The version is a hash of the instances' SOP UIDs and SHA-256s, so new
 * instances make a new zip and the old one stays valid for URLs already issued.
 */
export const handler = httpHandler(
  {
    path: z.object({ studyUid: uid }),
    query: z.object({ series: uid.optional() }).strict(),
  },
  async function buildStudyArchive({ caller, audit, path, query }) {
    const { study, decision } = await requireStudy(caller, audit, path.studyUid);
    const instances = (await publicationRepository().listInstances(study.studyUid))
      .filter((i) => !query.series || i.seriesUid === query.series)
      .sort((a, b) => (a.seriesUid === b.seriesUid ? (a.sopUid < b.sopUid ? -1 : 1) : a.seriesUid < b.seriesUid ? -1 : 1));
    if (instances.length === 0) throw new NotFound('no such series in this study');
    const key = archiveKey(study.studyUid, query.series, instances);
    const existing = await objects().head(buckets.released(), key);
    let size = existing?.size;
    const started = Date.now();
    if (existing === undefined) {
      await uploadStream(buckets.released(), key, zipOf(instances), 'application/zip');
      size = (await objects().head(buckets.released(), key))?.size ?? 0;
      logger.info('archive built', {
        studyUid: study.studyUid,
        series: query.series ?? 'all',
        objects: instances.length,
        bytes: size,
        ms: Date.now() - started,
      });
    }
    const fileName = `${query.series ?? study.studyUid}.zip`;
    const { url, expiresAt, ttlSeconds } = await presignDownload({
      objectKey: key,
      size: size ?? 0,
      fileName,
      contentType: 'application/zip',
    });
    audit.record({
      action: 'archive.served',
      targetType: 'study',
      targetId: study.studyUid,
      details: {
        series: query.series ?? 'all',
        objects: instances.length,
        bytes: size,
        cached: existing !== undefined,
        ttlSeconds,
        basis: decision.basis,
        ...(decision.grantId ? { grantId: decision.grantId } : {}),
      },
    });
    return {
      statusCode: 200,
      body: {
        studyUid: study.studyUid,
        ...(query.series ? { seriesUid: query.series } : {}),
        objects: instances.length,
        bytes: size,
        cached: existing !== undefined,
        url,
        expiresAt,
      },
    };
  },
);

export function archiveKey(
  studyUid: string,
  series: string | undefined,
  instances: readonly Pick<Instance, 'sopUid' | 'sha256'>[],
): string {
  const version = createHash('sha256')
    .update(instances.map((i) => `${i.sopUid}:${i.sha256}`).join('\n'))
    .digest('hex')
    .slice(0, 16);
  return `archives/${studyUid}/${series ?? 'study'}-${version}.zip`;
}

/** The zip as a stream: entries `<series>/<sop>.dcm`, each read from S3 only when yazl reaches it. */
function zipOf(instances: readonly Instance[]): Readable {
  const zip = new ZipFile();
  for (const instance of instances) {
    zip.addReadStreamLazy(
      `${instance.seriesUid}/${instance.sopUid}.dcm`,
      { compress: false, size: instance.size, mtime: new Date(instance.stagedAt) },
      (done) => {
        objectStream(buckets.released(), instance.objectKey).then(
          (stream) => done(null, stream),
          (error: unknown) => done(error, new PassThrough()),
        );
      },
    );
  }
  zip.end();
  const out = zip.outputStream as Readable;
  // An object that cannot be read fails the upload instead of leaving it waiting.
  zip.on('error', (error: Error) => out.destroy(error));
  return out;
}
