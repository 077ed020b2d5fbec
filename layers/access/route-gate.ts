import type { Caller, Role } from './caller';
import { policyOf, type Level } from './matrix';
import { rolesOf } from './roles';

export type RouteDecision =
  { readonly allowed: true; readonly level: Level; readonly roles: readonly Role[] } | { readonly allowed: false; readonly reason: string };

/** The widest level wins when a caller holds several roles (a curator who is also a researcher sees all). */
const RANK: Record<Level, number> = { own: 1, data: 2, all: 3 };

/**
 * Whether the caller may call a route at all, and how far: the matrix cell of the
 * caller's widest role. A route missing from the matrix is refused (fail closed).
 */
export function authorizeRoute(caller: Pick<Caller, 'groups' | 'uploaderSites'>, method: string, path: string): RouteDecision {
  const policy = policyOf(method, path);
  if (!policy) return { allowed: false, reason: 'route not in the access matrix' };
  const held = rolesOf(caller);
  let best: Level | undefined;
  const granting: Role[] = [];
  for (const role of held) {
    const level = policy.roles[role];
    if (!level) continue;
    granting.push(role);
    if (!best || RANK[level] > RANK[best]) best = level;
  }
  if (!best) return { allowed: false, reason: `requires one of the roles: ${Object.keys(policy.roles).join(', ')}` };
  return { allowed: true, level: best, roles: granting };
}
