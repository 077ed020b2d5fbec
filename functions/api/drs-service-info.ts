import { drsServiceInfo } from '../../layers/drs';
import { httpHandler } from '../../layers/adapters/aws/http';

/** GET /ga4gh/drs/v1/service-info: GA4GH service-info of the DRS (any signed-in caller). */
export const handler = httpHandler({ errorShape: 'drs' }, async function describeDrsService({ event }) {
  return {
    statusCode: 200,
    body: drsServiceInfo(event.requestContext?.domainName ?? 'localhost', '1.0.0'),
  };
});
