import { CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The CloudFormation `Metadata` keys that make the synthesized template
 * self-describing. The local runtime reads them to map resources back to the
 * registry (functions), to the workflows and to the emulated stores, so the keys
 * and values here are a contract: change them together with `local/`.
 */
export const META = {
  bucket: 'hilum:bucket',
  table: 'hilum:table',
  functionId: 'hilum:functionId',
  entry: 'hilum:entry',
  workflow: 'hilum:workflow',
  eventBus: 'hilum:eventBus',
  secret: 'hilum:secret',
  userPool: 'hilum:userPool',
  userPoolClient: 'hilum:userPoolClient',
} as const;

export type MetaKey = (typeof META)[keyof typeof META];

/** Writes `key: value` into the CloudFormation Metadata of the construct's default resource. */
export function describe(construct: IConstruct, key: MetaKey, value: string): void {
  const resource = construct.node.defaultChild;
  if (!resource || !CfnResource.isCfnResource(resource)) {
    throw new Error(`${construct.node.path} has no CloudFormation resource to describe with ${key}`);
  }
  resource.addMetadata(key, value);
}

/** The synthesized logical id of a construct's default resource, as cdk-nag prints it in finding ids. */
export function logicalIdOf(construct: IConstruct): string {
  const resource = construct.node.defaultChild;
  if (!resource || !CfnResource.isCfnResource(resource)) {
    throw new Error(`${construct.node.path} has no CloudFormation resource`);
  }
  return Stack.of(construct).resolve(resource.logicalId) as string;
}
