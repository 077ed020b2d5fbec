import { z } from 'zod';
import { ReleaseExists } from '../../layers/adapters/aws/dynamodb/release-repository';
import { Conflict } from '../../layers/common/errors';
import { httpHandler } from '../../layers/adapters/aws/http';
import { logger } from '../../layers/adapters/aws/powertools';
import { releaseRepository } from '../../layers/services/commons-context';
import { cutRelease } from '../../layers/services/cut-release';

/**
 * POST /releases (curator): cuts the next release, an immutable list of every
 * study published now (manifest, frozen search snapshot, Parquet export).
 * `number` defaults to the latest + 1 and must be above the latest.
 */
export const handler = httpHandler(
  {
    body: z
      .object({
        number: z.number().int().min(1).max(999_999).optional(),
        name: z.string().min(1).max(200).optional(),
        notes: z.string().max(10_000).optional(),
      })
      .strict(),
  },
  async function createRelease({ caller, body }) {
    const latest = (await releaseRepository().latestRelease())?.releaseNumber ?? 0;
    const releaseNumber = body.number ?? latest + 1;
    if (releaseNumber <= latest) throw new Conflict(`release ${releaseNumber} is not after the latest release, ${latest}`);
    const started = Date.now();
    try {
      const release = await cutRelease({ releaseNumber, name: body.name, notes: body.notes, createdBy: caller.subject });
      logger.info('release cut', {
        release: releaseNumber,
        studies: release.studyCount,
        instances: release.instanceCount,
        ms: Date.now() - started,
      });
      return { statusCode: 201, body: release };
    } catch (error) {
      if (error instanceof ReleaseExists) throw new Conflict(error.message);
      throw error;
    }
  },
);
