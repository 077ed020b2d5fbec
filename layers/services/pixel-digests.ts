import { logger } from '../adapters/aws/powertools';
import type { Instance } from '../catalog/entities';
import { scanPart10 } from '../dicom';
import { DatasetView, needingPixelDigest } from '../qa';
import { buckets, objects } from './commons-context';

/**
 * The studies' instances with the pixel digests the duplicate-pixels rule needs (needingPixelDigest: those whose
 * pixel key another instance of their study shares), each from its released copy read again, one at a time. The
 * staging records only the key, a CRC-32 pass instead of a SHA-256 one over each copy's pixels (~5 ms of a 10 MB
 * radiograph), so the digest is paid for by the rare instances that could be duplicates, not by every one. A copy
 * that cannot be read (gone, requarantined meanwhile) is left without its digest: the rule then does not compare it.
 */
export async function withPixelDigests(instances: readonly Instance[]): Promise<Instance[]> {
  const needed = needingPixelDigest(instances);
  if (needed.length === 0) return [...instances];
  const digests = new Map<Instance, string>();
  for (const instance of needed) {
    const digest = pixelDigestOf(await objects().getBytes(buckets.released(), instance.objectKey));
    if (digest !== undefined) digests.set(instance, digest);
  }
  logger.info('pixel digests', { needed: needed.length, computed: digests.size });
  return instances.map((instance) => {
    const pixelSha256 = digests.get(instance);
    return pixelSha256 === undefined ? instance : { ...instance, pixelSha256 };
  });
}

function pixelDigestOf(bytes: Uint8Array | undefined): string | undefined {
  if (!bytes) return undefined;
  try {
    return new DatasetView(scanPart10(bytes)).pixelSha256();
  } catch {
    return undefined;
  }
}
