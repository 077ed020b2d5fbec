/**
 * The request edge of the API on the local commons: what the token verifier refuses
 * (tokens signed with the right key but missing a claim Cognito always sets, of the
 * wrong kind, for another client, expired), and that user-chosen names that collide
 * with Object.prototype (`__proto__`, `constructor`...) as a query key, a header or a
 * JSON body key reach the handler on every route and are answered cleanly and audited.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROUTES } from '../../functions/registry';
import { policyOf, ROLES } from '../../layers/access';
import type { Role } from '../../layers/access/caller';
import { localSubject } from '../../local/auth/local-issuer';
import { startLocalCommons, LocalCommons } from '../../local/commons';
import { idTokenClaims, signWithLocalKey } from '../support/tokens';

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
const GROUPS: Record<Role, string> = {
  researcher: 'researcher',
  curator: 'curator',
  dac: 'dac',
  admin: 'admin',
  'site-uploader': 'site-uploader:site-a',
  evaluator: 'evaluator',
  linker: 'linker',
};
const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'hasOwnProperty', 'toString'];

describe('the API request edge', () => {
  let dataDir: string;
  let commons: LocalCommons;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-hardening-'));
    commons = await startLocalCommons({
      dataDir,
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'SILENT',
    });
  });

  afterAll(async () => {
    await commons?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function statusOf(token: string): Promise<number> {
    const response = await fetch(`${commons.apiUrl}/releases`, { headers: { authorization: `Bearer ${token}` } });
    await response.arrayBuffer();
    return response.status;
  }

  describe('bearer tokens', () => {
    const base = () => idTokenClaims('token-probe', ['researcher']);
    const now = () => Math.floor(Date.now() / 1000);

    it("accepts a compliant ID token signed by the issuer's key (the control)", async () => {
      expect(await statusOf(await signWithLocalKey(dataDir, base()))).toBe(200);
      expect(await statusOf(await commons.issueToken(['researcher'], 'token-probe'))).toBe(200);
    });

    it.each([
      ['without exp', { exp: undefined }],
      ['without token_use', { token_use: undefined }],
      ['without iat', { iat: undefined }],
      ['without sub', { sub: undefined }],
      ['with token_use access', { token_use: 'access' }],
      ['with token_use of another kind', { token_use: 'refresh' }],
      [
        'shaped as a Cognito access token (client_id, no aud)',
        { token_use: 'access', aud: undefined, client_id: 'hilum-local', scope: 'aws.cognito.signin.user.admin' },
      ],
      ['for another client id (aud)', { aud: 'another-client' }],
      ['without aud', { aud: undefined }],
      ['expired', { iat: now() - 7200, exp: now() - 3600 }],
      ['from another issuer', { iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other' }],
    ])('refuses a token signed by the right key %s (401)', async (_label, change) => {
      expect(await statusOf(await signWithLocalKey(dataDir, { ...base(), ...change }))).toBe(401);
    });
  });

  describe('names that collide with Object.prototype', () => {
    interface Probe {
      readonly method: string;
      readonly path: string;
      readonly where: 'query' | 'header' | 'body';
      readonly name: string;
      readonly role: Role;
    }

    const roleFor = (method: string, path: string): Role => {
      const policy = policyOf(method, path)!;
      return ROLES.find((role) => policy.roles[role])!;
    };
    const probes: Probe[] = ROUTES.flatMap((route) =>
      PROTOTYPE_NAMES.flatMap((name): Probe[] => {
        const role = roleFor(route.method, route.path);
        const where: Probe['where'][] =
          route.method === 'POST' || route.method === 'PUT' ? ['query', 'header', 'body'] : ['query', 'header'];
        return where.map((w) => ({ method: route.method, path: route.path, where: w, name, role }));
      }),
    );

    it('answers every route with the name as a query key, a header and a body key cleanly (never 5xx), and audits each request', async () => {
      const tokens = new Map<Role, string>();
      for (const role of ROLES) tokens.set(role, await commons.issueToken([GROUPS[role]], `proto-${role}`));
      const from = new Date(Date.now() - 1000).toISOString();
      const failures: string[] = [];
      const sent = new Map<Role, number>();
      for (const probe of probes) {
        const path = probe.path.replace(/\{([A-Za-z_]+)\}/g, (_, param: string) => PARAMS[param]!);
        const hasBody = probe.method === 'POST' || probe.method === 'PUT';
        const body = probe.where === 'body' ? `{"${probe.name}": {"polluted": true}, "x": 1}` : JSON.stringify({ __probe: true });
        const response = await fetch(`${commons.apiUrl}${path}${probe.where === 'query' ? `?${encodeURIComponent(probe.name)}=1` : ''}`, {
          method: probe.method,
          redirect: 'manual',
          headers: {
            authorization: `Bearer ${tokens.get(probe.role)!}`,
            ...(probe.where === 'header' ? { [probe.name]: 'x' } : {}),
            ...(hasBody ? { 'content-type': 'application/json' } : {}),
          },
          ...(hasBody ? { body } : {}),
        });
        await response.arrayBuffer();
        sent.set(probe.role, (sent.get(probe.role) ?? 0) + 1);
        if (response.status >= 500) failures.push(`${probe.method} ${probe.path} ${probe.where} ${probe.name}: ${response.status}`);
      }
      expect(failures).toEqual([]);

      // Each request appended exactly one access decision: none failed before the handler chain.
      const admin = await commons.issueToken(['admin'], 'proto-auditor');
      const to = new Date(Date.now() + 1000).toISOString();
      for (const role of ROLES) {
        let decisions = 0;
        let cursor: string | undefined;
        do {
          const query = new URLSearchParams({
            actor: localSubject(`proto-${role}`),
            from,
            to,
            limit: '500',
            ...(cursor ? { cursor } : {}),
          });
          const response = await fetch(`${commons.apiUrl}/audit?${query}`, { headers: { authorization: `Bearer ${admin}` } });
          expect(response.status).toBe(200);
          const page = (await response.json()) as { events: { action: string }[]; cursor?: string };
          decisions += page.events.filter((e) => e.action.startsWith('access.')).length;
          cursor = page.cursor;
        } while (cursor);
        expect({ role, decisions }).toEqual({ role, decisions: sent.get(role) ?? 0 });
      }
    });
  });
});
