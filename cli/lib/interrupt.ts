import { EXIT } from '../exit-codes';

/**
 * Ctrl-C during a resumable run: the state on disk is always consistent (written
 * atomically after every file), so the run may end at once; the message says how
 * to go on. Returns the function that removes the handler.
 */
export function sayHowToResumeOnCtrlC(message: () => string): () => void {
  const handler = () => {
    process.stderr.write(`\n${message()}\n`);
    process.exit(EXIT.interrupted);
  };
  process.once('SIGINT', handler);
  return () => {
    process.off('SIGINT', handler);
  };
}

/** The command line to run again, quoted for a POSIX shell. */
export function sameCommand(argv: readonly string[] = process.argv.slice(2)): string {
  const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);
  return `npx hilum ${argv.map(quote).join(' ')}`;
}
