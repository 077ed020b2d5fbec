import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { linkageKeyFrom, rosterTokens, tokenSheetCsv, WeakLinkageKey, type CaseLinkTokens } from '../../layers/clinical/linkage';
import { Command, existingInput, stringOption, UsageError } from '../command';
import { CliError, EXIT } from '../exit-codes';
import { LINKAGE_TOKENS_FILE } from '../lib/clinical-dir';

export const linkTokensCommand: Command = {
  name: 'link-tokens',
  summary: "compute a roster's record-linkage tokens at the site (keyed hashes; identifiers stay here)",
  usage: `Usage: hilum link-tokens CASES.csv --linkage-key-file K [--out FILE|-] [--query]

Computes the record-linkage tokens of every person of CASES.csv at the site
(docs/linkage.md): names, birth date, sex and ZIP3 normalized, then 13 token
variants (exact, phonetic, names in either order, day and month of birth in either
order, without ZIP, ...), each an HMAC-SHA-256 under the linkage key that the sites
and the honest broker share and the commons never holds. The identifiers never
leave this machine: only the tokens sheet does.

CASES.csv columns: case_id (the PatientID of the case's studies), first_name,
last_name, birth_date (YYYY-MM-DD), sex (M, F or U), and optionally zip.

  --linkage-key-file K  the linkage key: at least 32 bytes, e.g. 64 hex digits
                        made by 'openssl rand -hex 32' (a weaker key is refused)
  --out FILE|-          where to write (default: ${LINKAGE_TOKENS_FILE} beside CASES.csv,
                        which 'hilum upload --clinical DIR' sends with the clinical sheets
                        when it is in DIR); - for stdout
  --query               write the body of POST /linkage/match instead ({"people":
                        [{"ref": case_id, "tokens": {...}}]}): what an honest broker
                        sends for another registry's people

Exit status: 0 when every row was tokenized; 2 on a usage or input error (a bad
row is named by its row and column, never its value; nothing is written).

Example:
  npx hilum link-tokens ./clinical/roster.csv --linkage-key-file ~/.hilum/linkage.key`,
  options: {
    'linkage-key-file': { type: 'string' },
    out: { type: 'string' },
    query: { type: 'boolean' },
  },
  allowPositionals: true,
  async run(args) {
    const [input, ...extra] = args.positionals;
    if (!input || extra.length > 0) throw new UsageError('exactly one CASES.csv is required');
    const keyFile = stringOption(args, 'linkage-key-file');
    if (!keyFile) throw new UsageError('--linkage-key-file is required');
    const roster = await readFile(await existingInput(input, 'CASES.csv'), 'utf8');
    let key: Uint8Array;
    try {
      key = linkageKeyFrom(await readFile(await existingInput(keyFile, '--linkage-key-file')));
    } catch (error) {
      if (error instanceof WeakLinkageKey) throw new CliError(`--linkage-key-file: ${error.message}`, EXIT.usage);
      throw error;
    }
    const result = rosterTokens(roster, key);
    if (!result.ok) {
      for (const e of result.errors.slice(0, 20)) console.error(`row ${e.row}${e.column ? `, column ${e.column}` : ''}: ${e.message}`);
      throw new CliError(`${input} has ${result.errors.length} error(s); nothing was written`, EXIT.usage);
    }
    const out = stringOption(args, 'out') ?? join(dirname(input), LINKAGE_TOKENS_FILE);
    const text = args.values.query === true ? `${JSON.stringify(matchRequest(result.cases))}\n` : tokenSheetCsv(result.cases);
    if (out === '-') process.stdout.write(text);
    else {
      await writeFile(out, text, { mode: 0o600 });
      console.error(`${result.cases.length} case(s) tokenized into ${out}`);
    }
    return EXIT.ok;
  },
};

/** The body of POST /linkage/match for these people, each referred to by its case id. */
export function matchRequest(cases: readonly CaseLinkTokens[]): { people: { ref: string; tokens: CaseLinkTokens['tokens'] }[] } {
  return { people: cases.map((c) => ({ ref: c.caseId, tokens: c.tokens })) };
}
