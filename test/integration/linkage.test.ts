/**
 * Record linkage end to end on the local commons (issue 19, docs/linkage.md): a site computes
 * its roster's tokens with `hilum link-tokens` (the identifiers stay at the site), sends a
 * submission with images, a clinical sheet and the tokens sheet (`hilum upload --clinical`'s
 * library), then the honest broker (`linker`) queries with another registry's tokens for some
 * of the same people, written with errors: exactly those people's cases come back, with the
 * variants that agreed; a researcher (and every other role) gets 403; the audit records the
 * query with counts and no token. One commons for the file.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HilumApi } from '../../cli/lib/api-client';
import { prepareClinicalDir, readLinkageTokens } from '../../cli/lib/clinical-dir';
import { run as runHilum } from '../../cli/main';
import { casePseudonym } from '../../layers/clinical';
import { linkageKeyFrom, rosterTokens } from '../../layers/clinical/linkage';
import { matchRequest } from '../../cli/commands/link-tokens';
import { startLocalCommons, type LocalCommons } from '../../local/commons';
import { makeSeries } from '../support/synthetic-dicom';
import { syntheticPopulation, type SyntheticPerson } from '../support/synthetic-population';

jest.setTimeout(240_000);

const PROJECT = 'link-proj';
const SITE = 'site-link';
const ROOT = '1.2.826.0.1.3680043.8.498.1920';

const rosterCsv = (people: readonly (SyntheticPerson & { caseId: string })[]) =>
  [
    'case_id,first_name,last_name,birth_date,sex,zip',
    ...people.map((p) => [p.caseId, p.firstName, p.lastName, p.birthDate, p.sex, p.zip].map((v) => `"${v}"`).join(',')),
  ].join('\n');

describe('privacy-preserving record linkage on the local commons', () => {
  let dataDir: string;
  let commons: LocalCommons;
  let site: HilumApi;
  let siteToken: string;
  let linkerToken: string;
  let admin: HilumApi;
  let submissionId: string;
  let siteKey: string;
  const key = '7d1f0c4e9a3b62f8d5c0e1a4b7f29c3d6e8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c';
  // The fourth person's birth date has a day that can pass for a month, for the day/month swap below.
  const people = syntheticPopulation(8, 2019).map((p, i) => ({
    ...p,
    caseId: `MRN-${i + 1}`,
    ...(i === 3 ? { birthDate: '1961-04-09' } : {}),
  }));

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-linkage-'));
    commons = await startLocalCommons({
      dataDir,
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'ERROR',
    });
    const curator = new HilumApi(commons.apiUrl, await commons.issueToken(['curator'], 'curator-link'));
    await curator.request('POST', '/projects', { projectId: PROJECT, name: 'linkage', availability: 'open', sites: [SITE] });
    siteToken = await commons.issueToken([`site-uploader:${SITE}`], 'uploader-link');
    site = new HilumApi(commons.apiUrl, siteToken);
    // The broker's token as a local user gets one: hilum token --group linker.
    const printed = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(await runHilum(['token', '--group', 'linker', '--username', 'broker-link', '--data-dir', dataDir])).toBe(0);
    linkerToken = String(printed.mock.calls[0]![0]);
    printed.mockRestore();
    admin = new HilumApi(commons.apiUrl, await commons.issueToken(['admin'], 'admin-link'));
    ({ submissionId } = await site.createSubmission(PROJECT, SITE));
    siteKey = (await site.request<{ key: string }>('GET', `/projects/${PROJECT}/site-key`)).key;
  });

  afterAll(async () => {
    await commons?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const matchAs = (token: string, body: unknown) =>
    fetch(`${commons.apiUrl}/linkage/match`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('computes tokens at the site, refuses a weak key, and sends them with images and clinical data', async () => {
    const siteDir = join(dataDir, 'site');
    const clinical = join(siteDir, 'clinical');
    await mkdir(clinical, { recursive: true });
    await writeFile(join(siteDir, 'roster.csv'), rosterCsv(people));
    await writeFile(join(siteDir, 'weak.key'), 'password123\n');
    await writeFile(join(siteDir, 'linkage.key'), `${key}\n`);

    const tokensFile = join(clinical, 'linkage_tokens.csv');
    expect(
      await runHilum(['link-tokens', join(siteDir, 'roster.csv'), '--linkage-key-file', join(siteDir, 'weak.key'), '--out', tokensFile]),
    ).toBe(2);
    expect(
      await runHilum(['link-tokens', join(siteDir, 'roster.csv'), '--linkage-key-file', join(siteDir, 'linkage.key'), '--out', tokensFile]),
    ).toBe(0);
    const sheet = await readFile(tokensFile, 'utf8');
    expect(sheet.split('\n')[0]).toBe('case_id,variant,token');
    // No identifier leaves the site: not a name, not a birth date, not a ZIP.
    for (const p of people) for (const value of [p.firstName, p.lastName, p.birthDate, p.zip]) expect(sheet).not.toContain(value);

    // Images: one small CT series per case, its PatientID the case id.
    const files = people.flatMap((p, i) =>
      makeSeries(1, {
        modality: 'CT',
        rows: 16,
        columns: 16,
        studyInstanceUid: `${ROOT}.${i + 1}`,
        seriesInstanceUid: `${ROOT}.${i + 1}.1`,
        patient: { id: p.caseId },
      }).map((bytes) => ({ name: `${p.caseId}.dcm`, bytes })),
    );
    const { uploads } = await site.requestUploads(
      submissionId,
      files.map((f) => ({ name: f.name, size: f.bytes.byteLength })),
    );
    for (const u of uploads)
      expect((await fetch(u.url!, { method: 'PUT', body: files.find((f) => f.name === u.name)!.bytes })).status).toBe(200);

    await writeFile(
      join(clinical, 'case.csv'),
      ['case_id,index_event,index_date', ...people.map((p) => `${p.caseId},Imaging study,2021-03-01`)].join('\n'),
    );
    const sheets = await prepareClinicalDir(clinical);
    expect(sheets.map((s) => s.node)).toEqual(['case']);
    // Tokens of a case the project does not have yet are refused, naming no value.
    const tokens = (await readLinkageTokens(clinical))!;
    const early = await fetch(`${commons.apiUrl}/submissions/${submissionId}/linkage-tokens`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${siteToken}`, 'content-type': 'text/csv' },
      body: tokens,
    });
    expect(early.status).toBe(400);
    const refusal = (await early.json()) as { details: { code: string; row: number }[] };
    expect(refusal.details.map((d) => d.code)).toEqual(people.map(() => 'unknown_case'));
    expect(JSON.stringify(refusal)).not.toMatch(/MRN-/);

    for (const s of sheets) await site.putClinicalSheet(submissionId, s.node, s.body, s.file);
    expect(await site.putLinkageTokens(submissionId, tokens)).toEqual({ submissionId, cases: people.length });
    // Not sealed: publication is not what linkage needs, and a submission workflow still running at teardown fails noisily.
  });

  it("answers the linker's query with exactly the cases of the people both registries hold, despite errors", async () => {
    const [a, b, c, d] = people;
    // Another registry: four of the site's people, each written with an error, and two strangers.
    const other = [
      { ...a!, caseId: 'R-1', firstName: `${a!.firstName.slice(0, 2)}${a!.firstName.slice(3)}` }, // a typo
      { ...b!, caseId: 'R-2', firstName: b!.lastName, lastName: b!.firstName, zip: '' }, // names swapped, no ZIP
      { ...c!, caseId: 'R-3', lastName: `${c!.lastName}-Okafor`.toUpperCase() }, // a double-barrelled married name
      { ...d!, caseId: 'R-4', birthDate: '1961-09-04' }, // day and month swapped
      ...syntheticPopulation(2, 77).map((p, i) => ({ ...p, caseId: `R-${5 + i}` })),
    ];
    const query = rosterTokens(rosterCsv(other), linkageKeyFrom(Buffer.from(key)));
    if (!query.ok) throw new Error(JSON.stringify(query.errors));

    const response = await matchAs(linkerToken, { projects: [PROJECT], ...matchRequest(query.cases) });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as {
      people: { ref: string; matches: { project: string; casePseudonym: string; agreed: string[]; score: number }[] }[];
      matchedPeople: number;
    };
    const pseudonym = (caseId: string) => casePseudonym(caseId, { secret: siteKey, project: PROJECT, site: SITE });
    const expected: Record<string, string[]> = {
      'R-1': [pseudonym(a!.caseId)],
      'R-2': [pseudonym(b!.caseId)],
      'R-3': [pseudonym(c!.caseId)],
      'R-4': [pseudonym(d!.caseId)],
      'R-5': [],
      'R-6': [],
    };
    expect(Object.fromEntries(answer.people.map((p) => [p.ref, p.matches.map((m) => m.casePseudonym)]))).toEqual(expected);
    expect(answer.matchedPeople).toBe(4);
    const byRef = new Map(answer.people.map((p) => [p.ref, p.matches[0]]));
    expect(byRef.get('R-2')!.agreed).toEqual(expect.arrayContaining(['names_unordered', 'names_unordered_phonetic']));
    expect(byRef.get('R-3')!.agreed).toEqual(expect.arrayContaining(['first_dob', 'first_dob_zip']));
    for (const m of byRef.values()) if (m) expect(m).toMatchObject({ project: PROJECT, score: expect.any(Number) });
    // The answer carries pseudonyms and variant names: no token.
    const tokenValues = query.cases.flatMap((c) => Object.values(c.tokens));
    const text = JSON.stringify(answer);
    for (const t of tokenValues) expect(text).not.toContain(t);
  });

  it('refuses the linkage API to every role but linker, and audits each query with counts only', async () => {
    const body = { people: [{ ref: 'x', tokens: { exact: 'A'.repeat(43) } }] };
    for (const groups of [['researcher'], ['curator'], ['dac'], ['admin'], [`site-uploader:${SITE}`]]) {
      const token = await commons.issueToken(groups, `probe-${groups[0]!.replace(':', '-')}`);
      expect((await matchAs(token, body)).status).toBe(403);
    }
    expect((await matchAs(linkerToken, { people: [{ ref: 'x', tokens: { nickname: 'A'.repeat(43) } }] })).status).toBe(400);

    const { events } = await admin.request<{
      events: { actor: string; action: string; targetId: string; details?: Record<string, unknown> }[];
    }>('GET', `/audit?${new URLSearchParams({ action: 'linkage.match', limit: '50' })}`);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: 'linkage.match',
      targetId: PROJECT,
      details: { people: 6, projects: 1, storedCases: people.length, matchedPeople: 4, matches: 4 },
    });
    expect(events[0]!.actor).toMatch(/broker-link|^[0-9a-f-]{36}$/);
    const denied = await admin.request<{ events: { outcome?: string; details?: { route?: string } }[] }>(
      'GET',
      `/audit?${new URLSearchParams({ action: 'access.denied', limit: '100' })}`,
    );
    expect(denied.events.filter((e) => e.details?.route === 'POST /linkage/match')).toHaveLength(5);
  });
});
