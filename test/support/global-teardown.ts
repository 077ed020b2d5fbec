import { removeScratchFolder, stopSharedDynamoDbLocal } from './global-setup';

/** jest's globalTeardown: stops the run's shared DynamoDB Local, then removes the run's temporary folder (global-setup.ts). */
export default async function globalTeardown(): Promise<void> {
  await stopSharedDynamoDbLocal();
  await removeScratchFolder();
}
