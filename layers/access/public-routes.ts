import type { HttpMethod } from './matrix';

/**
 * The routes anyone may call, with no token: they serve no data and no counts, only that the
 * API is up (and its version) and the API's own description. Apart from the route catalogue
 * (matrix.ts), whose every route needs a signed-in role: behind API Gateway these methods have
 * no authorizer, and their function verifies no token. docs/access.md lists them in its table.
 */
export const PUBLIC_ROUTE_CATALOGUE = {
  health: { method: 'GET', path: '/health' },
  apiDescription: { method: 'GET', path: '/openapi.json' },
} as const satisfies Record<string, { readonly method: HttpMethod; readonly path: string }>;

export type PublicRouteId = keyof typeof PUBLIC_ROUTE_CATALOGUE;

export interface PublicRoutePolicy {
  readonly id: PublicRouteId;
  readonly method: HttpMethod;
  readonly path: string;
}

export const PUBLIC_ROUTE_POLICIES: readonly PublicRoutePolicy[] = (Object.keys(PUBLIC_ROUTE_CATALOGUE) as PublicRouteId[]).map((id) => ({
  id,
  ...PUBLIC_ROUTE_CATALOGUE[id],
}));

/** What each public route does: the "what" column of docs/access.md. */
export const PUBLIC_ROUTE_SUMMARIES: Readonly<Record<PublicRouteId, string>> = {
  health: 'the API is up: status and version, no data (load balancers, monitors)',
  apiDescription: 'the OpenAPI 3.1 description of this API (docs/openapi.json)',
};
