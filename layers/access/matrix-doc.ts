import type { Role } from './caller';
import { ROUTE_POLICIES } from './matrix';
import { ROLES } from './roles';
import { ROUTE_SUMMARIES } from './route-summaries';
import { PUBLIC_ROUTE_POLICIES, PUBLIC_ROUTE_SUMMARIES } from './public-routes';

const CELL: Record<string, string> = { all: 'yes', own: 'own', data: 'data' };

export const MATRIX_BEGIN =
  '<!-- access-matrix:begin (generated from layers/access/matrix.ts and route-summaries.ts; a test checks it) -->';
export const MATRIX_END = '<!-- access-matrix:end -->';

/** The route x role table of docs/access.md, rendered from the matrix. */
export function renderMatrixMarkdown(): string {
  const header = `| route | ${ROLES.join(' | ')} | what |`;
  const rule = `| --- | ${ROLES.map(() => ':-:').join(' | ')} | --- |`;
  const rows = ROUTE_POLICIES.map(
    (p) =>
      `| \`${p.method} ${p.path}\` | ${ROLES.map((r: Role) => (p.roles[r] ? CELL[p.roles[r]!] : '403')).join(' | ')} | ${ROUTE_SUMMARIES[p.id]} |`,
  );
  // The public routes last: anyone, no token (layers/access/public-routes.ts).
  const open = PUBLIC_ROUTE_POLICIES.map(
    (p) => `| \`${p.method} ${p.path}\` | ${ROLES.map(() => 'public').join(' | ')} | ${PUBLIC_ROUTE_SUMMARIES[p.id]} |`,
  );
  return [MATRIX_BEGIN, header, rule, ...rows, ...open, MATRIX_END].join('\n');
}
