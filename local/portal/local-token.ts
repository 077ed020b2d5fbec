import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * The local role picker's token route: exists only on the local commons' server (never in
 * the route catalogue, so never in API Gateway). It signs a local token for the groups asked
 * for, to a browser that presents the sign-in key `hilum start` printed, from a page of the
 * commons' own loopback origin.
 */

export const LOCAL_TOKEN_PATH = '/local/token';
export const LOCAL_KEY_HEADER = 'x-hilum-local-key';

const ROLE_GROUPS = new Set(['researcher', 'curator', 'dac', 'admin', 'linker', 'evaluator']);
const SITE_GROUP = /^site-uploader:[A-Za-z0-9._-]{1,64}$/;
const USERNAME = /^[A-Za-z0-9._@-]{1,64}$/;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Why a request may not sign in (status and a message), or undefined when it may. */
export function acceptsLocalSignIn(headers: IncomingHttpHeaders, signInKey: string): { status: number; message: string } | undefined {
  // DNS rebinding: a page of another site that resolves its name to 127.0.0.1 still sends its own Host.
  if (!LOOPBACK_HOSTS.has(hostnameOf(`http://${headers.host ?? ''}`) ?? ''))
    return { status: 403, message: 'local sign-in answers loopback hosts only' };
  const origin = headers.origin;
  if (origin !== undefined && !LOOPBACK_HOSTS.has(hostnameOf(origin) ?? ''))
    return { status: 403, message: 'local sign-in answers the portal only' };
  // A JSON content type makes any cross-origin request a preflighted one, which this server refuses.
  if (!String(headers['content-type'] ?? '').startsWith('application/json')) return { status: 415, message: 'send application/json' };
  const presented = Buffer.from(String(headers[LOCAL_KEY_HEADER] ?? ''));
  const expected = Buffer.from(signInKey);
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected))
    return {
      status: 403,
      message: 'open the portal from the address hilum start printed (it carries the sign-in key), then sign in again',
    };
  return undefined;
}

export function localTokenRequest(body: Buffer): { groups: string[]; username: string } | { message: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return { message: 'the body is not JSON' };
  }
  const { groups, username } = (parsed ?? {}) as { groups?: unknown; username?: unknown };
  if (!Array.isArray(groups) || groups.length === 0 || groups.length > 5) return { message: 'groups: one to five roles' };
  for (const g of groups) {
    if (typeof g !== 'string' || !(ROLE_GROUPS.has(g) || SITE_GROUP.test(g)))
      return { message: 'groups: researcher, curator, dac, admin, evaluator, linker or site-uploader:<site>' };
  }
  if (username !== undefined && (typeof username !== 'string' || !USERNAME.test(username)))
    return { message: 'username: letters, digits and . _ @ - (at most 64)' };
  const first = (groups[0] as string).replace(':', '-');
  return { groups: groups as string[], username: (username as string | undefined) ?? `local-${first}` };
}

function hostnameOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}
