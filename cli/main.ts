import { Command, parseCommandArgs, UsageError } from './command';
import { deidCommand } from './commands/deid';
import { startCommand } from './commands/start';
import { tokenCommand } from './commands/token';
import { gatewayCommand } from './commands/gateway';
import { uploadCommand } from './commands/upload';
import { qaCommand } from './commands/qa';

const COMMANDS: readonly Command[] = [startCommand, tokenCommand, uploadCommand, gatewayCommand, deidCommand, qaCommand];

const USAGE = `hilum: an open-source serverless medical imaging data commons

Usage: hilum <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join('\n')}

Run 'hilum <command> --help' for a command's options.`;

export async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE);
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    console.error(`hilum: unknown command '${name}'\n\n${USAGE}`);
    return 2;
  }
  try {
    const args = parseCommandArgs(command, rest);
    if (args.values.help) {
      console.log(command.usage);
      return 0;
    }
    return await command.run(args);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`hilum ${command.name}: ${error.message}\n\n${command.usage}`);
      return 2;
    }
    throw error;
  }
}
