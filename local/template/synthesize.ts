import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { asTemplate, TemplateError, type CfnTemplate } from './cfn-template';
import { readCachedTemplate, templateCacheDir, templateCacheKey, writeCachedTemplate } from './template-cache';

/**
 * The commons stack's template, synthesized in this process the way `cdk synth` would
 * (no bundling, no cdk-nag), so the local runtime runs exactly what would be deployed.
 */

const REPO_ROOT = path.resolve(__dirname, '..', '..');

type CreateCommonsApp = (o: { nag: boolean; bundle: boolean; outdir: string }) => unknown;

/**
 * The commons stack's template: from the template cache when nothing synthesis reads has changed
 * (local/template/template-cache.ts), else synthesized in-process (2-10 s) and kept there.
 */
export async function synthesizeTemplate(repoRoot = REPO_ROOT): Promise<CfnTemplate> {
  const cacheDir = templateCacheDir();
  if (!cacheDir) return asTemplate(await synthesizeFresh(repoRoot));
  const key = await templateCacheKey(repoRoot);
  const cached = await readCachedTemplate(cacheDir, key);
  if (cached !== undefined) return asTemplate(cached);
  const template = await synthesizeFresh(repoRoot);
  // A cache that cannot be written (a read-only home) costs the next start a synthesis, nothing more.
  await writeCachedTemplate(cacheDir, key, template).catch(() => undefined);
  return asTemplate(template);
}

/** Synthesizes the CDK app in-process and returns the commons stack's raw template. */
async function synthesizeFresh(repoRoot: string): Promise<unknown> {
  const appModulePath = path.join(repoRoot, 'infra', 'app');
  // Resolved at run time: infra/ is another module's territory and may not exist yet.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(appModulePath) as { createCommonsApp?: unknown };
  if (typeof mod.createCommonsApp !== 'function') {
    throw new TemplateError(`${appModulePath} does not export createCommonsApp`);
  }
  // A throw-away cloud assembly directory: synth writes one, and the default would be a new temp dir per start.
  const outdir = await mkdtemp(path.join(os.tmpdir(), 'hilum-local-synth-'));
  try {
    return synthesizeIn(mod.createCommonsApp as CreateCommonsApp, outdir);
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

function synthesizeIn(createCommonsApp: CreateCommonsApp, outdir: string): unknown {
  const created = createCommonsApp({ nag: false, bundle: false, outdir }) as {
    app: { synth(): { getStackByName(name: string): { template: unknown } } };
    stack: { stackName: string };
  };
  // CDK's built-in CloudFormation validation prints a report at synth; the local
  // runtime prints nothing itself, and `cdk synth` / the infra tests own that report.
  const previous = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = 'false';
  let assembly: ReturnType<typeof created.app.synth>;
  try {
    assembly = created.app.synth();
  } finally {
    if (previous === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = previous;
  }
  return assembly.getStackByName(created.stack.stackName).template;
}
