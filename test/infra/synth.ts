import { NestedStack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createCommonsApp } from '../../infra/app';
import { CommonsStack } from '../../infra/stacks/commons-stack';

export type Json = Record<string, unknown>;
export interface CfnResource {
  Type: string;
  Properties?: Json;
  Metadata?: Json;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

export interface Synthesized {
  readonly stack: CommonsStack;
  readonly template: Template;
  readonly resources: Readonly<Record<string, CfnResource>>;
}

/**
 * Synthesizes the commons without bundling or nag, as the local runtime does. Call once per file.
 * The API lives in a nested stack (infra/stacks/commons-stack.ts): its resources are flattened
 * into `template` and `resources`, each of its parameters replaced by what the parent passes
 * (a function's `Fn::GetAtt`, the user pool's ARN), so tests read one template as before.
 */
export function synthCommons(context?: Record<string, unknown>): Synthesized {
  const { stack } = createCommonsApp({ nag: false, bundle: false, context });
  const parent = Template.fromStack(stack).toJSON() as { Resources: Record<string, CfnResource> };
  const flattened: Record<string, CfnResource> = { ...parent.Resources };
  for (const nested of stack.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack)) {
    const [, reference] = Object.entries(parent.Resources).find(
      ([id, r]) => r.Type === 'AWS::CloudFormation::Stack' && id.startsWith(nested.node.id),
    )!;
    const passed = (reference.Properties?.Parameters ?? {}) as Json;
    const inner = Template.fromStack(nested).toJSON() as { Resources: Record<string, CfnResource> };
    for (const [id, resource] of Object.entries(inner.Resources)) {
      if (id in flattened) throw new Error(`nested stack ${nested.node.id} repeats the logical id ${id}`);
      flattened[id] = withParameters(resource, passed) as CfnResource;
    }
  }
  const template = Template.fromJSON({ ...parent, Resources: flattened });
  return { stack, template, resources: flattened };
}

function withParameters(value: unknown, passed: Json): unknown {
  if (Array.isArray(value)) return value.map((v) => withParameters(v, passed));
  if (!value || typeof value !== 'object') return value;
  const ref = (value as Json).Ref;
  if (typeof ref === 'string' && Object.keys(value).length === 1 && ref in passed) return passed[ref];
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withParameters(v, passed)]));
}

/** [logicalId, resource] of the single resource whose Metadata[key] === value. */
export function byMetadata(resources: Readonly<Record<string, CfnResource>>, key: string, value: string): [string, CfnResource] {
  const found = Object.entries(resources).filter(([, r]) => r.Metadata?.[key] === value);
  if (found.length !== 1) throw new Error(`expected one resource with ${key}=${value}, found ${found.length}`);
  return found[0]!;
}

export function ofType(resources: Readonly<Record<string, CfnResource>>, type: string): [string, CfnResource][] {
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}

/**
 * Renders a `DefinitionString` (a string or an `Fn::Join`) to the definition
 * object, with placeholders for the intrinsics: `Ref X` -> `${X}` (AWS::Partition
 * -> aws) and `GetAtt X.Arn` -> a Lambda ARN whose function name is `X`, so the
 * result is valid ASL and tasks can be traced back to their functions.
 */
export function renderDefinition(definitionString: unknown): Json {
  const part = (p: unknown): string => {
    if (typeof p === 'string') return p;
    const o = p as Json;
    if (typeof o.Ref === 'string')
      return o.Ref === 'AWS::Partition'
        ? 'aws'
        : o.Ref === 'AWS::Region'
          ? 'us-east-1'
          : o.Ref === 'AWS::AccountId'
            ? '123456789012'
            : `\${${o.Ref}}`;
    const getAtt = o['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `arn:aws:lambda:us-east-1:123456789012:function:${String(getAtt[0])}`;
    throw new Error(`unexpected intrinsic in a definition: ${JSON.stringify(p)}`);
  };
  if (typeof definitionString === 'string') return JSON.parse(definitionString) as Json;
  const join = (definitionString as Json)['Fn::Join'] as [string, unknown[]];
  return JSON.parse(join[1].map(part).join(join[0])) as Json;
}

/** The logical id a rendered FunctionName placeholder points at. */
export function functionLogicalId(functionName: unknown): string {
  const m = /function:([A-Za-z0-9]+)$/.exec(String(functionName));
  if (!m?.[1]) throw new Error(`not a rendered function ARN: ${String(functionName)}`);
  return m[1];
}
