/**
 * The access path end to end on the local commons, as a researcher lives it: a
 * restricted study is invisible to a researcher without a grant (its project shows
 * counts only, by the project's choice; no rows, files, objects or manifest lines);
 * the researcher requests access, the DAC approves, and `hilum download` (a separate
 * process) fetches the cohort manifest, is killed half-way, and a second run finishes
 * without fetching a completed file again; every checksum verifies; the audit log
 * holds every step; after revocation the same download is denied.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCommons, LocalCommons } from '../../local/commons';
import { HilumApi } from '../../cli/lib/api-client';
import { makeSeries } from '../support/synthetic-dicom';

jest.setTimeout(300_000);

const CLI = join(__dirname, '../../cli/bin/hilum.js');
const FILES = 20;

interface Manifest {
  objectCount: number;
  withheldStudies: number;
  totalBytes: number;
  objects: { objectId: string; studyUid: string; seriesUid: string; sopUid: string; size: number; sha256: string }[];
}
interface AuditEvent {
  actor: string;
  actorName?: string;
  action: string;
  targetType: string;
  targetId: string;
  at: string;
  reason?: string;
  sourceIp?: string;
  outcome?: string;
  details?: Record<string, unknown>;
}

describe('access requests, grants and hilum download', () => {
  let dataDir: string;
  let commons: LocalCommons;
  let researcherToken: string;
  let researcher: HilumApi;
  let dac: HilumApi;
  let admin: HilumApi;
  let curator: HilumApi;
  let restrictedStudy: string;
  let cohortId: string;
  let grantId: string;
  let manifestPath: string;
  const outDir = () => join(dataDir, 'out');

  beforeAll(async () => {
    process.env.SEARCH_SNAPSHOT_TTL_MS = '0';
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-access-'));
    commons = await startLocalCommons({
      dataDir: join(dataDir, 'commons'),
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'ERROR',
    });
    researcherToken = await commons.issueToken(['researcher'], 'researcher-r');
    researcher = new HilumApi(commons.apiUrl, researcherToken);
    dac = new HilumApi(commons.apiUrl, await commons.issueToken(['dac'], 'dac-member'));
    admin = new HilumApi(commons.apiUrl, await commons.issueToken(['admin'], 'admin-1'));
    curator = new HilumApi(commons.apiUrl, await commons.issueToken(['curator'], 'curator-1'));
    const site = new HilumApi(commons.apiUrl, await commons.issueToken(['site-uploader:site-a'], 'uploader-a'));

    await curator.request('POST', '/projects', {
      projectId: 'lung-restricted',
      name: 'Lung (restricted)',
      availability: 'restricted',
      settings: { countsVisible: true },
      sites: ['site-a'],
    });
    await curator.request('POST', '/projects', { projectId: 'lung-sequestered', name: 'Lung (sequestered)', availability: 'sequestered' });
    const { submissionId } = await site.createSubmission('lung-restricted', 'site-a');
    const files = makeSeries(FILES, { modality: 'CT', rows: 256, columns: 256 }).map((bytes, i) => ({ name: `IM${i}.dcm`, bytes }));
    const { uploads } = await site.requestUploads(
      submissionId,
      files.map((f) => ({ name: f.name, size: f.bytes.byteLength })),
    );
    for (const u of uploads)
      expect((await fetch(u.url!, { method: 'PUT', body: files.find((f) => f.name === u.name)!.bytes })).status).toBe(200);
    await site.completeSubmission(submissionId);
    await commons.idle();
    expect(await site.getSubmission(submissionId)).toMatchObject({ status: 'published', stagedCount: FILES });
    await curator.request('POST', '/releases', { notes: 'access test' });
    const { studies } = await curator.listStudies({ project: 'lung-restricted' });
    restrictedStudy = studies[0]!.studyUid;
  });

  afterAll(async () => {
    delete process.env.SEARCH_SNAPSHOT_TTL_MS;
    await commons?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('shows a researcher without a grant the restricted study as counts only: no rows, files, objects, archive or manifest lines', async () => {
    const search = await researcher.request<{ total: number; studies: unknown[]; facets: { project: { value: string; count: number }[] } }>(
      'POST',
      '/search',
      { limit: 10 },
    );
    expect(search.total).toBe(1);
    expect(search.facets.project).toEqual([{ value: 'lung-restricted', count: 1 }]);
    expect(search.studies).toEqual([]);
    expect((await researcher.listStudies()).studies).toEqual([]);
    await expect(researcher.studyFiles(restrictedStudy)).rejects.toMatchObject({ status: 404 });
    await expect(researcher.request('GET', `/studies/${restrictedStudy}/archive`)).rejects.toMatchObject({ status: 404 });
    const { projects } = await researcher.request<{ projects: { projectId: string; access: string }[] }>('GET', '/projects');
    expect(projects).toEqual([expect.objectContaining({ projectId: 'lung-restricted', access: 'request' })]);

    const cohort = await researcher.request<{ cohortId: string; studyCount: number }>('POST', '/cohorts', {
      name: 'restricted CT',
      filters: { facets: { project: ['lung-restricted'] } },
    });
    expect(cohort.studyCount).toBe(1);
    cohortId = cohort.cohortId;
    const manifest = await researcher.request<Manifest>('GET', `/cohorts/${cohortId}/manifest`);
    expect(manifest).toMatchObject({ objectCount: 0, withheldStudies: 1, objects: [] });
    const objectId = (await curator.request<Manifest>('GET', `/cohorts/${cohortId}/manifest`)).objects[0]!.objectId;
    const drs = await fetch(`${commons.apiUrl}/ga4gh/drs/v1/objects/${objectId}`, {
      headers: { authorization: `Bearer ${researcherToken}` },
    });
    expect(drs.status).toBe(404);
    expect(await drs.json()).toEqual({ msg: 'no such object', status_code: 404 });
  });

  it('refuses requests for sequestered data as for a project that does not exist (404), and takes a request for the restricted project', async () => {
    const sequestered = researcher.request('POST', '/access-requests', {
      project: 'lung-sequestered',
      purpose: 'Validate a nodule detector on held-out data',
      duaVersion: '2026-1',
      duaAccepted: true,
    });
    await expect(sequestered).rejects.toMatchObject({ status: 404, body: { message: 'no such project' } });
    await expect(
      researcher.request('POST', '/access-requests', {
        project: 'lung-restricted',
        purpose: 'Train a nodule detector on CT',
        duaVersion: '2025-9',
        duaAccepted: true,
      }),
    ).rejects.toMatchObject({ status: 409, message: expect.stringContaining('version 2026-1') });

    const request = await researcher.request<{ requestId: string; status: string }>('POST', '/access-requests', {
      project: 'lung-restricted',
      purpose: 'Train and evaluate a nodule detector on CT',
      duaVersion: '2026-1',
      duaAccepted: true,
    });
    expect(request.status).toBe('pending');
    await expect(researcher.request('POST', `/access-requests/${request.requestId}/approve`, { reason: 'self' })).rejects.toMatchObject({
      status: 403,
    });
    const { requests: queue } = await dac.request<{ requests: { requestId: string }[] }>('GET', '/access-requests?status=pending');
    expect(queue.map((r) => r.requestId)).toEqual([request.requestId]);
    await expect(dac.request('POST', `/access-requests/${request.requestId}/approve`, {})).rejects.toMatchObject({ status: 400 });

    const approved = await dac.request<{ status: string; grant: { grantId: string; expiresAt: string; project: string } }>(
      'POST',
      `/access-requests/${request.requestId}/approve`,
      { reason: 'IRB approval on file; DUA signed', expiresInDays: 30 },
    );
    expect(approved).toMatchObject({ status: 'approved', grant: { project: 'lung-restricted' } });
    expect(Date.parse(approved.grant.expiresAt) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    grantId = approved.grant.grantId;
    await expect(dac.request('POST', `/access-requests/${request.requestId}/deny`, { reason: 'too late' })).rejects.toMatchObject({
      status: 409,
    });
    const mine = await researcher.request<{ grants: { grantId: string; status: string }[] }>('GET', '/grants');
    expect(mine.grants).toEqual([expect.objectContaining({ grantId, status: 'active' })]);
  });

  it('downloads the cohort manifest with hilum download, killed half-way and resumed without fetching a finished file twice', async () => {
    const manifest = await researcher.request<Manifest>('GET', `/cohorts/${cohortId}/manifest`);
    expect(manifest.objectCount).toBe(FILES);
    manifestPath = join(dataDir, 'manifest.json');
    await writeFile(manifestPath, JSON.stringify(manifest));

    const first = runCli(['download', manifestPath, '--out', outDir(), '--jobs', '2', '--max-rate', '400000']);
    await waitFor(async () => (await finished()).length >= 5, 60_000);
    first.child.kill('SIGKILL');
    await first.exited;
    const before = await finished();
    expect(before.length).toBeGreaterThanOrEqual(5);
    expect(before.length).toBeLessThan(FILES);
    const stamps = new Map(await Promise.all(before.map(async (f) => [f, (await stat(f)).mtimeMs] as const)));
    // A `.part` the kill left empty is downloaded afresh, not resumed: only parts with bytes count.
    const partFiles = (await walk(outDir())).filter((f) => f.endsWith('.part'));
    const parts = (await Promise.all(partFiles.map(async (f) => ((await stat(f)).size > 0 ? f : null)))).filter((f) => f !== null);

    const second = runCli(['download', manifestPath, '--out', outDir(), '--jobs', '3']);
    const { code, stdout, stderr } = await second.exited;
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain(`${before.length} already there (verified)`);
    expect(stdout).toContain(`${parts.length} resumed`);
    expect(stdout).toContain('0 failed');

    // Every object is there once, with the manifest's SHA-256; the finished ones were not rewritten.
    const files = await walk(outDir());
    expect(files.filter((f) => f.endsWith('.part'))).toEqual([]);
    expect(files).toHaveLength(FILES);
    for (const o of manifest.objects) {
      const bytes = await readFile(join(outDir(), o.studyUid, o.seriesUid, `${o.sopUid}.dcm`));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(o.sha256);
    }
    for (const [file, mtime] of stamps) expect((await stat(file)).mtimeMs).toBe(mtime);

    // The commons issued one URL per object, except for objects cut off mid-way: a finished file was never fetched again.
    const urls = await auditEvents({ action: 'download.url', resource: 'object' });
    const perObject = new Map<string, number>();
    for (const e of urls) perObject.set(e.targetId, (perObject.get(e.targetId) ?? 0) + 1);
    expect(perObject.size).toBe(FILES);
    const finishedIds = new Set(
      before.map(
        (f) =>
          `hilum:${f
            .split('/')
            .pop()!
            .replace(/\.dcm$/, '')}`,
      ),
    );
    for (const id of finishedIds) expect({ id, urls: perObject.get(id) }).toEqual({ id, urls: 1 });
    expect([...perObject.values()].reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(FILES + 2);
    expect(
      urls.every(
        (e) =>
          e.actorName === 'researcher-r' &&
          e.sourceIp === '127.0.0.1' &&
          e.details?.basis === 'project-grant' &&
          e.details?.grantId === grantId,
      ),
    ).toBe(true);
  });

  it('records every step in the audit log, which only admins read', async () => {
    await expect(researcher.request('GET', '/audit')).rejects.toMatchObject({ status: 403 });
    const denied = await auditEvents({ action: 'access.denied', resource: `study:${restrictedStudy}` });
    expect(denied.length).toBeGreaterThanOrEqual(2);
    expect(denied[0]).toMatchObject({ outcome: 'denied', actorName: 'researcher-r', details: { basis: 'restricted-without-grant' } });
    expect(await auditEvents({ action: 'access-request.refused' })).toEqual([
      expect.objectContaining({ targetType: 'project', targetId: 'lung-sequestered', reason: expect.stringContaining('sequestered') }),
      expect.objectContaining({ targetType: 'project', targetId: 'lung-restricted', reason: expect.stringContaining('2026-1') }),
    ]);
    expect(await auditEvents({ action: 'access-request.create' })).toEqual([
      expect.objectContaining({ reason: 'Train and evaluate a nodule detector on CT', actorName: 'researcher-r' }),
    ]);
    expect(await auditEvents({ action: 'access-request.approve' })).toEqual([
      expect.objectContaining({ actorName: 'dac-member', reason: 'IRB approval on file; DUA signed' }),
    ]);
    expect(await auditEvents({ action: 'grant.create', resource: `grant:${grantId}` })).toEqual([
      expect.objectContaining({ details: expect.objectContaining({ project: 'lung-restricted' }) }),
    ]);
    // A route denial (wrong role) is recorded too, and paging walks the log.
    expect((await auditEvents({ action: 'access.denied', resource: 'route' })).some((e) => e.targetId === 'GET /audit')).toBe(true);
    const page = await admin.request<{ events: AuditEvent[]; cursor?: string }>('GET', '/audit?limit=5');
    expect(page.events).toHaveLength(5);
    const next = await admin.request<{ events: AuditEvent[] }>('GET', `/audit?limit=5&cursor=${page.cursor}`);
    expect(next.events[0]!.at <= page.events[4]!.at).toBe(true);
    // No file names or DICOM values: ids only.
    expect(JSON.stringify(await auditEvents({}))).not.toMatch(/IM\d+\.dcm/);
  });

  it('denies the same download after the grant is revoked', async () => {
    await expect(researcher.request('DELETE', `/grants/${grantId}`)).rejects.toMatchObject({ status: 403 });
    expect(await dac.request('DELETE', `/grants/${grantId}?reason=${encodeURIComponent('DUA ended')}`)).toMatchObject({
      status: 'revoked',
    });
    expect(await auditEvents({ action: 'grant.revoke', resource: `grant:${grantId}` })).toEqual([
      expect.objectContaining({ actorName: 'dac-member', reason: 'DUA ended' }),
    ]);

    const { code, stdout, stderr } = await runCli(['download', manifestPath, '--out', join(dataDir, 'after-revocation'), '--jobs', '4'])
      .exited;
    expect(code).toBe(1);
    expect(stdout).toContain(`${FILES} failed`);
    // Each failed object is named by the file it would have become.
    expect(stderr.split('\n').filter((l) => /^failed [\d.]+\/[\d.]+\/[\d.]+\.dcm: /.test(l))).toHaveLength(FILES);
    expect(stderr).toContain('not available to you (404');
    expect(await researcher.request<Manifest>('GET', `/cohorts/${cohortId}/manifest`)).toMatchObject({
      objectCount: 0,
      withheldStudies: 1,
    });
    await expect(researcher.studyFiles(restrictedStudy)).rejects.toMatchObject({ status: 404 });
    expect((await researcher.request<{ grants: unknown[] }>('GET', '/grants')).grants).toEqual([]);
  });

  async function auditEvents(filter: Record<string, string>): Promise<AuditEvent[]> {
    const out: AuditEvent[] = [];
    let cursor: string | undefined;
    do {
      const params = new URLSearchParams({ ...filter, limit: '500', ...(cursor ? { cursor } : {}) });
      const page = await admin.request<{ events: AuditEvent[]; cursor?: string }>('GET', `/audit?${params}`);
      out.push(...page.events);
      cursor = page.cursor;
    } while (cursor);
    return out.reverse(); // oldest first
  }

  async function finished(): Promise<string[]> {
    return (await walk(outDir())).filter((f) => f.endsWith('.dcm'));
  }

  function runCli(args: string[]): { child: ChildProcess; exited: Promise<{ code: number | null; stdout: string; stderr: string }> } {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, HILUM_API_URL: commons.apiUrl, HILUM_TOKEN: researcherToken },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    return { child, exited: new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr }))) };
  }
});

async function walk(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(full)));
    else out.push(full);
  }
  return out;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
