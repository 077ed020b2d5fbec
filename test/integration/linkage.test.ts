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
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HilumApi } from '../../cli/lib/api-client';
import { prepareClinicalDir, readLinkageTokens } from '../../cli/lib/clinical-dir';
import { run as runHilum } from '../../cli/main';
import { casePseudonym } from '../../layers/clinical';
import {
  INDEXED_VARIANTS,
  LinkIndex,
  MAX_CASES_PER_REQUEST,
  linkTokens,
  linkageKeyFrom,
  normalizePerson,
  parseTokenSheet,
  rosterTokens,
  tokenSheetCsv,
  type StoredCaseTokens,
} from '../../layers/clinical/linkage';
import { LinkageRepository, tokenIndexKey } from '../../layers/adapters/aws/dynamodb/linkage-repository';
import { matchThroughIndex } from '../../layers/services/linkage-match';
import { sendLinkageTokens } from '../../cli/lib/linkage-tokens-upload';
import { matchRequest } from '../../cli/commands/link-tokens';
import { startLocalCommons, type LocalCommons } from '../../local/commons';
import { makeSeries } from '../support/synthetic-dicom';
import { syntheticPopulation, twoRegistries, type SyntheticPerson } from '../support/synthetic-population';

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
    // In parts of three cases, as hilum upload sends a sheet larger than one request (each part replaces its own cases).
    expect(await sendLinkageTokens(site, submissionId, tokens, { casesPerPart: 3 })).toEqual({
      submissionId,
      cases: people.length,
      parts: 3,
    });
    // One request stores at most MAX_CASES_PER_REQUEST cases: a larger sheet is refused before anything is read or stored.
    const tooMany = parseTokenSheet(tokens);
    if (!tooMany.ok) throw new Error('the site sheet is a tokens sheet');
    const oversized = tokenSheetCsv(
      Array.from({ length: MAX_CASES_PER_REQUEST + 1 }, (_, i) => ({ ...tooMany.cases[0]!, caseId: `MRN-X${i}` })),
    );
    await expect(site.putLinkageTokens(submissionId, oversized)).rejects.toMatchObject({ status: 400, message: /send it in parts/ });
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
      details: { people: 6, projects: 1, matchedPeople: 4, matches: 4 },
    });
    expect(events[0]!.actor).toMatch(/broker-link|^[0-9a-f-]{36}$/);
    // The query's own indexed tokens were looked up (6 people, 4 each) and the cases they led to read: the 4, perhaps a namesake.
    const cost = events[0]!.details as { lookups: number; candidateCases: number; readUnits: number };
    expect(cost.lookups).toBeGreaterThan(16);
    expect(cost.lookups).toBeLessThanOrEqual(6 * INDEXED_VARIANTS.length);
    expect(cost.candidateCases).toBeGreaterThanOrEqual(4);
    expect(cost.candidateCases).toBeLessThanOrEqual(people.length);
    expect(cost.readUnits).toBeGreaterThan(0);
    const denied = await admin.request<{ events: { outcome?: string; details?: { route?: string } }[] }>(
      'GET',
      `/audit?${new URLSearchParams({ action: 'access.denied', limit: '100' })}`,
    );
    expect(denied.events.filter((e) => e.details?.route === 'POST /linkage/match')).toHaveLength(5);
  });

  describe('the index by token, on the commons table', () => {
    const SCALE = 'link-scale';
    let documents: DynamoDBDocumentClient;
    let repository: LinkageRepository;
    const tokensOf = (p: SyntheticPerson) => linkTokens(normalizePerson(p), linkageKeyFrom(Buffer.from(key)));
    const record = (p: SyntheticPerson, tokens = tokensOf(p)) => ({
      project: SCALE,
      casePseudonym: p.personId,
      tokens,
      site: SITE,
      submissionId: '00000000-0000-4000-8000-000000000019',
      updatedAt: '2026-12-06T00:00:00Z',
    });
    /** What the query did before the index: read every token record of the project. */
    const readWholeProject = async () => {
      let units = 0;
      let start: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(
          new QueryCommand({
            TableName: commons.tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': `PROJECT#${SCALE}`, ':prefix': 'LINKTOKENS#' },
            ExclusiveStartKey: start,
            ReturnConsumedCapacity: 'TOTAL',
          }),
        );
        units += page.ConsumedCapacity?.CapacityUnits ?? 0;
        start = page.LastEvaluatedKey;
      } while (start);
      return units;
    };

    beforeAll(() => {
      documents = DynamoDBDocumentClient.from(
        new DynamoDBClient({ endpoint: commons.dynamodbEndpoint, region: 'us-east-1', credentials: commons.credentials }),
      );
      repository = new LinkageRepository(documents, commons.tableName);
    });
    afterAll(() => documents?.destroy());

    // 100 people of another registry, 25 of them cases of a project of 100, written with errors (few cases: DynamoDB Local writes slowly).
    const { commons: registry, other, shared } = twoRegistries(100, 25 / 100, 23);
    const sharedIds = new Set(other.slice(0, shared).map((p) => p.personId));
    const query = [...other, ...syntheticPopulation(50, 2323).map((p, i) => ({ ...p, personId: `S-${i}` }))].map((p) => ({
      ref: p.personId,
      tokens: tokensOf(p),
    }));

    it("reads the query's tokens and the cases they lead to: the same calls and read units when the project grows fourfold", async () => {
      // First the project holds the 25 cases the query should find; then 75 more: four times the cases.
      const first = registry.filter((p) => sharedIds.has(p.personId));
      const rest = registry.filter((p) => !sharedIds.has(p.personId));
      const everything = (stored: readonly SyntheticPerson[]) => {
        const index = new LinkIndex(
          stored.map((p): StoredCaseTokens => ({ project: SCALE, casePseudonym: p.personId, tokens: tokensOf(p) })),
        );
        return query.map((p) => index.match(p));
      };

      await repository.putCaseTokens(first.map((p) => record(p)));
      const small = await matchThroughIndex(repository, query, [SCALE]);
      const smallWhole = await readWholeProject();
      await repository.putCaseTokens(rest.map((p) => record(p)));
      const large = await matchThroughIndex(repository, query, [SCALE]);
      const largeWhole = await readWholeProject();

      // The answers are those of an index of every stored case, and the project's growth did not change them.
      expect(small.people).toEqual(everything(first));
      expect(large.people).toEqual(everything(registry));
      expect(query).toHaveLength(100);
      expect(large.people.filter((p) => p.matches.length).length).toBeGreaterThanOrEqual(22);
      // What the query read did not grow with the project: its own tokens, once each, and the cases they found.
      expect(large.lookups).toBe(small.lookups);
      expect(large.candidateCases).toBeLessThanOrEqual(small.candidateCases + 5);
      expect(large.readUnits).toBeLessThanOrEqual(small.readUnits * 1.1);
      // Reading the whole project, as the query did before the index, grew with it.
      expect(largeWhole).toBeGreaterThan(smallWhole * 3);
    });

    it("replaces a re-sent case's tokens: its stale index entries are removed, and its old tokens find it no more", async () => {
      const person = registry.find((p) => sharedIds.has(p.personId))!;
      const before = tokensOf(person);
      // A married name (another initial too) and no ZIP.
      const moved = tokensOf({ ...person, lastName: /^q/i.test(person.lastName) ? 'Okafor' : 'Quist', zip: '' });
      await repository.putCaseTokens([record(person, moved)]);
      const entriesOf = async (variant: keyof typeof before, token: string) =>
        (
          await documents.send(
            new QueryCommand({
              TableName: commons.tableName,
              KeyConditionExpression: 'pk = :pk',
              ExpressionAttributeValues: { ':pk': tokenIndexKey({ variant, token }, record(person)).pk },
            }),
          )
        ).Items ?? [];
      for (const variant of ['last_dob', 'names_unordered_phonetic', 'dob_unordered_phonetic'] as const)
        expect((await entriesOf(variant, before[variant]!)).filter((e) => e.casePseudonym === person.personId)).toEqual([]);
      // Kept tokens keep their entry.
      expect((await entriesOf('first_dob', before.first_dob!)).filter((e) => e.casePseudonym === person.personId)).toHaveLength(1);
      const found = (tokens: typeof before) => matchThroughIndex(repository, [{ ref: 'r', tokens }], [SCALE]);
      // The old tokens agree on first_dob alone now (the first name, birth date and sex are the same): no match.
      const byOld = (await found(before)).people[0]!.matches;
      expect(byOld.map((m) => m.casePseudonym)).not.toContain(person.personId);
      expect((await found(moved)).people[0]!.matches[0]).toMatchObject({ casePseudonym: person.personId, score: 1 });

      // An entry a store never wrote (or tokens stored before the index) comes back when the case is sent again unchanged.
      const mine = async () => (await entriesOf('last_dob', moved.last_dob!)).filter((e) => e.casePseudonym === person.personId);
      await documents.send(
        new DeleteCommand({
          TableName: commons.tableName,
          Key: tokenIndexKey({ variant: 'last_dob', token: moved.last_dob! }, record(person)),
        }),
      );
      expect(await mine()).toHaveLength(0);
      await repository.putCaseTokens([record(person, moved)]);
      expect(await mine()).toHaveLength(1);
    });
  });
});
