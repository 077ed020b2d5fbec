/**
 * `npm run bench linkage`: precision and recall of record linkage on a synthetic population
 * (test/support/synthetic-population.ts): the commons' registry of `--people N` (default
 * 100,000) and another registry holding half of them, written with realistic errors, and as
 * many people of its own. Both compute their tokens as a site does (`hilum link-tokens`), the
 * commons matches the other's token sets (`POST /linkage/match`'s index and rule), and the
 * answer is scored against the truth; the same queries through the index by token (1,000 people
 * a query) must answer alike. Targets: precision >= 0.99, recall >= 0.95. The
 * baseline in the same run is the exact variant alone. Options: `--people N`, `--seed S`.
 */
import { createSecretKey } from 'node:crypto';
import {
  INDEXED_VARIANTS,
  LinkIndex,
  linkTokens,
  normalizePerson,
  queryLookups,
  type LinkTokens,
  type StoredCaseTokens,
} from '../layers/clinical/linkage';
import { twoRegistries, type SyntheticPerson } from '../test/support/synthetic-population';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

interface Score {
  readonly truePairs: number;
  readonly falsePairs: number;
  readonly found: number;
}

function score(matches: readonly (readonly string[])[], other: readonly SyntheticPerson[], commonsIds: ReadonlySet<string>): Score {
  let truePairs = 0;
  let falsePairs = 0;
  let found = 0;
  matches.forEach((ids, i) => {
    const truth = other[i]!.personId;
    if (ids.includes(truth)) found += 1;
    for (const id of ids)
      if (id === truth && commonsIds.has(truth)) truePairs += 1;
      else falsePairs += 1;
  });
  return { truePairs, falsePairs, found };
}

export async function run(): Promise<void> {
  const people = option('people', 100_000);
  const seed = option('seed', 19);
  const key = createSecretKey(Buffer.from('4c1f0e7a9b2d3c5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6', 'hex'));
  const { commons, other, shared } = twoRegistries(people, 0.5, seed);
  console.log(`commons ${commons.length} people, other registry ${other.length} (${shared} shared, written with errors), seed ${seed}`);

  let started = performance.now();
  const stored: StoredCaseTokens[] = commons.map((p) => ({
    project: 'bench',
    casePseudonym: p.personId,
    tokens: linkTokens(normalizePerson(p), key),
  }));
  const queried: LinkTokens[] = other.map((p) => linkTokens(normalizePerson(p), key));
  const tokensMs = performance.now() - started;

  started = performance.now();
  const index = new LinkIndex(stored);
  const answers = queried.map((tokens, i) => index.match({ ref: String(i), tokens }));
  const matchMs = performance.now() - started;

  // The commons answers through its index by token (docs/linkage.md): a query of up to 1,000
  // people looks up its indexed tokens, and the cases they find are matched whole. Its answers
  // must be the full index's, reading a small part of the stored cases.
  started = performance.now();
  const entries = new Map<string, StoredCaseTokens[]>();
  for (const c of stored)
    for (const variant of INDEXED_VARIANTS) {
      const key = `${variant}:${c.tokens[variant]}`;
      const list = entries.get(key);
      if (list) list.push(c);
      else entries.set(key, [c]);
    }
  let lookups = 0;
  let candidates = 0;
  let differing = 0;
  const queries = Math.ceil(queried.length / 1000);
  for (let start = 0; start < queried.length; start += 1000) {
    const batch = queried.slice(start, start + 1000).map((tokens, i) => ({ ref: String(start + i), tokens }));
    const wanted = queryLookups(batch);
    const found = new Set(wanted.flatMap((l) => entries.get(`${l.variant}:${l.token}`) ?? []));
    lookups += wanted.length;
    candidates += found.size;
    const narrowed = new LinkIndex(found);
    batch.forEach((person, i) => {
      if (JSON.stringify(narrowed.match(person)) !== JSON.stringify(answers[start + i])) differing += 1;
    });
  }
  const indexMs = performance.now() - started;

  const commonsIds = new Set(commons.map((p) => p.personId));
  const result = score(
    answers.map((a) => a.matches.map((m) => m.casePseudonym)),
    other,
    commonsIds,
  );
  const exactOnly = new LinkIndex(stored.map((s) => ({ ...s, tokens: { exact: s.tokens.exact } })));
  const baseline = score(
    queried.map((tokens, i) => exactOnly.match({ ref: String(i), tokens: { exact: tokens.exact } }).matches.map((m) => m.casePseudonym)),
    other,
    commonsIds,
  );

  const report = (label: string, s: Score) => {
    const precision = s.truePairs / Math.max(s.truePairs + s.falsePairs, 1);
    const recall = s.found / shared;
    console.log(
      `${label}: precision ${precision.toFixed(4)} (${s.falsePairs} false pairs of ${s.truePairs + s.falsePairs}), recall ${recall.toFixed(4)} (${s.found} of ${shared})`,
    );
    return { precision, recall };
  };
  const all = report('all variants, rule: exact or >= 2 agreeing, strongest per project', result);
  report('baseline, exact variant alone', baseline);
  console.log(
    `time: tokens ${(tokensMs / 1000).toFixed(1)} s for ${commons.length + other.length} people (${((tokensMs * 1000) / (commons.length + other.length)).toFixed(0)} us each), index + match ${(matchMs / 1000).toFixed(2)} s for ${other.length} queries`,
  );
  console.log(
    `index by token: ${differing} of ${queried.length} answers differ from the full index's; a query of 1,000 people looks up ${Math.round(lookups / queries)} tokens and reads ${Math.round(candidates / queries)} cases of the ${stored.length} stored (${(indexMs / 1000).toFixed(1)} s for all ${queries} queries)`,
  );
  console.log(
    `targets: precision >= 0.99 ${all.precision >= 0.99 ? 'met' : 'NOT met'}, recall >= 0.95 ${all.recall >= 0.95 ? 'met' : 'NOT met'}`,
  );
}
