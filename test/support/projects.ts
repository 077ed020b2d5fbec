/**
 * Creates (or updates) a project as a curator would, before a site submits to it:
 * POST /submissions refuses a project that does not exist and a site the project
 * does not list as a contributor (the same 404), so a test names the sites it uses.
 */
import { HilumApi } from '../../cli/lib/api-client';
import type { Availability } from '../../layers/catalog/commons-entities';

export async function createProject(
  apiUrl: string,
  curatorToken: string,
  projectId: string,
  sites: readonly string[],
  availability: Availability = 'open',
): Promise<void> {
  await new HilumApi(apiUrl, curatorToken).request('POST', '/projects', { projectId, name: projectId, availability, sites });
}

/**
 * A site's whole submission of named files, as `hilum upload` makes one: opened, announced, each file PUT to its
 * presigned URL (every PUT must answer 200), sealed. Returns the submission id; the caller waits for the pipeline.
 */
export async function submitFiles(
  site: HilumApi,
  project: string,
  siteId: string,
  files: Readonly<Record<string, Uint8Array>>,
  /** Runs once the submission is open, before any file is announced (e.g. its case and clinical sheets). */
  beforeUpload?: (submissionId: string) => Promise<void>,
): Promise<string> {
  const { submissionId } = await site.createSubmission(project, siteId);
  await beforeUpload?.(submissionId);
  const { uploads } = await site.requestUploads(
    submissionId,
    Object.entries(files).map(([name, bytes]) => ({ name, size: bytes.byteLength })),
  );
  for (const u of uploads) {
    const status = (await fetch(u.url!, { method: 'PUT', body: files[u.name!]! })).status;
    if (status !== 200) throw new Error(`PUT of ${u.name} answered ${status}`);
  }
  await site.completeSubmission(submissionId);
  return submissionId;
}
