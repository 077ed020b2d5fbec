/**
 * The synthesized CloudFormation template as data, and the lookup of hilum's resources by the
 * `hilum:*` metadata CDK writes on them.
 */

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly Condition?: string;
  readonly DependsOn?: unknown;
}

export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Parameters?: Record<string, { readonly Type?: string; readonly Default?: unknown }>;
  readonly Conditions?: Record<string, unknown>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly Outputs?: Record<string, unknown>;
}

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

export function asTemplate(value: unknown): CfnTemplate {
  if (!isRecord(value) || !isRecord(value.Resources)) {
    throw new TemplateError('not a CloudFormation template: no Resources');
  }
  return value as unknown as CfnTemplate;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface FoundResource {
  readonly logicalId: string;
  readonly resource: CfnResource;
}

export function metadataOf(resource: CfnResource, key: string): string | undefined {
  const value = resource.Metadata?.[key];
  return typeof value === 'string' ? value : undefined;
}

/** Resources carrying `Metadata[key]`, keyed by that metadata value (which must be unique). */
export function resourcesByMetadata(template: CfnTemplate, key: string, type?: string): Map<string, FoundResource> {
  const found = new Map<string, FoundResource>();
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const value = metadataOf(resource, key);
    if (value === undefined || (type !== undefined && resource.Type !== type)) continue;
    const previous = found.get(value);
    if (previous) {
      throw new TemplateError(`two resources carry ${key}=${value}: ${previous.logicalId} and ${logicalId}`);
    }
    found.set(value, { logicalId, resource });
  }
  return found;
}

export function resourcesOfType(template: CfnTemplate, ...types: string[]): FoundResource[] {
  return Object.entries(template.Resources)
    .filter(([, r]) => types.includes(r.Type))
    .map(([logicalId, resource]) => ({ logicalId, resource }));
}
