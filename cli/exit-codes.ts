/**
 * One set of exit codes for every command (documented in cli/README.md), so a
 * script can tell a typo from a quarantine from an expired token.
 */
export const EXIT = {
  ok: 0,
  /** Some files or objects failed (listed), or an unexpected error. */
  failed: 1,
  /** A usage or input mistake: an unknown option, a missing file or folder, no token. */
  usage: 2,
  /** Files would be quarantined (qa, the check before upload) or were (upload --wait). */
  quarantine: 3,
  /** The API refused the credentials (HTTP 401 or 403). */
  denied: 4,
  /** The API cannot be reached, or a port to listen on is busy. */
  unreachable: 5,
  /** Stopped by Ctrl-C (SIGINT); progress is saved, the same command resumes. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure that ends a command with a known exit code and a message saying what to do next. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}
