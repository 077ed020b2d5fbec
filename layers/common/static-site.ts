/**
 * How a static web build is published: each file's Content-Type from its extension, its
 * Cache-Control from whether its name carries a content hash, and which objects of a previous
 * build go. Pure: the portal's publisher (layers/adapters/aws/portal-publisher.ts) applies it.
 */

/** The configuration file the deploy writes beside the build (the portal reads it at start). */
export const SITE_CONFIG_KEY = 'portal-config.json';

/** The files whose names carry no hash: CloudFront's copies of them are cleared on every deploy. */
export const UNHASHED_ENTRY_KEYS = ['index.html', SITE_CONFIG_KEY] as const;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json',
  map: 'application/json',
  wasm: 'application/wasm',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  ico: 'image/x-icon',
  txt: 'text/plain; charset=utf-8',
  woff: 'font/woff',
  woff2: 'font/woff2',
  ttf: 'font/ttf',
  webmanifest: 'application/manifest+json',
  xml: 'application/xml',
  traineddata: 'application/octet-stream',
  gz: 'application/gzip',
};

/** The Content-Type of a file of the build; unknown extensions are served as bytes, never sniffed. */
export function contentTypeOf(key: string): string {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  return CONTENT_TYPES[extension] ?? 'application/octet-stream';
}

/**
 * Vite names what it emits under `assets/` by content hash, so a name never changes content: browsers
 * and CloudFront keep those for a year. Everything else (index.html, the config, files copied as-is
 * from public/) is revalidated on every use, so a deploy shows at the next page load.
 */
export function cacheControlOf(key: string): string {
  return key.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
}

/** The keys of a bucket that a new build no longer has (sorted, for a stable log and test). */
export function staleKeys(existing: Iterable<string>, published: Iterable<string>): string[] {
  const keep = new Set(published);
  return [...new Set(existing)].filter((key) => !keep.has(key)).sort();
}
