/**
 * The route x role matrix, walked over HTTP on the local commons: every route of
 * ROUTES, called with no token, an invalid token, and a token of each role, must be
 * refused (401 / 403) or let through exactly as layers/access/matrix.ts says. "Let
 * through" means the handler ran: it answers what it answers to a probe with unknown
 * ids or a body it refuses (404, 400, 200...), never 401, 403 or a server error.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROUTES } from '../../functions/registry';
import { policyOf, ROLES } from '../../layers/access';
import { startLocalCommons, LocalCommons } from '../../local/commons';

jest.setTimeout(300_000);

const PARAMS: Record<string, string> = {
  submissionId: '00000000-0000-4000-8000-000000000001',
  fileId: '00000000-0000-4000-8000-000000000002',
  quarantineId: '00000000-0000-4000-8000-000000000003',
  cohortId: '00000000-0000-4000-8000-000000000004',
  requestId: '00000000-0000-4000-8000-000000000005',
  grantId: '00000000-0000-4000-8000-000000000006',
  project: 'probe-project',
  studyUid: '2.25.1',
  study: '2.25.1',
  series: '2.25.2',
  instance: '2.25.3',
  object_id: 'hilum:2.25.3',
  access_id: 'released',
};
const GROUPS = {
  researcher: 'researcher',
  curator: 'curator',
  dac: 'dac',
  admin: 'admin',
  'site-uploader': 'site-uploader:site-a',
  evaluator: 'evaluator',
  linker: 'linker',
} as const;

describe('every route with every role', () => {
  let dataDir: string;
  let commons: LocalCommons;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-matrix-'));
    commons = await startLocalCommons({
      dataDir,
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'ERROR',
    });
    for (const role of ROLES) tokens[role] = await commons.issueToken([GROUPS[role]], `probe-${role}`);
  });

  afterAll(async () => {
    await commons?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function call(method: string, path: string, authorization?: string): Promise<number> {
    const url = commons.apiUrl + path.replace(/\{([A-Za-z_]+)\}/g, (_, name: string) => PARAMS[name]!);
    const response = await fetch(url, {
      method,
      redirect: 'manual',
      headers: {
        ...(authorization ? { authorization } : {}),
        ...(method === 'POST' || method === 'PUT' ? { 'content-type': 'application/json' } : {}),
      },
      ...(method === 'POST' || method === 'PUT' ? { body: JSON.stringify({ __probe: true }) } : {}),
    });
    await response.arrayBuffer();
    return response.status;
  }

  it.each(ROUTES.map((r) => [r.method, r.path] as const))('%s %s', async (method, path) => {
    const policy = policyOf(method, path)!;
    const seen: Record<string, string> = {};
    const expected: Record<string, string> = {};
    seen.none = String(await call(method, path));
    expected.none = '401';
    seen.invalid = String(await call(method, path, 'Bearer not.a.token'));
    expected.invalid = '401';
    for (const role of ROLES) {
      const status = await call(method, path, `Bearer ${tokens[role]}`);
      seen[role] = status === 401 || status === 403 || status >= 500 ? String(status) : 'through';
      expected[role] = policy.roles[role] ? 'through' : '403';
    }
    expect(seen).toEqual(expected);
  });
});
