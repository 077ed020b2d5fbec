/**
 * Matching a location's path against the portal's route patterns (`/cohorts/:cohortId`).
 * Pure, so the router's behaviour is unit-tested without a browser.
 */

export type RouteParams = Readonly<Record<string, string>>;

/** The parameters of `path` under `pattern`, or undefined when it does not match. */
export function matchPath(pattern: string, path: string): RouteParams | undefined {
  const want = segments(pattern);
  const got = segments(path);
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(':')) {
      const value = safeDecode(g);
      if (value === undefined || value === '') return undefined;
      params[w.slice(1)] = value;
    } else if (w !== g) return undefined;
  }
  return params;
}

/** A pattern filled with parameters, each encoded as one path segment. */
export function pathOf(pattern: string, params: RouteParams = {}): string {
  return `/${segments(pattern)
    .map((s) => (s.startsWith(':') ? encodeURIComponent(params[s.slice(1)] ?? '') : s))
    .join('/')}`;
}

function segments(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
