import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import { CommonsStack } from './stacks/commons-stack';

export interface CommonsAppOptions {
  /** Run the cdk-nag AwsSolutions and HIPAA Security packs at synth (default false). */
  readonly nag?: boolean;
  /** Bundle the functions with esbuild (default true); false skips every asset build. */
  readonly bundle?: boolean;
  /** Extra context, e.g. `{ sites: ['site-a'] }`. */
  readonly context?: Record<string, unknown>;
  /** Where to synthesize (default: the CDK default, `cdk.out` or the CLI's choice). */
  readonly outdir?: string;
}

export const STACK_NAME = 'Hilum';
export const DEFAULT_SITES: readonly string[] = ['demo-site'];

/**
 * Builds the CDK app. `cdk deploy` runs it with nag and bundling on
 * (`infra/bin/hilum.ts`); tests and the local runtime run it with both off and
 * read `app.synth().getStackByName(stack.stackName).template`.
 */
export function createCommonsApp(options: CommonsAppOptions = {}): { app: App; stack: CommonsStack } {
  const context: Record<string, unknown> = {
    // Server access logs are delivered under a bucket policy, not ACLs (the
    // buckets enforce bucket-owner object ownership, so ACLs are off).
    '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
    ...options.context,
  };
  if (options.bundle === false) context['aws:cdk:bundling-stacks'] = [];
  const app = new App({ context, ...(options.outdir ? { outdir: options.outdir } : {}) });
  if (options.nag) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new HIPAASecurityChecks(app));
  }
  const stack = new CommonsStack(app, STACK_NAME, {
    description: 'hilum: serverless medical imaging data commons',
    sites: stringList(app.node.tryGetContext('sites'), 'sites') ?? DEFAULT_SITES,
    uploadOrigins: stringList(app.node.tryGetContext('uploadOrigins'), 'uploadOrigins'),
    apiOrigins: stringList(app.node.tryGetContext('apiOrigins'), 'apiOrigins'),
    portalDistDir: portalDistDir(app.node.tryGetContext('portal')),
    logLevel: typeof app.node.tryGetContext('logLevel') === 'string' ? (app.node.tryGetContext('logLevel') as string) : undefined,
    pipelineConcurrency: wholeNumber(app.node.tryGetContext('pipelineConcurrency'), 'pipelineConcurrency'),
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  return { app, stack };
}

/** A whole number from context (`-c name=50`), or undefined when absent; anything else is refused. */
function wholeNumber(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number < 0) throw new Error(`hilum: context '${name}' must be a whole number (0 or more)`);
  return number;
}

/**
 * Context `portal` (`-c portal=true`): serve the web portal's AWS build, which must be built first
 * (`npm run portal:build -- aws`: web/dist-aws, without the local role picker).
 */
function portalDistDir(value: unknown): string | undefined {
  if (value === undefined || value === false || value === 'false') return undefined;
  const dir = path.resolve(__dirname, '../web/dist-aws');
  if (!fs.existsSync(path.join(dir, 'index.html'))) {
    throw new Error("hilum: context 'portal' needs the portal's AWS build: run npm run portal:build -- aws first");
  }
  return dir;
}

/** Context values arrive as arrays (from code or cdk.json) or JSON strings (from `-c key='[...]'`). */
function stringList(value: unknown, name: string): string[] | undefined {
  if (value === undefined) return undefined;
  const parsed: unknown = typeof value === 'string' && value.trim().startsWith('[') ? JSON.parse(value) : value;
  const list =
    typeof parsed === 'string'
      ? parsed
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : parsed;
  if (!Array.isArray(list) || !list.every((s): s is string => typeof s === 'string')) {
    throw new Error(`hilum: context '${name}' must be a list of strings, e.g. -c ${name}='["site-a"]'`);
  }
  return list;
}
