import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs, ParseArgsConfig } from 'node:util';
import { CliError, EXIT } from './exit-codes';
import { explainStop } from './lib/api-failure';

/** A CLI command: its usage text is its documentation, printed by `--help`. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  readonly allowPositionals?: boolean;
  run(args: ParsedArgs): Promise<number>;
}

export interface ParsedArgs {
  readonly values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  readonly positionals: string[];
}

/** Thrown for a usage mistake: one line and a pointer to --help, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseCommandArgs(command: Command, argv: string[]): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: command.allowPositionals ?? false,
      strict: true,
    });
    return { values, positionals };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/**
 * Prints what ended a command and gives its exit code: a usage mistake as one line
 * (not the whole help), a CliError as its message, a refused token or an API that
 * does not answer with its remedy; anything else is rethrown.
 */
export function exitCodeOfError(commandName: string, error: unknown): number {
  if (error instanceof UsageError) {
    console.error(`hilum ${commandName}: ${error.message}; see 'hilum ${commandName} --help'`);
    return EXIT.usage;
  }
  const known = error instanceof CliError ? error : explainStop(error);
  if (known) {
    console.error(known.message);
    return known.exitCode;
  }
  throw error;
}

/** Runs one command on its arguments: --help prints its usage, a usage error or failure becomes its exit code. */
export async function runCommand(command: Command, argv: string[]): Promise<number> {
  try {
    const args = parseCommandArgs(command, argv);
    if (args.values.help) {
      console.log(command.usage);
      return 0;
    }
    return await command.run(args);
  } catch (error) {
    return exitCodeOfError(command.name, error);
  }
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function integerOption(args: ParsedArgs, name: string, fallback: number): number {
  const raw = stringOption(args, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(value) || value < 0)
    throw new UsageError(`--${name} must be a non-negative integer, not '${raw}'`);
  return value;
}

const SIZE = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)?$/i;
const UNIT_POWER: Record<string, number> = { '': 0, k: 1, m: 2, g: 3, t: 4 };

/**
 * A size or rate in bytes, with an optional unit: 500000, 500k, 1M, 1.5MB, 2MiB, 1G
 * (binary multiples, as the progress output prints them: 1M = 1,048,576 bytes).
 */
export function parseByteSize(raw: string): number | undefined {
  const match = SIZE.exec(raw.trim());
  if (!match) return undefined;
  const bytes = Number(match[1]) * 1024 ** (UNIT_POWER[(match[2] ?? '').toLowerCase()] ?? 0);
  return Number.isFinite(bytes) ? Math.floor(bytes) : undefined;
}

export function byteSizeOption(args: ParsedArgs, name: string): number | undefined {
  const raw = stringOption(args, name);
  if (raw === undefined) return undefined;
  const bytes = parseByteSize(raw);
  if (bytes === undefined) throw new UsageError(`--${name} takes bytes, optionally with a unit (500k, 1M, 2G), not '${raw}'`);
  return bytes;
}

/** The absolute path of an input that must exist: a missing one is the user's mistake (exit 2), before any work. */
export async function existingInput(path: string, what: string): Promise<string> {
  const absolute = resolve(path);
  try {
    await stat(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`${what} ${path} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? 'error'})`}`);
  }
  return absolute;
}
