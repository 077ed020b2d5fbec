/**
 * Who is calling: the subject, groups and uploader sites read from the claims of a
 * Cognito ID token (or the local issuer's look-alike). Pure: the token itself is
 * verified by layers/adapters/aws/token-verifier.ts, which hands its claims here.
 */
export interface Caller {
  readonly subject: string;
  readonly username: string;
  readonly groups: readonly string[];
  /** Sites this caller may upload for, from `site-uploader:<site>` groups. */
  readonly uploaderSites: readonly string[];
}

export type Role = 'researcher' | 'curator' | 'dac' | 'admin' | 'site-uploader' | 'evaluator' | 'linker';

/** The claims of a verified token, as the verifier returns them. */
export type CallerClaims = Readonly<Record<string, unknown>>;

const SITE_UPLOADER_PREFIX = 'site-uploader:';

export function callerFromClaims(claims: CallerClaims): Caller {
  const rawGroups = claims['cognito:groups'];
  const groups = Array.isArray(rawGroups) ? rawGroups.filter((g): g is string => typeof g === 'string') : [];
  const username = typeof claims['cognito:username'] === 'string' ? claims['cognito:username'] : String(claims.sub ?? '');
  return {
    subject: String(claims.sub ?? ''),
    username,
    groups,
    uploaderSites: groups.filter((g) => g.startsWith(SITE_UPLOADER_PREFIX)).map((g) => g.slice(SITE_UPLOADER_PREFIX.length)),
  };
}
