import { s3Client } from '../../layers/adapters/aws/clients';
import { customResourceHandler } from '../../layers/adapters/aws/custom-resource';
import { cloudFrontInvalidator, portalSiteEvent } from '../../layers/adapters/aws/portal-publisher';

/**
 * The portal's deploy (infra/constructs/portal.ts): a CloudFormation custom resource that copies the
 * build from its CDK assets into the portal bucket, writes portal-config.json and clears CloudFront's
 * copies of the unhashed files, then answers CloudFormation (also on failure).
 */
export const handler = customResourceHandler(async function publishPortal(event) {
  return portalSiteEvent(event, () => ({ s3: s3Client(), invalidate: cloudFrontInvalidator(s3Client()) }));
});
