import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HilumApi } from '../../cli/lib/api-client';
import { startLocalCommons, type LocalCommons, type LocalCommonsOptions } from '../../local/commons';
import { localS3Client } from './local-clients';
import { createProject } from './projects';

/** A fresh local commons with one project, the site that contributes to it and a curator. */
export interface SiteCommons {
  readonly commons: LocalCommons;
  readonly s3: S3Client;
  readonly site: HilumApi;
  readonly curator: HilumApi;
  /** Whether the object is there (a HEAD). */
  exists(bucket: string, key: string): Promise<boolean>;
  /** Stops the commons and removes its data. */
  stop(): Promise<void>;
}

export interface SiteCommonsOptions extends Omit<LocalCommonsOptions, 'dataDir' | 'reset' | 'ports'> {
  /** Names the data folder and the callers' subjects (`curator-<name>`, `uploader-<name>`). */
  readonly name: string;
  readonly project: string;
  readonly site: string;
}

/**
 * Starts the commons on free ports in a fresh data folder, creates the project with the
 * site as its contributor, and signs in the site's uploader and a curator: the setup of
 * the tests that drive a file's tasks themselves (the commons options say which events
 * are lost, how the reconciler runs).
 */
export async function startSiteCommons({ name, project, site, ...options }: SiteCommonsOptions): Promise<SiteCommons> {
  const dataDir = await mkdtemp(join(tmpdir(), `hilum-${name}-`));
  const commons = await startLocalCommons({ ...options, dataDir, reset: true, ports: { api: 0, s3: 0, dynamodb: 0, services: 0 } });
  const s3 = localS3Client(commons);
  const curatorToken = await commons.issueToken(['curator'], `curator-${name}`);
  await createProject(commons.apiUrl, curatorToken, project, [site]);
  return {
    commons,
    s3,
    site: new HilumApi(commons.apiUrl, await commons.issueToken([`site-uploader:${site}`], `uploader-${name}`)),
    curator: new HilumApi(commons.apiUrl, curatorToken),
    exists: (bucket, key) =>
      s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(
        () => true,
        () => false,
      ),
    stop: async () => {
      s3.destroy();
      await commons.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
