import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CfnElement, NestedStack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CommonsStack } from '../../infra/stacks/commons-stack';

export type Json = Record<string, unknown>;
export interface CfnResource {
  Type: string;
  Properties?: Json;
  Metadata?: Json;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

export interface Synthesized {
  /** The construct tree; built on first use only (tens of seconds), since a cached template has none. */
  readonly stack: CommonsStack;
  readonly template: Template;
  readonly resources: Readonly<Record<string, CfnResource>>;
  /** The logical id of the CloudFormation resource at a construct path under the stack, e.g. `Catalog/Key/Resource`. */
  logicalIdAt(constructPath: string): string;
}

/**
 * Synthesizes the commons without bundling or nag, as the local runtime does, or reads the template
 * an earlier synthesis of the same sources and context kept (the cache below). Call once per file.
 * The API lives in a nested stack (infra/stacks/commons-stack.ts): its resources are flattened
 * into `template` and `resources`, each of its parameters replaced by what the parent passes
 * (a function's `Fn::GetAtt`, the user pool's ARN), so tests read one template as before.
 */
export function synthCommons(context?: Record<string, unknown>): Synthesized {
  const key = synthCacheKey(context);
  const dir = synthCacheDir();
  let synthesized = dir ? readSynthCache(dir, key) : undefined;
  let stack: CommonsStack | undefined;
  if (!synthesized) {
    ({ stack, synthesized } = synthesizeFlattened(context));
    // A source edited while synthesizing would leave a template under a key it does not match.
    if (dir && synthCacheKey(context) === key) writeSynthCache(dir, key, synthesized);
  }
  const { template, logicalIds } = synthesized;
  return {
    get stack() {
      stack ??= createApp({ nag: false, bundle: false, context }).stack;
      return stack;
    },
    template: Template.fromJSON(template),
    resources: template.Resources,
    logicalIdAt(constructPath) {
      const id = logicalIds[constructPath];
      if (!id) throw new Error(`no CloudFormation resource at ${constructPath}`);
      return id;
    },
  };
}

interface FlatTemplate {
  readonly template: { Resources: Record<string, CfnResource> } & Json;
  /** Construct path under the stack (nested stacks' paths included) -> logical id in the flattened template. */
  readonly logicalIds: Record<string, string>;
}

// Loaded when a synthesis is needed: a cached template does not pay for infra/'s modules.
function createApp(...args: Parameters<typeof import('../../infra/app').createCommonsApp>) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../../infra/app') as typeof import('../../infra/app')).createCommonsApp(...args);
}

function synthesizeFlattened(context: Record<string, unknown> | undefined): { stack: CommonsStack; synthesized: FlatTemplate } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { CfnElement: Element, NestedStack: Nested, Stack } = require('aws-cdk-lib') as typeof import('aws-cdk-lib');
  const { stack } = createApp({ nag: false, bundle: false, context });
  const parent = Template.fromStack(stack).toJSON() as { Resources: Record<string, CfnResource> };
  const flattened: Record<string, CfnResource> = { ...parent.Resources };
  for (const nested of stack.node.findAll().filter((c): c is NestedStack => c instanceof Nested)) {
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
  const logicalIds: Record<string, string> = {};
  for (const element of stack.node.findAll().filter((c): c is CfnElement => c instanceof Element)) {
    const constructPath = element.node.path.slice(stack.node.path.length + 1);
    logicalIds[constructPath] = Stack.of(element).getLogicalId(element);
  }
  return { stack, synthesized: { template: { ...parent, Resources: flattened }, logicalIds } };
}

/*
 * Synthesis takes 10-45 s and seven infra files ask for the same few contexts, so each flattened
 * template is kept on disk keyed by a hash of everything synthesis reads (as the local runtime's
 * template cache does: local/template/template-cache.ts) plus this file and the context: a change
 * to any input gives another key, so a stale template is never read. HILUM_INFRA_SYNTH_CACHE=off
 * turns it off.
 */
const REPO_ROOT = path.resolve(__dirname, '..', '..');
const SOURCE_FOLDERS = ['infra', 'functions', 'layers', 'workflows'];
const SOURCE_FILES = ['cdk.json', 'package.json', 'package-lock.json', 'docs/openapi.json', 'test/infra/synth.ts'];
const SOURCE_EXTENSIONS = new Set(['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json']);
/** Context `portal` puts the portal's AWS build into the template as an asset (infra/app.ts). */
const PORTAL_BUILD = 'web/dist-aws';
const TEMPLATES_KEPT = 16;

function synthCacheDir(): string | undefined {
  if (process.env.HILUM_INFRA_SYNTH_CACHE === 'off') return undefined;
  return path.join(REPO_ROOT, 'node_modules', '.cache', 'hilum-infra-synth');
}

function synthCacheKey(context: Record<string, unknown> | undefined): string {
  const hash = createHash('sha256');
  hash.update(`node ${process.versions.node}\0`);
  hash.update(`account ${process.env.CDK_DEFAULT_ACCOUNT ?? ''}\0region ${process.env.CDK_DEFAULT_REGION ?? ''}\0`);
  hash.update(`context ${JSON.stringify(context ?? null)}\0`);
  const files = [...SOURCE_FILES, ...SOURCE_FOLDERS.flatMap((f) => filesUnder(f, (name) => SOURCE_EXTENSIONS.has(path.extname(name))))];
  if (context?.portal !== undefined) files.push(...filesUnder(PORTAL_BUILD, () => true));
  for (const file of files.sort()) {
    const content = readIfPresent(path.join(REPO_ROOT, file));
    hash.update(`${file}\0${content ? content.length : -1}\0`);
    if (content) hash.update(content);
  }
  return hash.digest('hex').slice(0, 32);
}

function filesUnder(folder: string, wanted: (name: string) => boolean): string[] {
  const root = path.join(REPO_ROOT, folder);
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && wanted(e.name))
    .map((e) => path.relative(REPO_ROOT, path.join(e.parentPath, e.name)));
}

function readIfPresent(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function readSynthCache(dir: string, key: string): FlatTemplate | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, `${key}.json`), 'utf8')) as FlatTemplate;
  } catch {
    return undefined; // absent: synthesize
  }
}

/** Written aside and renamed, so a concurrent jest worker reads the whole template or none. */
function writeSynthCache(dir: string, key: string, synthesized: FlatTemplate): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    const aside = path.join(dir, `${key}.${process.pid}.${Date.now()}.tmp`);
    fs.writeFileSync(aside, JSON.stringify(synthesized));
    fs.renameSync(aside, path.join(dir, `${key}.json`));
    const kept = fs
      .readdirSync(dir)
      .map((name) => ({ name, mtimeMs: fs.statSync(path.join(dir, name)).mtimeMs }))
      .sort((a, b) => b.mtimeMs - a.mtimeMs);
    for (const f of kept.filter((k) => k.name.endsWith('.json')).slice(TEMPLATES_KEPT)) fs.rmSync(path.join(dir, f.name), { force: true });
  } catch {
    // A cache that cannot be written costs the next file a synthesis, nothing more.
  }
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
