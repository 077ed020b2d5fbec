/**
 * CORS for the API's answers. A deployment names the exact browser origins of its portal
 * (context `apiOrigins`, checked at synth by infra/constructs/cors-origins.ts); API Gateway
 * answers their preflights, and every answer of a handler carries these headers, so the
 * portal can read it. Any other origin gets no CORS header at all, so a page there cannot read
 * an answer even with a token it holds.
 */

/** Request headers a portal may send (the preflight's Access-Control-Allow-Headers). */
export const CORS_ALLOW_HEADERS = ['Authorization', 'Content-Type', 'Accept', 'X-Hilum-Submission'] as const;

/** Answer headers a portal may read besides the simple ones: redirects (303), QIDO-RS warnings, sizes, a quarantine preview's source size. */
export const CORS_EXPOSE_HEADERS = ['Location', 'Warning', 'Content-Length', 'Content-Location', 'X-Hilum-Source-Size'] as const;

/** How long a browser may keep a preflight's answer, in seconds. */
export const CORS_MAX_AGE_SECONDS = 600;

/** The environment value naming the origins: a JSON list of strings; anything else is none. */
export function parseOrigins(value: string | undefined): readonly string[] {
  if (!value) return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed.filter((o): o is string => typeof o === 'string') : [];
  } catch {
    return [];
  }
}

/** The CORS headers of an answer to a request from `origin`: none unless it is one of `allowed`, exactly. */
export function corsHeaders(origin: string | undefined, allowed: readonly string[]): Record<string, string> {
  if (allowed.length === 0) return {};
  if (!origin || !allowed.includes(origin)) return { vary: 'Origin' };
  return {
    'access-control-allow-origin': origin,
    'access-control-expose-headers': CORS_EXPOSE_HEADERS.join(','),
    vary: 'Origin',
  };
}
