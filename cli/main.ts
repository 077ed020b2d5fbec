import { Command, runCommand } from './command';
import { EXIT } from './exit-codes';
import { endQuietlyWhenStdoutCloses } from './lib/closed-stdout';

/**
 * Commands load on demand (require, not import(): the CLI runs through tsx's
 * CommonJS hook, which native dynamic import bypasses): `start` and `gateway` pull in the AWS SDK, the
 * emulators and the DICOM network stack, which `deid` or `token` should not pay
 * for at every start.
 */
export const COMMANDS: readonly { name: string; summary: string; load: () => Promise<Command> }[] = [
  {
    name: 'start',
    summary: 'run the local commons (emulators, workflows, API) with sample data',
    load: async () => (require('./commands/start') as typeof import('./commands/start')).startCommand,
  },
  {
    name: 'token',
    summary: 'print a bearer token for a role (local mode only)',
    load: async () => (require('./commands/token') as typeof import('./commands/token')).tokenCommand,
  },
  {
    name: 'login',
    summary: 'sign in to a deployed commons (Cognito, MFA) and keep the session',
    load: async () => (require('./commands/login') as typeof import('./commands/login')).loginCommand,
  },
  {
    name: 'logout',
    summary: "end a profile's session (revoked at the user pool, removed here)",
    load: async () => (require('./commands/login') as typeof import('./commands/login')).logoutCommand,
  },
  {
    name: 'whoami',
    summary: 'show who the current profile is signed in as',
    load: async () => (require('./commands/login') as typeof import('./commands/login')).whoamiCommand,
  },
  {
    name: 'upload',
    summary: 'upload a folder of DICOM files as one submission (resumable)',
    load: async () => (require('./commands/upload') as typeof import('./commands/upload')).uploadCommand,
  },
  {
    name: 'gateway',
    summary: 'receive studies from a PACS over DICOM (C-STORE) and upload them',
    load: async () => (require('./commands/gateway') as typeof import('./commands/gateway')).gatewayCommand,
  },
  {
    name: 'deid',
    summary: 'de-identify DICOM files locally (PS3.15 Annex E profile, keyed)',
    load: async () => (require('./commands/deid') as typeof import('./commands/deid')).deidCommand,
  },
  {
    name: 'download',
    summary: 'download the objects of a cohort manifest (parallel, resumable, verified)',
    load: async () => (require('./commands/download') as typeof import('./commands/download')).downloadCommand,
  },
  {
    name: 'link-tokens',
    summary: "compute a roster's record-linkage tokens at the site (keyed hashes; identifiers stay here)",
    load: async () => (require('./commands/link-tokens') as typeof import('./commands/link-tokens')).linkTokensCommand,
  },
  {
    name: 'qa',
    summary: "check a folder of DICOM files with the commons' QA rules before upload",
    load: async () => (require('./commands/qa') as typeof import('./commands/qa')).qaCommand,
  },
];

const USAGE = `hilum: an open-source serverless medical imaging data commons

Usage: hilum <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join('\n')}

Run 'hilum <command> --help' for a command's options.`;

export async function run(argv: string[]): Promise<number> {
  endQuietlyWhenStdoutCloses();
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE);
    return name ? 0 : 2;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    console.error(`hilum: unknown command '${name}'; see 'hilum --help'`);
    return EXIT.usage;
  }
  return runCommand(await entry.load(), rest);
}
