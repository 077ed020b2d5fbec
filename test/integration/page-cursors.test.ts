/**
 * Page cursors over HTTP on the local commons: the API hands out sealed cursors bound
 * to the route, the query and the caller. An altered, truncated or forged cursor, or
 * one from another route, query or caller, is a 400 (it used to reach DynamoDB as an
 * ExclusiveStartKey: a 500, or a page from wherever the forger pointed); and a cursor
 * never names what the caller may not see (GET /studies used to hand a researcher the
 * key of the last study it read, a sequestered one included).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HilumApi } from '../../cli/lib/api-client';
import { startLocalCommons, LocalCommons } from '../../local/commons';
import { createProject } from '../support/projects';
import { makeDicom } from '../support/synthetic-dicom';

jest.setTimeout(300_000);

const ROOT = '1.2.826.0.1.3680043.8.498.7712';

describe('page cursors', () => {
  let dataDir: string;
  let commons: LocalCommons;
  const tokens: Record<string, string> = {};
  let sequesteredOldest: string;
  let studySeq = 0;

  beforeAll(async () => {
    process.env.SEARCH_SNAPSHOT_TTL_MS = '0';
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-cursors-'));
    commons = await startLocalCommons({
      dataDir,
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'ERROR',
    });
    tokens.curator = await commons.issueToken(['curator'], 'curator-c');
    tokens.researcher = await commons.issueToken(['researcher'], 'researcher-c');
    tokens.other = await commons.issueToken(['researcher'], 'researcher-other-c');
    tokens.admin = await commons.issueToken(['admin'], 'admin-c');
    const site = new HilumApi(commons.apiUrl, await commons.issueToken(['site-uploader:site-a'], 'uploader-c'));
    await createProject(commons.apiUrl, tokens.curator, 'open-c', ['site-a'], 'open');
    await createProject(commons.apiUrl, tokens.curator, 'seq-c', ['site-a'], 'sequestered');

    const publish = async (project: string) => {
      studySeq += 1;
      const study = `${ROOT}.${studySeq}`;
      const bytes = makeDicom({
        modality: 'CT',
        studyInstanceUid: study,
        seriesInstanceUid: `${study}.1`,
        instanceNumber: 1,
        patient: { id: `${project}-P${studySeq}` },
      });
      const { submissionId } = await site.createSubmission(project, 'site-a');
      const [upload] = (await site.requestUploads(submissionId, [{ name: 'a.dcm', size: bytes.byteLength }])).uploads;
      expect((await fetch(upload!.url!, { method: 'PUT', body: bytes })).status).toBe(200);
      await site.completeSubmission(submissionId);
      await commons.idle();
      expect(await site.getSubmission(submissionId)).toMatchObject({ status: 'published', stagedCount: 1 });
    };
    // Newest first, the published index reads: sequestered, open, open, sequestered.
    for (const project of ['seq-c', 'open-c', 'open-c', 'seq-c']) await publish(project);
    const { studies } = await get<{ studies: { studyUid: string; publishedAt: string }[] }>('curator', '/studies?project=seq-c');
    sequesteredOldest = [...studies].sort((a, b) => a.publishedAt.localeCompare(b.publishedAt))[0]!.studyUid;
  });

  afterAll(async () => {
    delete process.env.SEARCH_SNAPSHOT_TTL_MS;
    await commons?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function call(who: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${commons.apiUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${tokens[who]!}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }
  async function get<T>(who: string, path: string): Promise<T> {
    const { status, body } = await call(who, path);
    expect({ path, status }).toEqual({ path, status: 200 });
    return body as T;
  }
  const statusOf = async (who: string, path: string, init?: RequestInit) => (await call(who, path, init)).status;
  const base64Json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  /** The cursor with one character in the middle changed to another base64url character. */
  const altered = (cursor: string) => {
    const i = Math.floor(cursor.length / 2);
    return `${cursor.slice(0, i)}${cursor[i] === 'A' ? 'B' : 'A'}${cursor.slice(i + 1)}`;
  };

  it('hands a researcher a cursor that names no study they may not see, and pages on with it', async () => {
    const page = await get<{ studies: { project: string }[]; cursor?: string }>('researcher', '/studies?limit=2');
    expect(page.studies.map((s) => s.project)).toEqual(['open-c', 'open-c']);
    expect(page.cursor).toBeDefined();
    const cursor = page.cursor!;
    expect(cursor).not.toContain(sequesteredOldest);
    expect(Buffer.from(cursor, 'base64url').toString('latin1')).not.toContain(sequesteredOldest);
    expect(await get<{ studies: unknown[] }>('researcher', `/studies?limit=2&cursor=${cursor}`)).toMatchObject({ studies: [] });
  });

  it('answers an altered, truncated or forged cursor with 400', async () => {
    const { cursor } = await get<{ cursor: string }>('curator', '/studies?limit=1');
    expect(await statusOf('curator', `/studies?limit=1&cursor=${cursor}`)).toBe(200);
    expect(await statusOf('curator', `/studies?limit=1&cursor=${altered(cursor)}`)).toBe(400);
    expect(await statusOf('curator', `/studies?limit=1&cursor=${cursor.slice(0, -6)}`)).toBe(400);
    // Well-formed keys of the published index, as the cursors used to be: one of another partition, one of the right shape.
    expect(
      await statusOf(
        'curator',
        `/studies?limit=1&cursor=${base64Json({ pk: 'STUDY#2.25.1', sk: 'STUDY', gsi1pk: 'AUDIT', gsi1sk: '9999' })}`,
      ),
    ).toBe(400);
    expect(
      await statusOf(
        'curator',
        `/studies?limit=1&cursor=${base64Json({ pk: 'STUDY#2.25.1', sk: 'STUDY', gsi1pk: 'PUBLISHED', gsi1sk: '9999#2.25.1' })}`,
      ),
    ).toBe(400);

    const audit = await get<{ cursor: string }>('admin', '/audit?limit=1');
    expect(await statusOf('admin', `/audit?limit=1&cursor=${audit.cursor}`)).toBe(200);
    expect(await statusOf('admin', `/audit?limit=1&cursor=${altered(audit.cursor)}`)).toBe(400);
    expect(await statusOf('admin', `/audit?limit=1&cursor=${base64Json({ pk: 'x', sk: 'y', gsi1pk: 'AUDIT', gsi1sk: 1 })}`)).toBe(400);
  });

  it('refuses a cursor on another route (400)', async () => {
    const { cursor } = await get<{ cursor: string }>('curator', '/studies?limit=1');
    expect(await statusOf('curator', `/quarantine?cursor=${cursor}`)).toBe(400);
    expect(await statusOf('curator', `/search?limit=1&cursor=${cursor}`)).toBe(400);
    const mixed = await call('admin', `/audit?limit=1&cursor=${cursor}`);
    expect(mixed.status).toBe(400);
    const search = await get<{ cursor: string }>('curator', '/search?limit=1');
    expect(await statusOf('curator', '/search', { method: 'POST', body: JSON.stringify({ limit: 1, cursor: search.cursor }) })).toBe(400);
  });

  it('refuses a cursor with another query, or from another caller (400), and keeps it across page sizes', async () => {
    const search = await get<{ cursor: string }>('researcher', '/search?limit=1&modality=CT');
    expect(await statusOf('researcher', `/search?limit=5&modality=CT&cursor=${search.cursor}`)).toBe(200);
    expect(await statusOf('researcher', `/search?limit=1&modality=DX&cursor=${search.cursor}`)).toBe(400);
    expect(await statusOf('researcher', `/search?limit=1&cursor=${search.cursor}`)).toBe(400);
    expect(await statusOf('other', `/search?limit=1&modality=CT&cursor=${search.cursor}`)).toBe(400);

    const studies = await get<{ cursor: string }>('curator', '/studies?limit=1&modality=CT');
    expect(await statusOf('curator', `/studies?limit=1&cursor=${studies.cursor}`)).toBe(400);
    const posted = await call('researcher', '/search', {
      method: 'POST',
      body: JSON.stringify({ limit: 1, facets: { modality: ['CT'] } }),
    });
    const cursor = posted.body.cursor as string;
    expect(
      await statusOf('researcher', '/search', { method: 'POST', body: JSON.stringify({ limit: 1, facets: { modality: ['CT'] }, cursor }) }),
    ).toBe(200);
    expect(
      await statusOf('researcher', '/search', { method: 'POST', body: JSON.stringify({ limit: 1, facets: { modality: ['DX'] }, cursor }) }),
    ).toBe(400);
  });
});
