import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack, Stage, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { createCommonsApp } from '../../infra/app';

interface Violation {
  ruleName: string;
  severity: string;
  description: string;
  violatingConstructs: { constructPath: string }[];
}
interface Report {
  pluginReports: { pluginName: string; conclusion: string; violations: Violation[] }[];
}

const NAG_PACKS = ['AwsSolutions', 'HIPAA.Security'];

let outdir: string;
let app: App;
let synthError: unknown;
let report: Report | undefined;

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'hilum-nag-'));
  ({ app } = createCommonsApp({ nag: true, bundle: false, outdir }));
  try {
    app.synth();
  } catch (e) {
    synthError = e;
  }
  const file = path.join(outdir, 'validation-report.json');
  report = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Report) : undefined;
});

afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

function describeFindings(violations: Violation[]): string {
  return violations
    .map((v) => `${v.severity} ${v.ruleName}: ${v.description}\n    ${v.violatingConstructs.map((c) => c.constructPath).join('\n    ')}`)
    .join('\n');
}

it('leaves no unacknowledged cdk-nag AwsSolutions or HIPAA Security error', () => {
  const all = (report?.pluginReports ?? []).flatMap((p) => p.violations.map((v) => ({ ...v, plugin: p.pluginName })));
  const errors = all.filter((v) => v.severity === 'error');
  const nagWarnings = all.filter((v) => v.severity !== 'error' && NAG_PACKS.includes(v.plugin));
  if (nagWarnings.length > 0) console.warn(`cdk-nag warnings:\n${describeFindings(nagWarnings)}`);
  if (errors.length > 0 || synthError) {
    throw new Error(
      `synth ${synthError ? `threw ${String(synthError).split('\n')[0]}` : 'passed'}; unacknowledged errors:\n${describeFindings(errors)}`,
    );
  }
  expect(errors).toEqual([]);
});

it('acknowledges findings on specific resources with specific reasons, never stack- or app-wide', () => {
  const acks: { path: string; id: string; reason: string }[] = [];
  const walk = (c: IConstruct): void => {
    for (const m of c.node.metadata) {
      if (m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY) {
        for (const [id, reason] of Object.entries(m.data as Record<string, string>)) acks.push({ path: c.node.path, id, reason });
      }
    }
    c.node.children.forEach(walk);
  };
  walk(app);
  expect(acks.length).toBeGreaterThan(0);
  for (const ack of acks) {
    const scope = app.node.findAll().find((c) => c.node.path === ack.path)!;
    expect({ ...ack, broad: Stack.isStack(scope) || Stage.isStage(scope) }).toMatchObject({ broad: false });
    expect(ack.reason.length).toBeGreaterThan(60);
    // IAM wildcard acknowledgements must name the exact finding.
    if (/IAM[45]/.test(ack.id)) expect(ack.id).toMatch(/IAM[45]\[(Action|Resource|Policy)::.+\]$/);
  }
});
