import { stopSharedDynamoDbLocal } from './global-setup';

/** jest's globalTeardown: stops the run's shared DynamoDB Local (global-setup.ts). */
export default async function globalTeardown(): Promise<void> {
  await stopSharedDynamoDbLocal();
}
