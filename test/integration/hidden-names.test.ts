/**
 * Issue 11, siblings found by the review, on the local commons (real handlers, real
 * SDK clients): what a refusal tells the caller and what it leaves in the audit log.
 * - the audit keeps a handler's precise reason for a 403, not the error's name;
 * - a researcher's access request for a sequestered project is answered exactly as one
 *   for a project that does not exist (docs/access.md: sequestered projects are never
 *   shown to researchers), and the audit says which it was;
 * - a site is answered the same 404 for a project that does not exist and for one that
 *   does not list it (POST /submissions, GET /projects/{project}/site-key), so it cannot
 *   probe project names, sequestered ones included; the audit says which it was;
 * - GET /releases gives a researcher the release notes but not the subject id of the
 *   curator who cut it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HilumApi } from '../../cli/lib/api-client';
import { localSubject } from '../../local/auth/local-issuer';
import { startLocalCommons, type LocalCommons } from '../../local/commons';

jest.setTimeout(300_000);

const SEQUESTERED = 'names-sequestered';
const UNKNOWN = 'names-nowhere';
const REQUEST = { purpose: 'Evaluate a triage model on restricted chest films', duaVersion: '2026-1', duaAccepted: true };

interface AuditEvent {
  action: string;
  outcome?: string;
  actor: string;
  actorName?: string;
  targetType: string;
  targetId: string;
  reason?: string;
  details?: Record<string, unknown>;
}

/** The status and body of a call that is expected to fail. */
async function refusal(call: Promise<unknown>): Promise<{ status: number; body: unknown }> {
  try {
    await call;
  } catch (error) {
    return { status: (error as { status: number }).status, body: (error as { body: unknown }).body };
  }
  throw new Error('the call succeeded');
}

describe('refusals that name nothing hidden, and an audit that keeps why', () => {
  let dataDir: string;
  let commons: LocalCommons;
  let curator: HilumApi;
  let admin: HilumApi;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-hidden-names-'));
    commons = await startLocalCommons({
      dataDir,
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'ERROR',
    });
    curator = new HilumApi(commons.apiUrl, await commons.issueToken(['curator'], 'curator-n'));
    admin = new HilumApi(commons.apiUrl, await commons.issueToken(['admin'], 'admin-n'));
    await curator.request('POST', '/projects', {
      projectId: 'names-restricted',
      name: 'restricted',
      availability: 'restricted',
      sites: ['site-a'],
    });
    await curator.request('POST', '/projects', {
      projectId: SEQUESTERED,
      name: 'sequestered',
      availability: 'sequestered',
      sites: ['site-a'],
    });
  });

  afterAll(async () => {
    await commons?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function auditEvents(query: Record<string, string>): Promise<AuditEvent[]> {
    const { events } = await admin.request<{ events: AuditEvent[] }>('GET', `/audit?${new URLSearchParams({ ...query, limit: '500' })}`);
    return events;
  }

  describe("a researcher's project request: sequestered is unknown", () => {
    it('answers a request for a sequestered project exactly as one for a project that does not exist, whatever the DUA', async () => {
      const researcher = new HilumApi(commons.apiUrl, await commons.issueToken(['researcher'], 'researcher-seq-n'));
      for (const request of [REQUEST, { ...REQUEST, duaVersion: '1999-1' }]) {
        const sequestered = await refusal(researcher.request('POST', '/access-requests', { project: SEQUESTERED, ...request }));
        const unknown = await refusal(researcher.request('POST', '/access-requests', { project: UNKNOWN, ...request }));
        expect(sequestered).toEqual(unknown);
        expect(sequestered).toEqual({ status: 404, body: { message: 'no such project' } });
      }
    });

    it('audits which it was: the sequestered project denied and refused by name, the unknown one not found', async () => {
      const researcher = new HilumApi(commons.apiUrl, await commons.issueToken(['researcher'], 'researcher-seq-audit-n'));
      await refusal(researcher.request('POST', '/access-requests', { project: SEQUESTERED, ...REQUEST }));
      await refusal(researcher.request('POST', '/access-requests', { project: UNKNOWN, ...REQUEST }));
      const mine = (events: AuditEvent[]) => events.filter((e) => e.actorName === 'researcher-seq-audit-n');
      expect(mine(await auditEvents({ action: 'access.denied', resource: `project:${SEQUESTERED}` }))).toEqual([
        expect.objectContaining({ outcome: 'denied', details: { route: 'POST /access-requests', status: 404, basis: 'sequestered' } }),
      ]);
      expect(mine(await auditEvents({ action: 'access-request.refused', resource: `project:${SEQUESTERED}` }))).toEqual([
        expect.objectContaining({ reason: `project ${SEQUESTERED} is sequestered: its data is never granted to researchers` }),
      ]);
      expect(mine(await auditEvents({ action: 'access.denied', resource: `project:${UNKNOWN}` }))).toEqual([
        expect.objectContaining({ outcome: 'denied', details: { route: 'POST /access-requests', status: 404, basis: 'not-found' } }),
      ]);
    });
  });

  describe('a site that does not contribute: every project name answers alike', () => {
    const OTHERS = [SEQUESTERED, 'names-restricted', UNKNOWN];

    it('answers POST /submissions the same 404 for a sequestered or restricted project that does not list the site and for a project that does not exist', async () => {
      const siteB = new HilumApi(commons.apiUrl, await commons.issueToken(['site-uploader:site-b'], 'uploader-b-n'));
      const answers = await Promise.all(OTHERS.map((project) => refusal(siteB.createSubmission(project, 'site-b'))));
      const shown = answers.map((a) => ({ status: a.status, body: JSON.stringify(a.body).replaceAll(/names-[a-z]+/g, 'P') }));
      expect(new Set(shown.map((a) => JSON.stringify(a))).size).toBe(1);
      expect(answers[0]).toEqual({
        status: 404,
        body: {
          message: expect.stringContaining(`no such project for site site-b: '${SEQUESTERED}' does not exist or does not list the site`),
        },
      });

      // The control: the sequestered project exists, and takes the site it lists.
      const siteA = new HilumApi(commons.apiUrl, await commons.issueToken(['site-uploader:site-a'], 'uploader-a-n'));
      await expect(siteA.createSubmission(SEQUESTERED, 'site-a')).resolves.toMatchObject({ status: 'open' });
    });

    it('answers GET /projects/{project}/site-key the same 404 for a project that does not list the site and for one that does not exist', async () => {
      const siteB = new HilumApi(commons.apiUrl, await commons.issueToken(['site-uploader:site-b'], 'uploader-b-key-n'));
      const answers = await Promise.all(OTHERS.map((project) => refusal(siteB.request('GET', `/projects/${project}/site-key`))));
      const shown = answers.map((a) => ({ status: a.status, body: JSON.stringify(a.body).replaceAll(/names-[a-z]+/g, 'P') }));
      expect(new Set(shown.map((a) => JSON.stringify(a))).size).toBe(1);
      expect(answers[0]).toMatchObject({ status: 404 });

      const siteA = new HilumApi(commons.apiUrl, await commons.issueToken(['site-uploader:site-a'], 'uploader-a-key-n'));
      await expect(siteA.request('GET', `/projects/${SEQUESTERED}/site-key`)).resolves.toMatchObject({ project: SEQUESTERED });
    });

    it('audits which it was: not a contributor, or not found', async () => {
      const siteC = new HilumApi(commons.apiUrl, await commons.issueToken(['site-uploader:site-c'], 'uploader-c-n'));
      for (const project of [SEQUESTERED, UNKNOWN]) {
        await refusal(siteC.createSubmission(project, 'site-c'));
        await refusal(siteC.request('GET', `/projects/${project}/site-key`));
      }
      const mine = async (query: Record<string, string>) => (await auditEvents(query)).filter((e) => e.actorName === 'uploader-c-n');
      const bases = async (project: string) =>
        (await mine({ action: 'access.denied', resource: `project:${project}` }))
          .map((e) => [e.details?.route, e.details?.status, e.details?.basis])
          .sort();
      expect(await bases(SEQUESTERED)).toEqual([
        ['GET /projects/{project}/site-key', 404, 'site-not-a-contributor'],
        ['POST /submissions', 404, 'site-not-a-contributor'],
      ]);
      expect(await bases(UNKNOWN)).toEqual([
        ['GET /projects/{project}/site-key', 404, 'not-found'],
        ['POST /submissions', 404, 'not-found'],
      ]);
      expect(await mine({ action: 'submission.refused', resource: `project:${SEQUESTERED}` })).toEqual([
        expect.objectContaining({ details: { site: 'site-c', basis: 'site-not-a-contributor' } }),
      ]);
    });

    it('gives a site uploader no project list at all', async () => {
      const siteB = new HilumApi(commons.apiUrl, await commons.issueToken(['site-uploader:site-b'], 'uploader-b-list-n'));
      expect(await refusal(siteB.request('GET', '/projects'))).toMatchObject({ status: 403 });
    });
  });

  describe('GET /releases: the notes, not who cut it', () => {
    it("gives a researcher the release notes but not the curator's subject id, which curators still see", async () => {
      await curator.request('POST', '/releases', { name: 'first', notes: 'Chest films of 2026; CT follows in the next release.' });
      const researcher = new HilumApi(commons.apiUrl, await commons.issueToken(['researcher'], 'researcher-rel-n'));
      const seen = (await researcher.request<{ releases: Record<string, unknown>[] }>('GET', '/releases')).releases[0]!;
      expect(seen).toMatchObject({ releaseNumber: 1, name: 'first', notes: 'Chest films of 2026; CT follows in the next release.' });
      expect(seen).not.toHaveProperty('createdBy');
      expect(JSON.stringify(seen)).not.toContain(localSubject('curator-n'));

      const curated = (await curator.request<{ releases: Record<string, unknown>[] }>('GET', '/releases')).releases[0]!;
      expect(curated).toMatchObject({ releaseNumber: 1, createdBy: localSubject('curator-n') });
    });
  });

  describe("the audit keeps a handler's own basis for a 403", () => {
    it('records a DAC member refused their own request as own-request, not as Forbidden', async () => {
      const member = new HilumApi(commons.apiUrl, await commons.issueToken(['researcher', 'dac'], 'dac-researcher-n'));
      const { requestId } = await member.request<{ requestId: string }>('POST', '/access-requests', {
        project: 'names-restricted',
        ...REQUEST,
      });
      expect(await refusal(member.request('POST', `/access-requests/${requestId}/approve`, { reason: 'looks fine to me' }))).toMatchObject({
        status: 403,
      });

      expect(await auditEvents({ action: 'access.denied', resource: `access-request:${requestId}` })).toEqual([
        expect.objectContaining({
          outcome: 'denied',
          details: { route: 'POST /access-requests/{requestId}/approve', status: 403, basis: 'own-request' },
        }),
      ]);
    });

    it("still records the chain's basis when the route gate refuses a role", async () => {
      const researcher = new HilumApi(commons.apiUrl, await commons.issueToken(['researcher'], 'researcher-gate-n'));
      expect(await refusal(researcher.request('GET', '/audit'))).toMatchObject({ status: 403 });
      const denied = (await auditEvents({ action: 'access.denied' })).filter((e) => e.details?.route === 'GET /audit');
      expect(denied).toEqual([expect.objectContaining({ details: { route: 'GET /audit', status: 403, basis: 'Forbidden' } })]);
    });
  });
});
