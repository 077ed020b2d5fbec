/**
 * The walls of the house (docs/architecture.md) are ESLint rules: each breach below is linted as if the
 * file sat in the real folder, with the real eslint.config.mjs, and must be refused with its wall's
 * message; the allowed counterparts must pass. The sources never exist on disk.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '../../..');
const LINT_TEXTS = path.join(REPO_ROOT, 'test/support/lint-texts.mjs');

interface Case {
  readonly filePath: string;
  readonly code: string;
}
interface Reported {
  readonly ruleId: string | null;
  readonly message: string;
}

const WALL = {
  pureNoAws: 'wall: the pure layers/ folders import no AWS SDK, middy, Powertools, aws-lambda or jose',
  pureNoIo: 'wall: the pure layers/ folders import neither layers/adapters nor layers/services',
  pureNoOuter: 'wall: the pure layers/ folders import nothing from functions/, infra/, workflows/, local/ or cli/',
  commonIsFoundation: 'wall: layers/common is the foundation and imports no other layers/ folder',
  adaptersNoUpper: 'wall: layers/adapters imports only pure folders and AWS packages',
  servicesNoUpper: 'wall: layers/services imports pure folders and adapters, never functions/',
  handlersNoOuter: 'wall: functions/ imports layers/ only, never workflows/',
  workflowsOnlyFromInfraAndLocal: 'wall: only infra/ and local/ (and their tests) import workflows/',
  workflowsReadContractsOnly: 'wall: workflows/ imports of hilum only layers/pipeline and functions/registry.ts',
  dicomThroughIndex: 'wall: outside layers/dicom, import the DICOM domain only through layers/dicom/index.ts',
} as const;

const use = (specifier: string, name = 'x'): string => `import { ${name} } from '${specifier}';\nexport const ${name}Used = ${name};\n`;

const BREACHES: ReadonlyArray<Case & { readonly wall: keyof typeof WALL; readonly why: string }> = [
  {
    why: 'a pure folder imports the S3 client',
    wall: 'pureNoAws',
    filePath: 'layers/qa/wall-probe.ts',
    code: use('@aws-sdk/client-s3', 'S3Client'),
  },
  { why: 'a pure folder imports middy', wall: 'pureNoAws', filePath: 'layers/search/wall-probe.ts', code: use('@middy/core', 'middy') },
  {
    why: 'a pure folder imports Powertools',
    wall: 'pureNoAws',
    filePath: 'layers/pipeline/wall-probe.ts',
    code: use('@aws-lambda-powertools/logger', 'Logger'),
  },
  { why: 'a pure folder imports jose', wall: 'pureNoAws', filePath: 'layers/access/wall-probe.ts', code: use('jose', 'jwtVerify') },
  {
    why: 'a pure folder imports the S3 adapter',
    wall: 'pureNoIo',
    filePath: 'layers/search/wall-probe.ts',
    code: use('../adapters/aws/objects'),
  },
  {
    why: 'a module deep in a pure folder imports an adapter',
    wall: 'pureNoIo',
    filePath: 'layers/dicom/deidentify/wall-probe.ts',
    code: use('../../adapters/aws/dynamodb/table-io'),
  },
  {
    why: 'a pure folder imports a service, type only',
    wall: 'pureNoIo',
    filePath: 'layers/catalog/wall-probe.ts',
    code: "import type { X } from '../services/commons-context';\nexport type Y = X;\n",
  },
  {
    why: 'a pure folder re-exports a service',
    wall: 'pureNoIo',
    filePath: 'layers/ingest/wall-probe.ts',
    code: "export { x } from '../../layers/services/sop-claim';\n",
  },
  {
    why: 'a pure folder imports the function registry',
    wall: 'pureNoOuter',
    filePath: 'layers/access/wall-probe.ts',
    code: use('../../functions/registry'),
  },
  {
    why: 'a pure folder imports the local commons',
    wall: 'pureNoOuter',
    filePath: 'layers/clinical/wall-probe.ts',
    code: use('../../local/commons'),
  },
  {
    why: 'a pure folder requires the S3 client',
    wall: 'pureNoAws',
    filePath: 'layers/dicom/wall-probe.ts',
    code: "export const s3 = require('@aws-sdk/client-s3') as unknown;\n",
  },
  {
    why: 'a pure folder imports an adapter lazily',
    wall: 'pureNoIo',
    filePath: 'layers/qa/rules/instance/wall-probe.ts',
    code: "export const objects = async (): Promise<unknown> => import('../../../adapters/aws/objects');\n",
  },
  {
    why: 'a pure folder imports jose by import-equals',
    wall: 'pureNoAws',
    filePath: 'layers/access/wall-probe.ts',
    code: "import jose = require('jose');\nexport const verify = jose;\n",
  },
  {
    why: 'a pure folder names the registry in a type',
    wall: 'pureNoOuter',
    filePath: 'layers/search/wall-probe.ts',
    code: "export type Registry = typeof import('../../functions/registry');\n",
  },
  {
    why: 'a handler requires a workflow',
    wall: 'handlersNoOuter',
    filePath: 'functions/ingest/wall-probe.ts',
    code: "export const ingest = require('../../workflows/ingest') as unknown;\n",
  },
  {
    why: 'layers/common imports layers/access',
    wall: 'commonIsFoundation',
    filePath: 'layers/common/wall-probe.ts',
    code: use('../access/caller'),
  },
  {
    why: 'an adapter imports a service',
    wall: 'adaptersNoUpper',
    filePath: 'layers/adapters/aws/wall-probe.ts',
    code: use('../../services/commons-context'),
  },
  {
    why: 'a repository imports a handler',
    wall: 'adaptersNoUpper',
    filePath: 'layers/adapters/aws/dynamodb/wall-probe.ts',
    code: use('../../../../functions/registry'),
  },
  {
    why: 'a service imports the function registry',
    wall: 'servicesNoUpper',
    filePath: 'layers/services/wall-probe.ts',
    code: use('../../functions/registry'),
  },
  {
    why: 'a service imports a workflow',
    wall: 'servicesNoUpper',
    filePath: 'layers/services/wall-probe.ts',
    code: use('../../workflows/ingest'),
  },
  {
    why: 'a service imports the local commons',
    wall: 'servicesNoUpper',
    filePath: 'layers/services/wall-probe.ts',
    code: use('../../local/commons'),
  },
  {
    why: 'a handler imports a workflow',
    wall: 'handlersNoOuter',
    filePath: 'functions/ingest/wall-probe.ts',
    code: use('../../workflows/ingest'),
  },
  { why: 'a handler imports infra', wall: 'handlersNoOuter', filePath: 'functions/api/wall-probe.ts', code: use('../../infra/app') },
  {
    why: 'a handler imports the CLI',
    wall: 'handlersNoOuter',
    filePath: 'functions/api/wall-probe.ts',
    code: use('../../cli/lib/one-pass-upload'),
  },
  {
    why: 'a workflow imports an adapter',
    wall: 'workflowsReadContractsOnly',
    filePath: 'workflows/wall-probe.ts',
    code: use('../layers/adapters/aws/events'),
  },
  {
    why: 'a workflow imports a handler',
    wall: 'workflowsReadContractsOnly',
    filePath: 'workflows/wall-probe.ts',
    code: use('../functions/ingest/ingest-object'),
  },
  {
    why: 'a workflow imports an infra construct',
    wall: 'workflowsReadContractsOnly',
    filePath: 'workflows/wall-probe.ts',
    code: use('../infra/constructs/hilum-function'),
  },
  {
    why: 'the CLI imports a workflow',
    wall: 'workflowsOnlyFromInfraAndLocal',
    filePath: 'cli/lib/wall-probe.ts',
    code: use('../../workflows/payload'),
  },
  {
    why: 'a test of a handler imports a workflow',
    wall: 'workflowsOnlyFromInfraAndLocal',
    filePath: 'test/unit/functions/wall-probe.test.ts',
    code: use('../../../workflows/payload'),
  },
  {
    why: 'a pure folder imports the engine past the dicom index',
    wall: 'dicomThroughIndex',
    filePath: 'layers/qa/wall-probe.ts',
    code: use('../dicom/deidentify/engine', 'deidentifyFile'),
  },
  {
    why: 'a handler imports a dicom internal',
    wall: 'dicomThroughIndex',
    filePath: 'functions/api/wall-probe.ts',
    code: use('../../layers/dicom/deidentify/key-fingerprint', 'keyFingerprint'),
  },
  {
    why: 'a service imports the dicom walker',
    wall: 'dicomThroughIndex',
    filePath: 'layers/services/wall-probe.ts',
    code: use('../dicom/part10', 'scanPart10'),
  },
  {
    why: 'the local commons imports dicom profiles',
    wall: 'dicomThroughIndex',
    filePath: 'local/wall-probe.ts',
    code: use('../layers/dicom/profiles', 'DEFAULT_PROFILE'),
  },
];

const ALLOWED: ReadonlyArray<Case & { readonly why: string }> = [
  {
    why: 'a handler imports a service and an adapter',
    filePath: 'functions/api/wall-probe.ts',
    code: use('../../layers/services/commons-context') + use('../../layers/adapters/aws/http', 'y'),
  },
  {
    why: 'a handler imports the pipeline contracts',
    filePath: 'functions/ingest/wall-probe.ts',
    code: use('../../layers/pipeline/ingest-states'),
  },
  {
    why: 'a pure folder imports the dicom index, by folder and by file',
    filePath: 'layers/qa/wall-probe.ts',
    code: use('../dicom', 'parseDicom') + use('../dicom/index', 'y'),
  },
  {
    why: 'a pure folder imports another pure folder and zod',
    filePath: 'layers/search/wall-probe.ts',
    code: use('../common/errors') + use('zod', 'z'),
  },
  { why: 'a service imports an adapter', filePath: 'layers/services/wall-probe.ts', code: use('../adapters/aws/objects') },
  {
    why: 'an adapter imports the AWS SDK and a pure folder',
    filePath: 'layers/adapters/aws/wall-probe.ts',
    code: use('@aws-sdk/client-s3', 'S3Client') + use('../../catalog/keys', 'y'),
  },
  {
    why: 'infra imports a workflow and the registry',
    filePath: 'infra/constructs/wall-probe.ts',
    code: use('../../workflows/ingest') + use('../../functions/registry', 'y'),
  },
  { why: 'the local commons imports a workflow', filePath: 'local/wall-probe.ts', code: use('../workflows/payload') },
  {
    why: 'a workflow imports the pipeline contracts and the registry',
    filePath: 'workflows/wall-probe.ts',
    code: use('../layers/pipeline/ingest-states') + use('../functions/registry', 'y'),
  },
  { why: 'a test of infra imports a workflow', filePath: 'test/infra/wall-probe.test.ts', code: use('../../workflows/payload') },
  {
    why: 'a test of the engine imports its internals',
    filePath: 'test/unit/dicom/wall-probe.test.ts',
    code: use('../../../layers/dicom/deidentify/engine', 'deidentifyFile'),
  },
  {
    why: 'a dicom module requires its dcmjs facade lazily',
    filePath: 'layers/dicom/verify/wall-probe.ts',
    code: "export const facade = (): unknown => require('../dcmjs');\n",
  },
  {
    why: 'a dicom module imports its sibling',
    filePath: 'layers/dicom/verify/wall-probe.ts',
    code: use('../deidentify/engine', 'deidentifyFile'),
  },
];

/** One child process for every case: ESLint loads its flat config by dynamic import, which jest's sandbox refuses. */
function lint(cases: readonly Case[]): Reported[][] {
  const run = spawnSync(process.execPath, [LINT_TEXTS], {
    cwd: REPO_ROOT,
    input: JSON.stringify(cases.map(({ filePath, code }) => ({ filePath, code }))),
    encoding: 'utf8',
    timeout: 110_000,
  });
  if (run.status !== 0) throw new Error(`lint-texts.mjs failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as Reported[][];
}

describe('the import walls', () => {
  let breaches: Reported[][];
  let allowed: Reported[][];
  beforeAll(() => {
    const reports = lint([...BREACHES, ...ALLOWED]);
    breaches = reports.slice(0, BREACHES.length);
    allowed = reports.slice(BREACHES.length);
  });

  it.each(BREACHES.map((breach, index) => [breach.why, breach.wall, index] as const))('refuses it when %s (%s)', (_why, wall, index) => {
    const reported = breaches[index]!;
    const walls = reported.filter(({ ruleId }) => ruleId === 'no-restricted-imports' || ruleId === 'no-restricted-syntax');
    expect(walls.map(({ message }) => message)).toEqual([expect.stringContaining(WALL[wall])]);
  });

  it.each(ALLOWED.map((allowedCase, index) => [allowedCase.why, index] as const))('lets it pass when %s', (_why, index) => {
    expect(allowed[index]).toEqual([]);
  });
});
