/**
 * Linkage at commons scale (issue 19, docs/linkage.md): the index by token answers as the
 * index of every stored case does, what a re-sent case changes in the index, and a tokens
 * sheet above the old one-request limit cut into parts of whole cases.
 */
import { randomBytes } from 'node:crypto';
import {
  LinkIndex,
  INDEXED_VARIANTS,
  LINK_VARIANT_NAMES,
  MAX_CASES_PER_REQUEST,
  indexChanges,
  indexedTokens,
  linkTokens,
  linkageKeyFrom,
  missingIndexedVariants,
  normalizePerson,
  parseTokenSheet,
  queryLookups,
  tokenSheetCsv,
  tokenSheetParts,
  type CaseLinkTokens,
  type LinkTokens,
  type PersonIdentifiers,
  type StoredCaseTokens,
} from '../../../layers/clinical/linkage';
import { twoRegistries } from '../../support/synthetic-population';

const KEY = linkageKeyFrom(Buffer.from('9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'));
const tokensOf = (p: PersonIdentifiers) => linkTokens(normalizePerson(p), KEY);

describe('the index by token', () => {
  it('gives every query the answer of the index of all stored cases, reading only the cases its tokens lead to', () => {
    const { commons, other } = twoRegistries(600, 0.5, 7);
    // Two projects, and each person of the first 100 a case of both: the strongest-per-project rule applies per project.
    const stored: StoredCaseTokens[] = commons.flatMap((p, i) => [
      { project: i % 2 ? 'odd' : 'even', casePseudonym: p.personId, tokens: tokensOf(p) },
      ...(i < 100 ? [{ project: 'both', casePseudonym: `both-${p.personId}`, tokens: tokensOf(p) }] : []),
    ]);
    // The table's index entries: an indexed variant's token leads to the cases carrying it.
    const entries = new Map<string, StoredCaseTokens[]>();
    for (const c of stored)
      for (const variant of INDEXED_VARIANTS) {
        const key = `${variant}:${c.tokens[variant]}`;
        if (c.tokens[variant]) entries.set(key, [...(entries.get(key) ?? []), c]);
      }
    const everything = new LinkIndex(stored);
    let candidatesRead = 0;
    let matched = 0;
    for (let start = 0; start < other.length; start += 100) {
      const people = other.slice(start, start + 100).map((p) => ({ ref: p.personId, tokens: tokensOf(p) }));
      const candidates = new Set(queryLookups(people).flatMap((l) => entries.get(`${l.variant}:${l.token}`) ?? []));
      candidatesRead += candidates.size;
      const narrowed = new LinkIndex(candidates);
      for (const person of people) {
        const answer = narrowed.match(person);
        expect(answer).toEqual(everything.match(person));
        if (answer.matches.length) matched += 1;
      }
    }
    expect(matched).toBeGreaterThan(270);
    // A query of 100 people reads the tokens of a couple of hundred cases (their own, namesakes), not of the 700 stored.
    expect(candidatesRead / (other.length / 100)).toBeLessThan(250);
  });

  it('looks each distinct indexed token up once, whichever people bring it', () => {
    const anne = tokensOf({ firstName: 'Anne', lastName: 'Lee', birthDate: '1970-03-08', sex: 'F', zip: '02139' });
    const anneMoved = tokensOf({ firstName: 'Anne', lastName: 'Lee', birthDate: '1970-03-08', sex: 'F', zip: '94110' });
    const annMarried = tokensOf({ firstName: 'Anne', lastName: 'Okafor', birthDate: '1970-03-08', sex: 'F', zip: '02139' });
    // A move changes no indexed token; a married name changes all but first_dob.
    const lookups = queryLookups([{ tokens: anne }, { tokens: anne }, { tokens: anneMoved }, { tokens: annMarried }]);
    expect(lookups.map((l) => l.variant)).toEqual([...INDEXED_VARIANTS, 'last_dob', 'names_unordered_phonetic', 'dob_unordered_phonetic']);
    expect(new Set(lookups.map((l) => `${l.variant}:${l.token}`)).size).toBe(lookups.length);
    expect(missingIndexedVariants(anne)).toEqual([]);
    expect(missingIndexedVariants({ exact: anne.exact! })).toEqual(INDEXED_VARIANTS);
  });

  it("changes a re-sent case's entries by what changed: new tokens added, stale ones removed, kept ones untouched", () => {
    const before = tokensOf({ firstName: 'Anne', lastName: 'Lee', birthDate: '1970-03-08', sex: 'F', zip: '02139' });
    const withoutZip = tokensOf({ firstName: 'Anne', lastName: 'Lee', birthDate: '1970-03-08', sex: 'F', zip: '' });
    // The ZIP is in no indexed variant: nothing to change.
    expect(indexChanges(before, withoutZip)).toEqual({ add: [], remove: [] });

    const married = tokensOf({ firstName: 'Anne', lastName: 'Okafor', birthDate: '1970-03-08', sex: 'F', zip: '02139' });
    const changed = indexChanges(before, married);
    expect(changed.add.map((l) => l.variant)).toEqual(['last_dob', 'names_unordered_phonetic', 'dob_unordered_phonetic']);
    expect(changed.remove.map((l) => l.variant)).toEqual(changed.add.map((l) => l.variant));
    expect(changed.add.every((l) => l.token === married[l.variant])).toBe(true);
    expect(changed.remove.every((l) => l.token === before[l.variant])).toBe(true);

    expect(indexChanges(undefined, before).add.map((l) => l.variant)).toEqual(INDEXED_VARIANTS);
    expect(indexedTokens(married)).toEqual(INDEXED_VARIANTS.map((variant) => ({ variant, token: married[variant] })));
    expect(indexChanges(before, before)).toEqual({ add: [], remove: [] });
  });
});

/** A tokens sheet of n cases of 13 well-formed random tokens each, with case ids as long as a site's might be. */
function largeSheet(n: number): { cases: CaseLinkTokens[]; csv: string } {
  const pool = randomBytes(n * LINK_VARIANT_NAMES.length * 33).toString('base64url');
  let at = 0;
  const cases = Array.from({ length: n }, (_, i) => ({
    row: 2 + i * LINK_VARIANT_NAMES.length,
    caseId: `SITE-A-MRN-${String(i + 1).padStart(7, '0')}`,
    tokens: Object.fromEntries(LINK_VARIANT_NAMES.map((v) => [v, pool.slice(at, (at += 43))])) as LinkTokens,
  }));
  return { cases, csv: tokenSheetCsv(cases) };
}

const dataLines = (csv: string) => csv.trimEnd().split('\n').slice(1);

describe('a tokens sheet in parts', () => {
  it('cuts a sheet above the old 6 MiB request into parts of whole cases that together are the sheet', () => {
    const { cases, csv } = largeSheet(6600);
    expect(Buffer.byteLength(csv)).toBeGreaterThan(6 * 1024 * 1024);
    const parts = tokenSheetParts(cases, MAX_CASES_PER_REQUEST);
    expect(parts.map((p) => p.cases)).toEqual([2000, 2000, 2000, 600]);
    for (const part of parts) {
      expect(part.csv.startsWith('case_id,variant,token\n')).toBe(true);
      expect(Buffer.byteLength(part.csv)).toBeLessThan(2 * 1024 * 1024);
    }
    // Together the parts are the sheet, row for row; no case is cut between two parts.
    expect(parts.map((p) => dataLines(p.csv).join('\n')).join('\n') === dataLines(csv).join('\n')).toBe(true);
    const caseOf = (line: string | undefined) => line?.split(',')[0];
    for (let i = 1; i < parts.length; i += 1)
      expect(caseOf(dataLines(parts[i]!.csv)[0])).not.toBe(caseOf(dataLines(parts[i - 1]!.csv).at(-1)));
    // A part is a sheet of its own, whose lines name the whole sheet's rows.
    const last = parts.at(-1)!;
    const parsed = parseTokenSheet(last.csv);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors.slice(0, 3)));
    expect(parsed.cases.map((c) => last.rowOf(c.row))).toEqual(cases.slice(6000).map((c) => c.row));
    expect(parsed.cases.map((c) => c.tokens)).toEqual(cases.slice(6000).map((c) => c.tokens));
  });

  it('maps a line inside a case to the row the case starts on, and keeps a short sheet in one part', () => {
    const { cases } = largeSheet(3);
    const parts = tokenSheetParts(cases, 1000);
    expect(parts).toHaveLength(1);
    expect([2, 14, 15, 40, 41].map((line) => parts[0]!.rowOf(line))).toEqual([2, 2, 15, 28, 41]);
    expect(() => tokenSheetParts(cases, 0)).toThrow(RangeError);
  });
});
