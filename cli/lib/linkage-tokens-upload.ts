/**
 * A tokens sheet sent in parts (docs/linkage.md, "Large rosters"): one request stores at most
 * MAX_CASES_PER_REQUEST cases, so `hilum upload` cuts the sheet into parts of whole cases and
 * sends them one after another. A part replaces its own cases' tokens, so a part sent twice
 * (a retried part, a resumed upload) changes nothing; when a part is refused or fails, the
 * error says how many cases were stored and names the refused rows by their row in the site's
 * sheet, and the same command sends the whole again.
 */
import { MAX_CASES_PER_REQUEST, parseTokenSheet, tokenSheetParts, type LinkSheetError } from '../../layers/clinical/linkage';
import { CliError, EXIT, type ExitCode } from '../exit-codes';
import { ApiError, ApiUnreachable, type HilumApi } from './api-client';

/** Half of what the API takes: a part stores in a few seconds, and a failed part costs little to send again. */
export const CASES_PER_PART = MAX_CASES_PER_REQUEST / 2;
const RETRIES = 2;

/** The sheet was not stored whole: what was, and why the rest was not. */
export class LinkageTokensIncomplete extends CliError {
  constructor(
    message: string,
    exitCode: ExitCode,
    readonly storedCases: number,
    readonly totalCases: number,
    /** The refusal's errors, their rows those of the whole sheet. */
    readonly errors: readonly LinkSheetError[],
  ) {
    super(message, exitCode);
  }
}

export interface SendOptions {
  readonly casesPerPart?: number;
  /** Wait before a retry of a part the API failed (5xx, 429); grows with each retry. */
  readonly retryDelayMs?: number;
}

/** Sends the sheet in parts; resolves when every case is stored. */
export async function sendLinkageTokens(
  api: Pick<HilumApi, 'putLinkageTokens'>,
  submissionId: string,
  csv: string,
  options: SendOptions = {},
): Promise<{ submissionId: string; cases: number; parts: number }> {
  const sheet = parseTokenSheet(csv);
  if (!sheet.ok) throw new LinkageTokensIncomplete(refusal('the tokens sheet', sheet.errors), EXIT.usage, 0, 0, sheet.errors);
  const parts = tokenSheetParts(sheet.cases, options.casesPerPart ?? CASES_PER_PART);
  const total = sheet.cases.length;
  let stored = 0;
  for (const [index, part] of parts.entries()) {
    const which = parts.length > 1 ? `part ${index + 1} of ${parts.length} of the tokens sheet` : 'the tokens sheet';
    const sofar = `${stored} of ${total} cases stored; fix what is said and run the same command again (each case replaces its own tokens)`;
    try {
      await withRetries(() => api.putLinkageTokens(submissionId, part.csv), options.retryDelayMs ?? 500);
    } catch (error) {
      const errors = refusedRows(error).map((e) => ({ ...e, row: part.rowOf(e.row) }));
      if (errors.length) throw new LinkageTokensIncomplete(`${refusal(which, errors)}; ${sofar}`, EXIT.usage, stored, total, errors);
      const reason = error instanceof Error ? error.message : String(error);
      throw new LinkageTokensIncomplete(`${which} was not stored (${reason}); ${sofar}`, exitCodeOf(error), stored, total, []);
    }
    stored += part.cases;
  }
  return { submissionId, cases: stored, parts: parts.length };
}

async function withRetries<T>(send: () => Promise<T>, delayMs: number): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await send();
    } catch (error) {
      const transient = error instanceof ApiError && (error.status >= 500 || error.status === 429);
      if (!transient || attempt >= RETRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs * 2 ** attempt));
    }
  }
}

/** The errors of a refused sheet (the API's 400 lists them by row, column and code, never a value). */
function refusedRows(error: unknown): LinkSheetError[] {
  if (!(error instanceof ApiError) || error.status !== 400) return [];
  const details = (error.body as { details?: unknown } | undefined)?.details;
  return Array.isArray(details) ? details.filter((d): d is LinkSheetError => typeof (d as LinkSheetError)?.row === 'number') : [];
}

function refusal(which: string, errors: readonly LinkSheetError[]): string {
  const first = errors[0]!;
  return `${which} has ${errors.length} error(s), none of its cases stored; the first: row ${first.row}${first.column ? `, column ${first.column}` : ''}: ${first.message}`;
}

function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof ApiUnreachable) return EXIT.unreachable;
  if (error instanceof ApiError && (error.status === 401 || error.status === 403)) return EXIT.denied;
  return EXIT.failed;
}
