/**
 * The roles of a signed-in person, read from their token's groups the way the API reads
 * them (layers/access/caller.ts): `site-uploader:<site>` groups make a site uploader.
 */

export type PortalRole = 'researcher' | 'curator' | 'dac' | 'admin' | 'site-uploader' | 'evaluator' | 'linker';

export const PORTAL_ROLES: readonly PortalRole[] = ['researcher', 'curator', 'dac', 'admin', 'site-uploader', 'evaluator', 'linker'];

const SITE_UPLOADER_PREFIX = 'site-uploader:';

export function rolesOf(groups: readonly string[]): PortalRole[] {
  const roles = new Set<PortalRole>();
  for (const g of groups) {
    if (g.startsWith(SITE_UPLOADER_PREFIX)) roles.add('site-uploader');
    else if ((PORTAL_ROLES as readonly string[]).includes(g)) roles.add(g as PortalRole);
  }
  return PORTAL_ROLES.filter((r) => roles.has(r));
}

export function uploaderSitesOf(groups: readonly string[]): string[] {
  return groups.filter((g) => g.startsWith(SITE_UPLOADER_PREFIX)).map((g) => g.slice(SITE_UPLOADER_PREFIX.length));
}

/** Whether someone with `groups` may open a page meant for `allowed` ('signed-in': anyone with a session). */
export function mayOpen(allowed: readonly PortalRole[] | 'signed-in', groups: readonly string[]): boolean {
  if (allowed === 'signed-in') return true;
  const mine = rolesOf(groups);
  return allowed.some((r) => mine.includes(r));
}
