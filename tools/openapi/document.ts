import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { FUNCTIONS, PUBLIC_ROUTES, ROUTES, type FunctionKey } from '../../functions/registry';
import { ROUTE_CATALOGUE, type RouteId } from '../../layers/access/matrix';
import { ROUTE_SUMMARIES } from '../../layers/access/route-summaries';
import { PUBLIC_ROUTE_SUMMARIES, type PublicRouteId } from '../../layers/access/public-routes';
import { ROUTE_MEDIA } from '../../layers/access/route-media';
import { buildApiDescription, type DescribedRoute, type RouteSchemas } from '../../layers/access/api-description';
import { drsErrorBodySchema, errorBodySchema, operationOutcomeSchema } from '../../layers/common/error-bodies';
import { healthSchema } from '../../layers/common/health';
import type { DescribedHandler } from '../../layers/adapters/aws/http';

/**
 * docs/openapi.json, built from the handlers themselves: each route's handler module is loaded
 * and its `routeSpec` (the zod schemas the handler chain validates requests with, and the
 * answers it promises) is described, with the route's roles from the access matrix. Run by
 * `npm run openapi` (tools/openapi/write.ts); test/unit/access/api-description.test.ts
 * fails when the committed file differs.
 */
const ROOT = join(__dirname, '../..');
export const API_DESCRIPTION_PATH = join(ROOT, 'docs/openapi.json');

/** The public routes' answers: typed by these schemas in functions/api/public.ts and layers/common/health.ts. */
const PUBLIC_SCHEMAS: Readonly<Record<PublicRouteId, RouteSchemas>> = {
  health: { responses: { 200: healthSchema } },
  apiDescription: {
    responses: { 200: z.object({ openapi: z.string(), info: z.object({ version: z.string() }).passthrough() }).passthrough() },
  },
};

function routeSpecOf(fn: FunctionKey): RouteSchemas {
  // The handler modules are loaded for their schemas only; none is invoked.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(join(ROOT, FUNCTIONS[fn].entry)) as { handler?: Partial<DescribedHandler> };
  const spec = loaded.handler?.routeSpec;
  if (!spec) throw new Error(`${FUNCTIONS[fn].entry}: its handler is not an httpHandler (no routeSpec)`);
  return spec;
}

export function hilumVersion(): string {
  return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

export function describedRoutes(): DescribedRoute[] {
  const signedIn = ROUTES.map((route) => ({
    id: route.id,
    method: route.method,
    path: route.path,
    summary: ROUTE_SUMMARIES[route.id],
    roles: ROUTE_CATALOGUE[route.id as RouteId].roles,
    schemas: routeSpecOf(route.fn),
    ...(ROUTE_MEDIA[route.id] ? { media: ROUTE_MEDIA[route.id]! } : {}),
  }));
  const open = PUBLIC_ROUTES.map((route) => ({
    id: route.id,
    method: route.method,
    path: route.path,
    summary: PUBLIC_ROUTE_SUMMARIES[route.id],
    schemas: PUBLIC_SCHEMAS[route.id],
    ...(ROUTE_MEDIA[route.id] ? { media: ROUTE_MEDIA[route.id]! } : {}),
  }));
  return [...signedIn, ...open];
}

export function apiDescription(): Record<string, unknown> {
  return buildApiDescription({
    version: hilumVersion(),
    routes: describedRoutes(),
    errorBody: errorBodySchema,
    drsErrorBody: drsErrorBodySchema,
    operationOutcome: operationOutcomeSchema,
  });
}

/** The file's text: two-space JSON and a final newline, as Prettier leaves it. */
export function apiDescriptionText(): string {
  return `${JSON.stringify(apiDescription(), null, 2)}\n`;
}
