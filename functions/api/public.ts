import { healthOf } from '../../layers/common/health';
import type { ErrorBody } from '../../layers/common/error-bodies';
import { publicHandler } from '../../layers/adapters/aws/public-http';
import description from '../../docs/openapi.json';

/**
 * GET /health and GET /openapi.json, for anyone (layers/access/public-routes.ts): that the API
 * answers and which version it runs, and the API's OpenAPI 3.1 description, the committed
 * docs/openapi.json (generated from the handlers' schemas; a test keeps it current). Both
 * are constants of the bundle: no table, no bucket, no token, nothing that varies with data.
 */
export const handler = publicHandler(async function describeApi(event) {
  switch (event.resource) {
    case '/health':
      return { statusCode: 200, body: healthOf(description.info.version), maxAgeSeconds: 0 };
    case '/openapi.json':
      return { statusCode: 200, body: description, maxAgeSeconds: 300 };
    default:
      return { statusCode: 404, body: { message: 'not a public route' } satisfies ErrorBody, maxAgeSeconds: 0 };
  }
});
