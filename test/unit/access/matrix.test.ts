import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROUTES } from '../../../functions/registry';
import { authorizeRoute, policyOf, ROLES, ROUTE_POLICIES, routeKey } from '../../../layers/access';
import { renderMatrixMarkdown } from '../../../layers/access/matrix-doc';
import type { Caller } from '../../../layers/access/caller';

const callerWith = (groups: string[]): Caller => ({
  subject: 's',
  username: 'u',
  groups,
  uploaderSites: groups.filter((g) => g.startsWith('site-uploader:')).map((g) => g.slice(14)),
});
const GROUP = {
  researcher: 'researcher',
  curator: 'curator',
  dac: 'dac',
  admin: 'admin',
  'site-uploader': 'site-uploader:site-a',
  evaluator: 'evaluator',
  linker: 'linker',
} as const;

describe('the route x role matrix', () => {
  it('names exactly the routes of the API', () => {
    expect(ROUTE_POLICIES.map((p) => routeKey(p.method, p.path)).sort()).toEqual(ROUTES.map((r) => routeKey(r.method, r.path)).sort());
    expect(new Set(ROUTE_POLICIES.map((p) => routeKey(p.method, p.path))).size).toBe(ROUTE_POLICIES.length);
  });

  it.each(ROUTES.flatMap((r) => ROLES.map((role) => [r.method, r.path, role] as const)))(
    '%s %s as %s: as the matrix says',
    (method, path, role) => {
      const decision = authorizeRoute(callerWith([GROUP[role]]), method, path);
      const cell = policyOf(method, path)!.roles[role];
      expect(decision.allowed ? decision.level : 'denied').toBe(cell ?? 'denied');
    },
  );

  it('refuses a caller without roles and a route missing from the matrix', () => {
    expect(authorizeRoute(callerWith([]), 'GET', '/studies').allowed).toBe(false);
    expect(authorizeRoute(callerWith(['curator']), 'GET', '/not-a-route')).toEqual({
      allowed: false,
      reason: 'route not in the access matrix',
    });
  });

  it('gives a caller with several roles the widest level', () => {
    expect(authorizeRoute(callerWith(['researcher', 'dac']), 'GET', '/access-requests')).toMatchObject({ allowed: true, level: 'all' });
    expect(authorizeRoute(callerWith(['researcher']), 'GET', '/access-requests')).toMatchObject({ allowed: true, level: 'own' });
  });

  it('is the table docs/access.md shows (regenerate it with renderMatrixMarkdown() when the matrix changes)', () => {
    const doc = readFileSync(join(__dirname, '../../../docs/access.md'), 'utf8');
    expect(doc).toContain(renderMatrixMarkdown());
  });
});
