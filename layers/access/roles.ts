/**
 * The roles hilum knows, read from a caller's Cognito groups. `site-uploader:<site>`
 * groups all count as the role `site-uploader` (the site is checked per record).
 */
import type { Caller, Role } from './caller';

export const ROLES = ['researcher', 'curator', 'dac', 'admin', 'site-uploader', 'evaluator', 'linker'] as const satisfies readonly Role[];

export function rolesOf(caller: Pick<Caller, 'groups' | 'uploaderSites'>): Role[] {
  return ROLES.filter((role) => (role === 'site-uploader' ? caller.uploaderSites.length > 0 : caller.groups.includes(role)));
}

export function holds(caller: Pick<Caller, 'groups' | 'uploaderSites'>, role: Role): boolean {
  return role === 'site-uploader' ? caller.uploaderSites.length > 0 : caller.groups.includes(role);
}
