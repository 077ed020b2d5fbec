/**
 * `hilum upload` sends a large tokens sheet in parts of whole cases (docs/linkage.md, "Large
 * rosters"): every part within one request's limit, a part the API failed sent again, and a
 * refused part reported with what was stored and the refused rows as rows of the site's sheet.
 * The API here records the parts it is sent; the end-to-end path is test/integration/linkage.test.ts.
 */
import {
  LINK_VARIANT_NAMES,
  MAX_CASES_PER_REQUEST,
  parseTokenSheet,
  tokenSheetCsv,
  type LinkTokens,
} from '../../../layers/clinical/linkage';
import { ApiError } from '../../../cli/lib/api-client';
import { EXIT } from '../../../cli/exit-codes';
import { CASES_PER_PART, LinkageTokensIncomplete, sendLinkageTokens } from '../../../cli/lib/linkage-tokens-upload';

const token = (i: number, v: number) => `${String(i).padStart(8, '0')}${String(v).padStart(2, '0')}`.padEnd(43, 'x');
const sheetOf = (n: number) =>
  tokenSheetCsv(
    Array.from({ length: n }, (_, i) => ({
      row: 0,
      caseId: `MRN-${i + 1}`,
      tokens: Object.fromEntries(LINK_VARIANT_NAMES.map((v, j) => [v, token(i, j)])) as LinkTokens,
    })),
  );

/** An API that stores what it is sent, and answers a part as `answer` says (stored when it returns nothing). */
function recordingApi(answer: (part: number, csv: string) => ApiError | undefined = () => undefined) {
  const sent: string[] = [];
  const stored = new Set<string>();
  return {
    sent,
    stored,
    async putLinkageTokens(submissionId: string, csv: string) {
      sent.push(csv);
      const refusal = answer(sent.length, csv);
      if (refusal) throw refusal;
      const parsed = parseTokenSheet(csv);
      if (!parsed.ok) throw new Error('a part is not a tokens sheet');
      if (parsed.cases.length > MAX_CASES_PER_REQUEST) throw new Error('a part is larger than one request stores');
      for (const c of parsed.cases) stored.add(c.caseId);
      return { submissionId, cases: parsed.cases.length };
    },
  };
}

describe('sending a tokens sheet in parts', () => {
  it('sends a sheet of more cases than one request stores in parts, each case once', async () => {
    const api = recordingApi();
    const result = await sendLinkageTokens(api, 'sub-1', sheetOf(CASES_PER_PART + 5));
    expect(result).toEqual({ submissionId: 'sub-1', cases: CASES_PER_PART + 5, parts: 2 });
    expect(api.sent).toHaveLength(2);
    expect(api.stored.size).toBe(CASES_PER_PART + 5);
  });

  it('sends a part again when the API failed it, and the whole is stored', async () => {
    const api = recordingApi((n) => (n === 2 ? new ApiError(503, 'PUT failed (503): Service Unavailable', {}) : undefined));
    const result = await sendLinkageTokens(api, 'sub-1', sheetOf(25), { casesPerPart: 10, retryDelayMs: 1 });
    expect(result.cases).toBe(25);
    expect(api.sent).toHaveLength(4);
    expect(api.sent[1]).toBe(api.sent[2]);
    expect(api.stored.size).toBe(25);
  });

  it("reports a refused part with the cases stored before it and the refused rows as the site's sheet's", async () => {
    // The API refuses the third part's second case (line 15 of the part: after the header and the first case's 13 rows).
    const refusal = new ApiError(400, 'PUT failed (400): the tokens sheet has 1 error(s)', {
      message: 'the tokens sheet has 1 error(s), nothing was stored',
      details: [{ row: 15, column: 'case_id', code: 'unknown_case', message: 'names no case of the project' }],
    });
    const api = recordingApi((n) => (n === 3 ? refusal : undefined));
    const failure = await sendLinkageTokens(api, 'sub-1', sheetOf(50), { casesPerPart: 10 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(LinkageTokensIncomplete);
    const incomplete = failure as LinkageTokensIncomplete;
    expect(incomplete).toMatchObject({ storedCases: 20, totalCases: 50, exitCode: EXIT.usage });
    // The 22nd case of the sheet starts on row 2 + 21 * 13.
    expect(incomplete.errors).toEqual([
      { row: 2 + 21 * 13, column: 'case_id', code: 'unknown_case', message: 'names no case of the project' },
    ]);
    expect(incomplete.message).toMatch(/part 3 of 5 .* row 275, column case_id: names no case.*20 of 50 cases stored/);
    expect(api.sent).toHaveLength(3);
  });

  it('stops at a refusal of the credentials with its exit code, saying what was stored', async () => {
    const api = recordingApi((n) => (n === 2 ? new ApiError(403, 'PUT failed (403): Forbidden', {}) : undefined));
    const failure = (await sendLinkageTokens(api, 'sub-1', sheetOf(15), { casesPerPart: 10 }).catch(
      (e: unknown) => e,
    )) as LinkageTokensIncomplete;
    expect(failure).toMatchObject({ storedCases: 10, totalCases: 15, exitCode: EXIT.denied });
    expect(failure.message).toMatch(/part 2 of 2 .*not stored.*403.*10 of 15 cases stored/);
  });
});
