// The checks tsc does not make: no silenced type errors, no focused or skipped
// tests left behind, no unused code. Kept small on purpose; tsc --strict does the rest.
import tseslint from 'typescript-eslint';

const focusedOrSkipped = ['it', 'test', 'describe'].flatMap((object) =>
  ['only', 'skip'].map((property) => ({
    object,
    property,
    message: 'focused or skipped tests must not be committed',
  })),
);

// The walls of the house (docs/architecture.md, "What may import what"). Specifiers are relative
// ('../../adapters/aws/objects'), so each wall is a regex on the specifier: a run of '../' and then
// the folder it may not reach. A file gets the union of the walls of its zone: flat config replaces,
// not merges, the options of a rule set twice, so every zone below is disjoint and set once.
const PURE = ['common', 'pipeline', 'ingest', 'dicom', 'qa', 'search', 'access', 'clinical', 'dicomweb', 'drs', 'catalog', 'evaluation'];
const reaches = (...folders) => `^(\\.\\./)+(${folders.join('|')})(/|$)`;
const reachesLayers = (...folders) => `^(\\.\\./)+(layers/)?(${folders.join('|')})(/|$)`;

const WALLS = {
  pureNoAws: {
    regex: '^(@aws-sdk|@middy|@aws-lambda-powertools)/|^(aws-lambda|jose)(/|$)',
    message:
      'wall: the pure layers/ folders import no AWS SDK, middy, Powertools, aws-lambda or jose; that I/O lives in layers/adapters/aws',
  },
  pureNoIo: {
    regex: reachesLayers('adapters', 'services'),
    message: 'wall: the pure layers/ folders import neither layers/adapters nor layers/services (those import them)',
  },
  pureNoOuter: {
    regex: reaches('functions', 'infra', 'workflows', 'local', 'cli'),
    message: 'wall: the pure layers/ folders import nothing from functions/, infra/, workflows/, local/ or cli/',
  },
  commonIsFoundation: {
    regex: reachesLayers(...PURE.filter((folder) => folder !== 'common')),
    message: 'wall: layers/common is the foundation and imports no other layers/ folder',
  },
  adaptersNoUpper: {
    regex: `${reachesLayers('services')}|${reaches('functions', 'infra', 'workflows')}`,
    message: 'wall: layers/adapters imports only pure folders and AWS packages, never layers/services, functions/, infra/ or workflows/',
  },
  servicesNoUpper: {
    regex: reaches('functions', 'infra', 'workflows', 'local', 'cli'),
    message: 'wall: layers/services imports pure folders and adapters, never functions/, infra/, workflows/, local/ or cli/',
  },
  handlersNoOuter: {
    regex: reaches('workflows', 'infra', 'local', 'cli'),
    message: 'wall: functions/ imports layers/ only, never workflows/, infra/, local/ or cli/',
  },
  workflowsOnlyFromInfraAndLocal: {
    regex: reaches('workflows'),
    message: 'wall: only infra/ and local/ (and their tests) import workflows/; payload shapes are in layers/pipeline',
  },
  workflowsReadContractsOnly: {
    regex: `^(\\.\\./)+layers/(?!pipeline(/|$))|^(\\.\\./)+functions/(?!registry$)|${reaches('infra', 'local', 'cli')}`,
    message: 'wall: workflows/ imports of hilum only layers/pipeline and functions/registry.ts',
  },
  dicomThroughIndex: {
    regex: '(^|/)dicom/(?!index$).',
    message: 'wall: outside layers/dicom, import the DICOM domain only through layers/dicom/index.ts (its public API)',
  },
};

// Zone: the files it holds, and the walls that bind them. Tests are exempt but for the workflows wall
// (a runtime test that imports workflows/ pulls in CDK); tests of infra/ and local/ may.
const ZONES = [
  ...PURE.map((folder) => ({
    files: [`layers/${folder}/**/*.ts`],
    walls: [
      'pureNoAws',
      'pureNoIo',
      'pureNoOuter',
      'workflowsOnlyFromInfraAndLocal',
      ...(folder === 'common' ? ['commonIsFoundation'] : []),
      ...(folder === 'dicom' ? [] : ['dicomThroughIndex']),
    ],
  })),
  { files: ['layers/adapters/**/*.ts'], walls: ['adaptersNoUpper', 'dicomThroughIndex'] },
  { files: ['layers/services/**/*.ts'], walls: ['servicesNoUpper', 'dicomThroughIndex'] },
  { files: ['functions/**/*.ts'], walls: ['handlersNoOuter', 'dicomThroughIndex'] },
  { files: ['infra/**/*.ts', 'local/**/*.ts'], walls: ['dicomThroughIndex'] },
  { files: ['workflows/**/*.ts'], walls: ['workflowsReadContractsOnly'] },
  { files: ['cli/**/*.ts', 'bench/**/*.ts'], walls: ['workflowsOnlyFromInfraAndLocal', 'dicomThroughIndex'] },
  { files: ['test/**/*.ts'], ignores: ['test/infra/**', 'test/unit/local/**'], walls: ['workflowsOnlyFromInfraAndLocal'] },
];

// no-restricted-imports sees import and export declarations (and `import x = require('...')`) only; the
// same walls for require('...'), import('...') and type-position import('...'). A selector's regex may
// hold no '/', so it is written \x2F.
const selectorRegex = (regex) => `/${regex.replaceAll('/', '\\x2F')}/`;
const loadersOf = ({ regex, message }) =>
  [
    `CallExpression[callee.name='require'][arguments.0.value=${selectorRegex(regex)}]`,
    `ImportExpression[source.value=${selectorRegex(regex)}]`,
    `TSImportType[argument.literal.value=${selectorRegex(regex)}]`,
  ].map((selector) => ({ selector, message }));

const wallConfigs = ZONES.map(({ files, ignores, walls }) => ({
  files,
  ...(ignores ? { ignores } : {}),
  rules: {
    'no-restricted-imports': ['error', { patterns: walls.map((wall) => WALLS[wall]) }],
    'no-restricted-syntax': ['error', ...walls.flatMap((wall) => loadersOf(WALLS[wall]))],
  },
}));

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', '.hilum/**', 'coverage/**', 'web/dist/**', 'web/dist-aws/**', '**/*.js', '**/*.mjs'] },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mts'],
    languageOptions: { parser: tseslint.parser },
    // Some modules disable rules of the full typescript-eslint set for readers who run it; not errors here.
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/ban-ts-comment': [
        'error',
        { 'ts-ignore': true, 'ts-nocheck': true, 'ts-expect-error': 'allow-with-description' },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', destructuredArrayIgnorePattern: '^_' },
      ],
      'no-restricted-properties': ['error', ...focusedOrSkipped],
      'no-restricted-globals': [
        'error',
        { name: 'fit', message: 'focused test' },
        { name: 'fdescribe', message: 'focused test' },
        { name: 'xit', message: 'skipped test' },
        { name: 'xdescribe', message: 'skipped test' },
      ],
      'no-debugger': 'error',
    },
  },
  ...wallConfigs,
);
