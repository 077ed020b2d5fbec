/**
 * Browser origins a deployment lets through CORS, checked at synth. Only exact origins
 * are accepted (`https://portal.example.org`, a port allowed; plain http only for a
 * loopback host, for a portal under development): never `*` nor a wildcard subdomain,
 * since with one any web page could drive uploads through a leaked presigned URL and
 * read the answers. An empty list means no CORS rule at all (the CLI and the gateway
 * are not browsers and need none).
 */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export function exactOrigins(origins: readonly string[] | undefined, context: string): string[] {
  const checked = (origins ?? []).map((origin) => {
    const refuse = (why: string): never => {
      throw new Error(
        `hilum: ${context}: '${origin}' is not allowed (${why}); list exact origins such as https://portal.example.org, or none for no CORS at all`,
      );
    };
    if (origin.includes('*'))
      refuse('a wildcard lets any matching web page drive uploads with a leaked presigned URL and read the answers');
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return refuse('not an origin');
    }
    if (url.origin !== origin)
      refuse('an origin is scheme://host[:port] in lower case, with no default port, path, query, user or trailing slash');
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname)))
      refuse('https only, except a loopback host');
    return origin;
  });
  return [...new Set(checked)];
}
