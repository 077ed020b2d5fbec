/**
 * `hilum upload` as its own entry point: what cli/main.ts's run() does for one command (usage errors
 * exit 2 in one line, --help prints the usage), without the command table. cli/bin/hilum.js bundles
 * this file into a cache (cli/bin/bundle-cache.js) so that `hilum upload` starts without tsx: under
 * tsx its start cost about a second of CPU (the loader, esbuild transforms of changed sources), which
 * a site pays per folder and the benchmark per set. main.ts cannot be the entry: bundling it would
 * pull in every command's dependencies.
 */
import { runCommand } from '../command';
import { uploadCommand } from '../commands/upload';
import { endQuietlyWhenStdoutCloses } from './closed-stdout';

export function runUpload(argv: string[]): Promise<number> {
  endQuietlyWhenStdoutCloses();
  return runCommand(uploadCommand, argv);
}
