/**
 * `hilum deid` as its own entry point: what cli/main.ts's run() does for one
 * command (usage errors exit 2 in one line, --help prints the usage), without the command
 * table. cli/bin/hilum.js bundles this file and the worker into a cache so
 * `hilum deid` starts without tsx; main.ts cannot be the entry because
 * bundling it would pull in every command's dependencies.
 */
import type { Worker } from 'node:worker_threads';
import { exitCodeOfError, parseCommandArgs } from '../command';
import { deid, deidCommand } from '../commands/deid';

/** startedWorkers: worker threads the launcher started early; stopped here whatever happens to the command. */
export async function runDeid(argv: string[], startedWorkers: readonly Worker[] = []): Promise<number> {
  try {
    const args = parseCommandArgs(deidCommand, argv);
    if (args.values.help) {
      console.log(deidCommand.usage);
      return 0;
    }
    return await deid(args, startedWorkers);
  } catch (error) {
    return exitCodeOfError(deidCommand.name, error);
  } finally {
    await Promise.all(startedWorkers.map((worker) => worker.terminate()));
  }
}
