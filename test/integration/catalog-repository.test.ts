/**
 * The catalog's intake and publication repositories against DynamoDB Local: the
 * transactions that make at-least-once events safe really count a file once, under
 * concurrency too.
 */
import { TransactionConflictException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { IntakeRepository, SubmissionNotOpen } from '../../layers/adapters/aws/dynamodb/intake-repository';
import { PublicationRepository } from '../../layers/adapters/aws/dynamodb/publication-repository';
import { ProjectRepository } from '../../layers/adapters/aws/dynamodb/project-repository';
import { readPages, type PagedRead } from '../../layers/adapters/aws/dynamodb/table-io';
import { Instance, Submission, SubmissionFile } from '../../layers/catalog/entities';
import { OwnershipConflict, StudyOwnershipInconsistent } from '../../layers/catalog/ownership';
import { TransientError } from '../../layers/common/errors';
import { QaRepository } from '../../layers/adapters/aws/dynamodb/qa-repository';
import { dynamodbCallLabel } from '../../local/usage-meter';
import { startCatalogTable, type CatalogTable } from '../support/catalog-table';

jest.setTimeout(120_000);

const TABLE = 'catalog-test';

describe('the intake and publication repositories on DynamoDB Local', () => {
  let table: CatalogTable;
  let intake: IntakeRepository;
  let publication: PublicationRepository;
  let documents: DynamoDBDocumentClient;

  beforeAll(async () => {
    table = await startCatalogTable(TABLE);
    documents = table.documents;
    intake = new IntakeRepository(documents, TABLE);
    publication = new PublicationRepository(documents, TABLE);
  });

  afterAll(async () => {
    await table?.stop();
  });

  const OWNER = { project: 'p', site: 'a' };
  const submission = (id: string): Submission => ({
    submissionId: id,
    project: 'p',
    site: 'a',
    status: 'open',
    createdBy: 'u',
    createdAt: '2026-01-01T00:00:00Z',
    fileCount: 0,
    handledCount: 0,
    stagedCount: 0,
    quarantinedCount: 0,
  });
  const file = (submissionId: string, fileId: string): SubmissionFile => ({
    submissionId,
    fileId,
    intakeKey: `intake/${submissionId}/${fileId}`,
    declaredSize: 10,
    status: 'announced',
    announcedAt: 't',
  });
  const instance = (submissionId: string, fileId: string, sopUid: string): Instance => ({
    studyUid: '2.25.100',
    seriesUid: '2.25.200',
    sopUid,
    project: 'p',
    site: 'a',
    submissionId,
    fileId,
    objectKey: `studies/2.25.100/2.25.200/${sopUid}.dcm`,
    size: 10,
    sha256: 'ab',
    transferSyntaxUid: '1.2.840.10008.1.2.1',
    sopClassUid: '1.2',
    modality: 'CT',
    stagedAt: 't',
  });

  it('counts announced files in batches beyond one transaction, and refuses them once sealed', async () => {
    await intake.createSubmission(submission('s1'));
    const files = Array.from({ length: 150 }, (_, i) => file('s1', `f${i}`));
    await intake.announceFiles('s1', files);
    expect((await intake.getSubmission('s1'))?.fileCount).toBe(150);
    expect(await intake.listFiles('s1')).toHaveLength(150);
    expect(await intake.sealSubmission('s1', 'now')).toMatchObject({ status: 'sealed' });
    expect(await intake.sealSubmission('s1', 'again')).toBeUndefined();
    await expect(intake.announceFiles('s1', [file('s1', 'late')])).rejects.toBeInstanceOf(SubmissionNotOpen);
    expect((await intake.getSubmission('s1'))?.fileCount).toBe(150);
  });

  it('records a file outcome once, however many concurrent deliveries try', async () => {
    await intake.createSubmission(submission('s2'));
    await intake.announceFiles('s2', [file('s2', 'f1'), file('s2', 'f2')]);
    const owned = await intake.claimOwnership(instance('s2', 'f1', '2.25.1'), 's2');
    const attempts = await Promise.allSettled(
      Array.from({ length: 8 }, () =>
        intake.recordStaged({ submissionId: 's2', fileId: 'f1', releasedKey: 'k', handledAt: 't' }, instance('s2', 'f1', '2.25.1'), owned),
      ),
    );
    const outcomes = attempts.map((a) => (a.status === 'fulfilled' ? a.value : 'error'));
    // DynamoDB may also cancel a racing transaction for a conflict; none may count twice.
    expect(outcomes.filter((o) => o === true)).toHaveLength(1);
    expect(
      await intake.recordQuarantined({
        submissionId: 's2',
        fileId: 'f1',
        quarantineKey: 'q',
        reasonCode: 'x',
        reason: 'y',
        quarantineDigest: 'd1',
        quarantineDecision: '{}',
        handledAt: 't',
      }),
    ).toBe(false);
    expect(await intake.getSubmission('s2')).toMatchObject({ handledCount: 1, stagedCount: 1 });
    expect(await intake.getFile('s2', 'f1')).toMatchObject({ status: 'staged', releasedKey: 'k', studyUid: '2.25.100' });

    expect(
      await intake.recordQuarantined({
        submissionId: 's2',
        fileId: 'f2',
        quarantineKey: 'q',
        reasonCode: 'DicomParseError',
        reason: 'bad',
        quarantineDigest: 'd2',
        quarantineDecision: '{}',
        handledAt: 't',
      }),
    ).toBe(true);
    expect(await intake.getFile('s2', 'f2')).toMatchObject({
      status: 'quarantined',
      reasonCode: 'DicomParseError',
      quarantineDigest: 'd2',
    });
    expect(await intake.getSubmission('s2')).toMatchObject({ handledCount: 2, stagedCount: 1, quarantinedCount: 1 });
    expect(await intake.listSubmissionStudyUids('s2')).toEqual(['2.25.100']);
    expect(await publication.listInstances('2.25.100')).toHaveLength(1);
  });

  it('lets one caller announce a sealed submission, and another only once the claim went stale or was given back', async () => {
    await intake.createSubmission(submission('s3'));
    expect(await intake.claimReadyAnnouncement('s3', '2026-01-01T00:00:00Z', '2025-12-31T23:45:00Z')).toBe(false); // still open
    await intake.announceFiles('s3', [file('s3', 'f1')]);
    await intake.sealSubmission('s3', 'now');
    const claims = await Promise.all(
      Array.from({ length: 5 }, () => intake.claimReadyAnnouncement('s3', '2026-01-01T00:00:00Z', '2025-12-31T23:45:00Z')),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await intake.claimReadyAnnouncement('s3', '2026-01-01T00:10:00Z', '2025-12-31T23:55:00Z')).toBe(false);
    expect(await intake.claimReadyAnnouncement('s3', '2026-01-01T00:20:00Z', '2026-01-01T00:05:00Z')).toBe(true); // stale
    await intake.releaseReadyAnnouncement('s3', '2026-01-01T00:20:00Z');
    expect(await intake.claimReadyAnnouncement('s3', '2026-01-01T00:21:00Z', '2026-01-01T00:06:00Z')).toBe(true);
    await intake.markSubmissionPublished('s3', 'later');
    // Published, its QA report and snapshot steps not done yet: a stale claim may be taken again (the workflow re-run)...
    expect(await intake.getSubmission('s3')).toMatchObject({ status: 'published', completionPendingSince: 'later' });
    expect(await intake.claimReadyAnnouncement('s3', '2026-01-01T00:22:00Z', '2026-01-01T00:07:00Z')).toBe(false); // not stale
    expect(await intake.claimReadyAnnouncement('s3', '2026-01-02T00:00:00Z', '2026-01-01T23:45:00Z')).toBe(true);
    // ...and never once the workflow ran to its end.
    await intake.markSubmissionWorkflowCompleted('s3');
    expect((await intake.getSubmission('s3'))?.completionPendingSince).toBeUndefined();
    expect(await intake.claimReadyAnnouncement('s3', '2026-01-03T00:00:00Z', '2026-01-02T23:45:00Z')).toBe(false);
  });

  it('publishes a study once and pages published studies with a cursor', async () => {
    for (const uid of ['2.25.1001', '2.25.1002', '2.25.1003']) {
      await publication.upsertStudyAggregate({
        studyUid: uid,
        project: 'p',
        site: 'a',
        modalities: ['CT'],
        seriesCount: 1,
        instanceCount: 1,
        totalBytes: 1,
        submissionIds: ['s'],
        indexedAt: 't',
      });
      expect((await publication.getStudy(uid))?.status).toBe('staged');
      expect(await publication.publishStudy(uid, `2026-01-0${uid.slice(-1)}T00:00:00Z`, OWNER)).toBe(true);
    }
    expect(await publication.publishStudy('2.25.1001', 'later', OWNER)).toBe(false);
    expect(await publication.publishStudy('2.25.404', 'later', OWNER)).toBe(false);
    const first = await publication.listPublishedStudies(2);
    expect(first.items.map((s) => s.studyUid)).toEqual(['2.25.1003', '2.25.1002']);
    expect(first.cursor).toBeDefined();
    const second = await publication.listPublishedStudies(2, first.cursor);
    expect(second.items.map((s) => s.studyUid)).toEqual(['2.25.1001']);
    expect((await publication.getStudy('2.25.1001'))?.publishedAt).toBe('2026-01-01T00:00:00Z');

    // A re-index after publication keeps the study published and listed.
    await publication.upsertStudyAggregate({
      studyUid: '2.25.1001',
      project: 'p',
      site: 'a',
      modalities: ['CT'],
      seriesCount: 1,
      instanceCount: 2,
      totalBytes: 2,
      submissionIds: ['s', 't'],
      indexedAt: 'later',
    });
    expect(await publication.getStudy('2.25.1001')).toMatchObject({
      status: 'published',
      instanceCount: 2,
      publishedAt: '2026-01-01T00:00:00Z',
    });
    expect((await publication.listPublishedStudies(10)).items.find((s) => s.studyUid === '2.25.1001')?.instanceCount).toBe(2);
  });

  // ---- study ownership (issue 11, S1) -----------------------------------------------------------

  const ownedSubmission = (id: string, project: string, site: string): Submission => ({ ...submission(id), project, site });
  const ownedInstance = (submissionId: string, fileId: string, over: Partial<Instance>): Instance => ({
    ...instance(submissionId, fileId, '2.25.1'),
    ...over,
  });

  /** Stages as the workflow does (claims, then the staging write): a TransientError (DynamoDB cancelled a racing transaction) is retried. */
  async function stageWithRetry(file: Parameters<IntakeRepository['recordStaged']>[0], inst: Instance): Promise<boolean> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await intake.recordStaged(file, inst, await intake.claimOwnership(inst, file.submissionId));
      } catch (error) {
        if (!(error instanceof TransientError) || attempt > 8) throw error;
        await new Promise((r) => setTimeout(r, 20 * (attempt + 1)));
      }
    }
  }

  it('lets exactly one of two projects racing to stage into a new study claim it; the other is refused and writes nothing', async () => {
    for (let round = 0; round < 6; round += 1) {
      const studyUid = `2.25.77${round}`;
      const contenders = [
        { submissionId: `race-open-${round}`, project: 'open', site: 'site-b', seriesUid: `2.25.88${round}1`, sopUid: `2.25.99${round}1` },
        {
          submissionId: `race-seq-${round}`,
          project: 'sequestered',
          site: 'site-a',
          seriesUid: `2.25.88${round}2`,
          sopUid: `2.25.99${round}2`,
        },
      ];
      for (const c of contenders) {
        await intake.createSubmission(ownedSubmission(c.submissionId, c.project, c.site));
        await intake.announceFiles(c.submissionId, [file(c.submissionId, 'f1')]);
      }
      const outcomes = await Promise.allSettled(
        contenders.map((c) =>
          stageWithRetry(
            { submissionId: c.submissionId, fileId: 'f1', releasedKey: 'k', handledAt: 't' },
            ownedInstance(c.submissionId, 'f1', { studyUid, seriesUid: c.seriesUid, sopUid: c.sopUid, project: c.project, site: c.site }),
          ),
        ),
      );
      const won = outcomes.findIndex((o) => o.status === 'fulfilled' && o.value === true);
      expect(won).toBeGreaterThanOrEqual(0);
      const lost = outcomes[1 - won]!;
      expect(lost).toMatchObject({ status: 'rejected', reason: expect.any(OwnershipConflict) });
      expect((lost as PromiseRejectedResult).reason).toMatchObject({ conflict: 'study' });

      const winner = contenders[won]!;
      const loser = contenders[1 - won]!;
      expect(await intake.getStudyOwner(studyUid)).toEqual({ project: winner.project, site: winner.site });
      expect((await publication.listInstances(studyUid)).map((i) => i.project)).toEqual([winner.project]);
      expect(await intake.getFile(loser.submissionId, 'f1')).toMatchObject({ status: 'announced' });
      expect(await intake.getSubmission(loser.submissionId)).toMatchObject({ handledCount: 0, stagedCount: 0 });
      expect(await intake.listSubmissionStudyUids(loser.submissionId)).toEqual([]);
      expect(await publication.getObjectRef(loser.sopUid)).toBeUndefined();
    }
  });

  it('lets exactly one of two projects claim a new study through claimOwnership, however many try', async () => {
    const attempts = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        (async () => {
          for (let attempt = 0; ; attempt += 1) {
            try {
              return await intake.claimOwnership({
                studyUid: '2.25.555',
                seriesUid: `2.25.556${i}`,
                sopUid: `2.25.557${i}`,
                project: i % 2 ? 'open' : 'sequestered',
                site: 'site-x',
              });
            } catch (error) {
              if (!(error instanceof TransientError) || attempt > 8) throw error;
              await new Promise((r) => setTimeout(r, 20 * (attempt + 1)));
            }
          }
        })(),
      ),
    );
    const owner = await intake.getStudyOwner('2.25.555');
    const expected = attempts.map((_, i) => ((i % 2 ? 'open' : 'sequestered') === owner?.project ? 'fulfilled' : 'rejected'));
    expect(attempts.map((a) => a.status)).toEqual(expected);
    expect(expected.filter((e) => e === 'fulfilled')).toHaveLength(3);
  });

  it('refuses a series that belongs to another study and a SOP that belongs to another series, even of the same owner', async () => {
    await intake.createSubmission(ownedSubmission('own-1', 'p', 'a'));
    await intake.announceFiles('own-1', [file('own-1', 'f1'), file('own-1', 'f2'), file('own-1', 'f3'), file('own-1', 'f4')]);
    const staged = async (fileId: string, over: Partial<Instance>) => {
      const inst = ownedInstance('own-1', fileId, over);
      return intake.recordStaged(
        { submissionId: 'own-1', fileId, releasedKey: 'k', handledAt: 't' },
        inst,
        await intake.claimOwnership(inst, 'own-1'),
      );
    };
    expect(await staged('f1', { studyUid: '2.25.610', seriesUid: '2.25.611', sopUid: '2.25.612' })).toBe(true);

    await expect(staged('f2', { studyUid: '2.25.620', seriesUid: '2.25.611', sopUid: '2.25.622' })).rejects.toMatchObject({
      name: 'OwnershipConflict',
      conflict: 'series',
    });
    await expect(staged('f3', { studyUid: '2.25.610', seriesUid: '2.25.631', sopUid: '2.25.612' })).rejects.toMatchObject({
      name: 'OwnershipConflict',
      conflict: 'sop',
    });
    await expect(staged('f3', { studyUid: '2.25.630', seriesUid: '2.25.631', sopUid: '2.25.612' })).rejects.toMatchObject({
      name: 'OwnershipConflict',
      conflict: 'sop',
    });
    expect(await publication.getObjectRef('2.25.612')).toMatchObject({ studyUid: '2.25.610', seriesUid: '2.25.611' });
    expect(await publication.listInstances('2.25.620')).toEqual([]);
    expect(await intake.getFile('own-1', 'f2')).toMatchObject({ status: 'announced' });

    // The owner adds to its own study and series freely (a later submission, another instance).
    expect(await staged('f4', { studyUid: '2.25.610', seriesUid: '2.25.611', sopUid: '2.25.613' })).toBe(true);
    expect(await publication.listInstances('2.25.610')).toHaveLength(2);
    expect(
      await intake.findOwnershipConflict({ studyUid: '2.25.610', seriesUid: '2.25.611', sopUid: '2.25.614', project: 'p', site: 'a' }),
    ).toBeUndefined();
    expect(
      await intake.findOwnershipConflict({ studyUid: '2.25.610', seriesUid: '2.25.641', sopUid: '2.25.642', project: 'p', site: 'b' }),
    ).toBe('study');
    expect(
      await intake.findOwnershipConflict({ studyUid: '2.25.640', seriesUid: '2.25.611', sopUid: '2.25.642', project: 'p', site: 'a' }),
    ).toBe('series');
  });

  it('never moves a study to another project by indexing or publication', async () => {
    await intake.claimOwnership({
      studyUid: '2.25.700',
      seriesUid: '2.25.701',
      sopUid: '2.25.702',
      project: 'sequestered',
      site: 'site-a',
    });
    expect(await publication.publishStudy('2.25.700', '2026-02-01T00:00:00Z', { project: 'sequestered', site: 'site-a' })).toBe(false); // claimed, never indexed
    const aggregate = {
      studyUid: '2.25.700',
      modalities: ['CT'],
      seriesCount: 1,
      instanceCount: 1,
      totalBytes: 1,
      submissionIds: ['s'],
      indexedAt: 't',
    };
    await expect(publication.upsertStudyAggregate({ ...aggregate, project: 'open', site: 'site-a' })).rejects.toBeInstanceOf(
      StudyOwnershipInconsistent,
    );
    await expect(publication.upsertStudyAggregate({ ...aggregate, project: 'sequestered', site: 'site-b' })).rejects.toBeInstanceOf(
      StudyOwnershipInconsistent,
    );
    await publication.upsertStudyAggregate({ ...aggregate, project: 'sequestered', site: 'site-a' });
    await expect(publication.publishStudy('2.25.700', '2026-02-01T00:00:00Z', { project: 'open', site: 'site-b' })).rejects.toBeInstanceOf(
      StudyOwnershipInconsistent,
    );
    expect(await publication.getStudy('2.25.700')).toMatchObject({ project: 'sequestered', site: 'site-a', status: 'staged' });
    expect(await publication.publishStudy('2.25.700', '2026-02-01T00:00:00Z', { project: 'sequestered', site: 'site-a' })).toBe(true);
  });
  // ---- what the ingest path writes per instance (issue 21) ----------------------------------------

  /** The DynamoDB calls `run` makes, labelled by operation and item kinds (local/usage-meter's `dynamodbCallLabel`). */
  async function callsOf(run: () => Promise<unknown>): Promise<string[]> {
    const calls: string[] = [];
    const name = `calls-${Math.random()}`;
    documents.middlewareStack.add(
      (next, context) => async (args) => {
        calls.push(dynamodbCallLabel(String(context.commandName).replace(/Command$/, ''), args.input as Record<string, unknown>));
        return next(args);
      },
      { step: 'build', name },
    );
    try {
      await run();
    } finally {
      documents.middlewareStack.remove(name);
    }
    return calls;
  }

  it('stages an instance of a claimed study and series writing only what is new: the SOP’s entry alone, then file, counters and instance', async () => {
    await intake.createSubmission(ownedSubmission('units-1', 'p', 'a'));
    await intake.announceFiles('units-1', [file('units-1', 'f1'), file('units-1', 'f2')]);
    const study = { studyUid: '2.25.800', seriesUid: '2.25.801' };
    const stage = async (fileId: string, sopUid: string) => {
      const inst = ownedInstance('units-1', fileId, { ...study, sopUid });
      const owned = await intake.claimOwnership(inst, 'units-1');
      return intake.recordStaged({ submissionId: 'units-1', fileId, releasedKey: 'k', handledAt: 't' }, inst, owned);
    };
    // The study's first instance claims study, series and SOP one write each (a unit each, where a transaction's item is two);
    // its outcome is file (naming the study: the submission's studies are read from its files), counters and instance.
    // One read serves the claim and the staging write (which never re-asserts a claim: claims never move).
    expect(await callsOf(() => stage('f1', '2.25.802'))).toEqual([
      'BatchGetItem [STUDY/STUDY, SERIESUID/OWNER, OBJECT/OBJECT]',
      'UpdateItem STUDY/STUDY',
      'PutItem SERIESUID/OWNER',
      'PutItem OBJECT/OBJECT',
      'TransactWriteItems [Update SUBMISSION/FILE, Update SUBMISSION/SUBMISSION, Put STUDY/INSTANCE]',
    ]);
    // The next: one PutItem for its SOP (a unit) instead of a three-item transaction, and no claim re-asserted.
    expect(await callsOf(() => stage('f2', '2.25.803'))).toEqual([
      'BatchGetItem [STUDY/STUDY, SERIESUID/OWNER, OBJECT/OBJECT]',
      'PutItem OBJECT/OBJECT',
      'TransactWriteItems [Update SUBMISSION/FILE, Update SUBMISSION/SUBMISSION, Put STUDY/INSTANCE]',
    ]);
    expect(await intake.getSubmission('units-1')).toMatchObject({ handledCount: 2, stagedCount: 2 });
    expect(await intake.listSubmissionStudyUids('units-1')).toEqual(['2.25.800']);
    expect((await publication.listInstances('2.25.800')).map((i) => i.sopUid)).toEqual(['2.25.802', '2.25.803']);
    expect(await publication.getObjectRef('2.25.803')).toMatchObject(study);
  });

  it("refuses a SOP another series of the same study holds from the claims' read, writing nothing", async () => {
    const owner = { studyUid: '2.25.810', project: 'p', site: 'a' };
    await intake.claimOwnership({ ...owner, seriesUid: '2.25.811', sopUid: '2.25.812' });
    await intake.claimOwnership({ ...owner, seriesUid: '2.25.813', sopUid: '2.25.814' });
    const calls = await callsOf(() =>
      expect(intake.claimOwnership({ ...owner, seriesUid: '2.25.815', sopUid: '2.25.814' })).rejects.toMatchObject({
        name: 'OwnershipConflict',
        conflict: 'sop',
      }),
    );
    expect(calls).toEqual(['BatchGetItem [STUDY/STUDY, SERIESUID/OWNER, OBJECT/OBJECT]']);
    expect(await publication.getObjectRef('2.25.814')).toMatchObject({ seriesUid: '2.25.813' });
    expect(await intake.findOwnershipConflict({ ...owner, seriesUid: '2.25.816', sopUid: '2.25.817' })).toBeUndefined(); // 2.25.815 unclaimed
    expect((await publication.getStudy('2.25.810'))?.project).toBe('p');
  });

  /** Makes the claims' eventually consistent read of `run` answer nothing held, as a stale read may. */
  async function withStaleClaimsRead<T>(run: () => Promise<T>): Promise<T> {
    const send = documents.send.bind(documents) as (command: unknown) => Promise<Record<string, unknown>>;
    const spy = jest.spyOn(documents, 'send').mockImplementation((async (command: unknown) => {
      const output = await send(command);
      return command instanceof BatchGetCommand ? { ...output, Responses: {} } : output;
    }) as never);
    try {
      return await run();
    } finally {
      spy.mockRestore();
    }
  }

  it("refuses through each claim's own condition what a stale read did not show, the claims above it kept for their owner", async () => {
    const owner = { studyUid: '2.25.820', project: 'p', site: 'a' };
    await intake.claimOwnership({ ...owner, seriesUid: '2.25.821', sopUid: '2.25.822' });
    // The SOP is held by series 821: with nothing seen held, study and series are claimed (re-asserted and new), the SOP refused.
    const sopCalls = await callsOf(() =>
      withStaleClaimsRead(() =>
        expect(intake.claimOwnership({ ...owner, seriesUid: '2.25.823', sopUid: '2.25.822' }, 'stale-1')).rejects.toMatchObject({
          conflict: 'sop',
        }),
      ),
    );
    expect(sopCalls).toEqual([
      'BatchGetItem [STUDY/STUDY, SERIESUID/OWNER, OBJECT/OBJECT]',
      'UpdateItem STUDY/STUDY',
      'PutItem SERIESUID/OWNER',
      'PutItem OBJECT/OBJECT',
    ]);
    expect(await publication.getObjectRef('2.25.822')).toMatchObject({ seriesUid: '2.25.821' });
    expect(await intake.listSubmissionStudyUids('stale-1')).toEqual([]); // no study without a staged file
    // Another project's file of the study is refused at the study, and writes nothing after it.
    const studyCalls = await callsOf(() =>
      withStaleClaimsRead(() =>
        expect(
          intake.claimOwnership({ ...owner, project: 'other', seriesUid: '2.25.824', sopUid: '2.25.825' }, 'stale-2'),
        ).rejects.toMatchObject({ conflict: 'study' }),
      ),
    );
    expect(studyCalls).toEqual(['BatchGetItem [STUDY/STUDY, SERIESUID/OWNER, OBJECT/OBJECT]', 'UpdateItem STUDY/STUDY']);
    expect(await publication.getStudy('2.25.820')).toMatchObject({ project: 'p', site: 'a' });
    expect(await intake.findOwnershipConflict({ ...owner, seriesUid: '2.25.824', sopUid: '2.25.826' })).toBeUndefined();
    expect(await intake.listSubmissionStudyUids('stale-2')).toEqual([]);
  });

  it("completes a new study's claims on the retry after a crash between their writes, and stages once", async () => {
    const crashes = [
      ['PutItem SERIESUID/OWNER', ['PutItem SERIESUID/OWNER', 'PutItem OBJECT/OBJECT']],
      ['PutItem OBJECT/OBJECT', ['PutItem OBJECT/OBJECT']],
    ] as const;
    for (const [n, [crashAt, left]] of crashes.entries()) {
      const submissionId = `crash-${n}`;
      await intake.createSubmission(ownedSubmission(submissionId, 'p', 'a'));
      await intake.announceFiles(submissionId, [file(submissionId, 'f1')]);
      const uids = { studyUid: `2.25.83${n}0`, seriesUid: `2.25.83${n}1`, sopUid: `2.25.83${n}2` };
      const inst = ownedInstance(submissionId, 'f1', uids);
      const name = `crash-${n}`;
      documents.middlewareStack.add(
        (next, context) => async (args) => {
          const label = dynamodbCallLabel(String(context.commandName).replace(/Command$/, ''), args.input as Record<string, unknown>);
          if (label === crashAt) throw new Error('the task was killed');
          return next(args);
        },
        { step: 'build', name },
      );
      try {
        await expect(intake.claimOwnership(inst, submissionId)).rejects.toThrow('the task was killed');
      } finally {
        documents.middlewareStack.remove(name);
      }
      expect(await intake.getStudyOwner(uids.studyUid)).toEqual({ project: 'p', site: 'a' }); // claimed before the crash, and kept
      expect(await intake.listSubmissionStudyUids(submissionId)).toEqual([]);
      // The retry writes what the crash left unwritten, and only that.
      let owned: Awaited<ReturnType<IntakeRepository['claimOwnership']>> | undefined;
      expect(
        await callsOf(async () => {
          owned = await intake.claimOwnership(inst, submissionId);
        }),
      ).toEqual(['BatchGetItem [STUDY/STUDY, SERIESUID/OWNER, OBJECT/OBJECT]', ...left]);
      const staged = { submissionId, fileId: 'f1', releasedKey: 'k', handledAt: 't' };
      expect(await intake.recordStaged(staged, inst, owned!)).toBe(true);
      expect(await intake.recordStaged(staged, inst, owned!)).toBe(false);
      expect(await intake.listSubmissionStudyUids(submissionId)).toEqual([uids.studyUid]);
      expect(await publication.getObjectRef(uids.sopUid)).toMatchObject({ studyUid: uids.studyUid, seriesUid: uids.seriesUid });
      expect(await intake.getSubmission(submissionId)).toMatchObject({ handledCount: 1, stagedCount: 1 });
    }
  });

  it('stages the first slices of a new study arriving at once, each on its first attempt, the study theirs and listed once', async () => {
    const FILES = 6;
    await intake.createSubmission(ownedSubmission('burst-1', 'p', 'a'));
    await intake.announceFiles(
      'burst-1',
      Array.from({ length: FILES }, (_, i) => file('burst-1', `f${i}`)),
    );
    const study = { studyUid: '2.25.840', seriesUid: '2.25.841' };
    const outcomes = await Promise.allSettled(
      Array.from({ length: FILES }, async (_, i) => {
        const inst = ownedInstance('burst-1', `f${i}`, { ...study, sopUid: `2.25.842${i}` });
        const owned = await intake.claimOwnership(inst, 'burst-1');
        return intake.recordStaged({ submissionId: 'burst-1', fileId: `f${i}`, releasedKey: 'k', handledAt: 't' }, inst, owned);
      }),
    );
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : String(o.reason)))).toEqual(Array(FILES).fill(true));
    expect(await intake.getStudyOwner('2.25.840')).toEqual({ project: 'p', site: 'a' });
    expect(await intake.listSubmissionStudyUids('burst-1')).toEqual(['2.25.840']);
    expect(await publication.listInstances('2.25.840')).toHaveLength(FILES);
    expect(await intake.getSubmission('burst-1')).toMatchObject({ handledCount: FILES, stagedCount: FILES });
  });

  it('answers a claim write that met a transaction on the same item as a TransientError, which the workflow retries', async () => {
    const owner = { studyUid: '2.25.850', seriesUid: '2.25.851', project: 'p', site: 'a' };
    await intake.claimOwnership({ ...owner, sopUid: '2.25.852' });
    // An admission from quarantine re-asserting the SOP's claim in its transaction at that moment: DynamoDB refuses the put.
    documents.middlewareStack.add(
      (next, context) => async (args) => {
        const label = dynamodbCallLabel(String(context.commandName).replace(/Command$/, ''), args.input as Record<string, unknown>);
        if (label === 'PutItem OBJECT/OBJECT') {
          throw new TransactionConflictException({ message: 'Transaction is ongoing for the item', $metadata: { httpStatusCode: 400 } });
        }
        return next(args);
      },
      { step: 'build', name: 'transaction-conflict' },
    );
    try {
      await expect(intake.claimOwnership({ ...owner, sopUid: '2.25.853' })).rejects.toBeInstanceOf(TransientError);
    } finally {
      documents.middlewareStack.remove('transaction-conflict');
    }
    await intake.claimOwnership({ ...owner, sopUid: '2.25.853' }); // the retry
    expect(await publication.getObjectRef('2.25.853')).toMatchObject({ studyUid: '2.25.850', seriesUid: '2.25.851' });
  });

  it('refuses a staging write whose claims were made without its submission', async () => {
    const inst = ownedInstance('units-1', 'f1', { studyUid: '2.25.800', seriesUid: '2.25.801', sopUid: '2.25.802' });
    const owned = await intake.claimOwnership(inst);
    await expect(
      intake.recordStaged({ submissionId: 'units-1', fileId: 'f1', releasedKey: 'k', handledAt: 't' }, inst, owned),
    ).rejects.toThrow('claims made without its submission');
  });

  it("lists a submission's studies from its files: staged, sent back by StudyQa, admitted by a curator; none quarantined at ingest", async () => {
    const qa = new QaRepository(documents, TABLE);
    await intake.createSubmission(ownedSubmission('list-1', 'p', 'a'));
    await intake.announceFiles(
      'list-1',
      ['f1', 'f2', 'f3', 'f4'].map((f) => file('list-1', f)),
    );
    const inst = (fileId: string, studyUid: string) =>
      ownedInstance('list-1', fileId, { studyUid, seriesUid: `${studyUid}.1`, sopUid: `${studyUid}.1.${fileId}` });
    const stage = async (fileId: string, studyUid: string) => {
      const i = inst(fileId, studyUid);
      return intake.recordStaged(
        { submissionId: 'list-1', fileId, releasedKey: 'k', handledAt: 't' },
        i,
        await intake.claimOwnership(i, 'list-1'),
      );
    };
    const quarantined = {
      quarantineKey: 'q',
      reasonCode: 'r',
      reason: 'r',
      quarantineDigest: 'd',
      quarantineDecision: '{}',
      handledAt: 't',
    };
    await stage('f1', '2.25.870');
    await stage('f2', '2.25.860');
    // f3 staged into 2.25.880, then sent back by a study rule: its study stays listed, so indexing re-reads it.
    await stage('f3', '2.25.880');
    await qa.moveStagedToQuarantine(
      { submissionId: 'list-1', fileId: 'f3', quarantineKey: 'q', reasonCode: 'r', reason: 'r', at: 't' },
      inst('f3', '2.25.880'),
    );
    // f4 quarantined at ingest (no study), then admitted by a curator into 2.25.890.
    await intake.recordQuarantined({ submissionId: 'list-1', fileId: 'f4', ...quarantined });
    expect(await intake.listSubmissionStudyUids('list-1')).toEqual(['2.25.860', '2.25.870', '2.25.880']);
    expect(await qa.restoreToStaged({ submissionId: 'list-1', fileId: 'f4', releasedKey: 'k4', at: 't' }, inst('f4', '2.25.890'))).toBe(
      true,
    );
    expect(await intake.listSubmissionStudyUids('list-1')).toEqual(['2.25.860', '2.25.870', '2.25.880', '2.25.890']);
  });

  it("reads a submission's quarantine records a hundred to a request, and leaves files without one out", async () => {
    const qa = new QaRepository(documents, TABLE);
    const ids = Array.from({ length: 150 }, (_, i) => `qr-${i}`);
    for (const id of ids.filter((_, i) => i % 50 === 7)) {
      await qa.putQuarantine({
        quarantineId: id,
        submissionId: 'qr',
        fileId: id,
        project: 'p',
        site: 'a',
        objectKind: 'original',
        objectKey: `quarantine/qr/${id}`,
        sidecarKey: `quarantine/qr/${id}.json`,
        reasonCode: 'dicom.parses',
        rules: ['dicom.parses'],
        findings: [],
        status: 'quarantined',
        quarantinedAt: 't',
      });
    }
    let records = new Map<string, unknown>();
    expect(await callsOf(async () => (records = await qa.getQuarantines(ids)))).toEqual([
      'BatchGetItem [100 x QUARANTINE/QUARANTINE]',
      'BatchGetItem [50 x QUARANTINE/QUARANTINE]',
    ]);
    expect([...records.keys()]).toEqual(['qr-7', 'qr-57', 'qr-107']);
    expect(records.get('qr-57')).toMatchObject({ fileId: 'qr-57', reasonCode: 'dicom.parses' });
  });

  it("reads studies, and a project's cases, a hundred to a request (a submission of single-image studies has one per file)", async () => {
    const projects = new ProjectRepository(documents, TABLE);
    const uids = Array.from({ length: 120 }, (_, i) => `2.25.95${i}`);
    for (const uid of uids.filter((_, i) => i % 40 === 3)) {
      await documents.send(
        new PutCommand({ TableName: TABLE, Item: { pk: `STUDY#${uid}`, sk: 'STUDY', type: 'study', studyUid: uid, project: 'p' } }),
      );
      await documents.send(
        new PutCommand({ TableName: TABLE, Item: { pk: 'PROJECT#p', sk: `CASE#case-${uid}`, project: 'p', casePseudonym: `case-${uid}` } }),
      );
    }
    let studies = new Map<string, unknown>();
    let cases = new Map<string, unknown>();
    expect(
      await callsOf(async () => {
        studies = await publication.getStudies(uids);
        cases = await projects.getCases(
          'p',
          uids.map((uid) => `case-${uid}`),
        );
      }),
    ).toEqual([
      'BatchGetItem [100 x STUDY/STUDY]',
      'BatchGetItem [20 x STUDY/STUDY]',
      'BatchGetItem [100 x PROJECT/CASE]',
      'BatchGetItem [20 x PROJECT/CASE]',
    ]);
    expect([...studies.keys()]).toEqual(['2.25.953', '2.25.9543', '2.25.9583']);
    expect(studies.get('2.25.953')).toEqual({ studyUid: '2.25.953', project: 'p' });
    expect([...cases.keys()]).toEqual(['case-2.25.953', 'case-2.25.9543', 'case-2.25.9583']);
  });

  it('stores a clean QA pass as no result, yet replaces an earlier result with it', async () => {
    const qa = new QaRepository(documents, TABLE);
    const result = (fileId: string, findings: { ruleId: string; severity: 'warn'; message: string }[]) => ({
      submissionId: 'qa-units',
      fileId,
      outcome: findings.length ? ('warn' as const) : ('pass' as const),
      findings,
      evaluatedAt: 't',
    });
    const warning = { ruleId: 'instance.x', severity: 'warn' as const, message: 'm' };
    expect(await callsOf(() => qa.putFileResult(result('f1', [])))).toEqual(['GetItem SUBMISSION/QA#FILE']);
    await qa.putFileResult(result('f2', [warning]));
    expect((await qa.listFileResults('qa-units')).map((r) => [r.fileId, r.findings.length])).toEqual([['f2', 1]]);
    // A retry or a review that now passes clean must not leave the earlier findings standing.
    await qa.putFileResult(result('f2', []));
    expect((await qa.listFileResults('qa-units')).map((r) => [r.fileId, r.findings.length])).toEqual([['f2', 0]]);
  });

  // ---- the one pagination loop (table-io) ----------------------------------------------------------

  it('reads a filtered query page after page until the limit matches, and goes on where it stopped', async () => {
    for (let i = 0; i < 30; i += 1) {
      await documents.send(
        new PutCommand({ TableName: TABLE, Item: { pk: 'PAGES', sk: `ITEM#${String(i).padStart(2, '0')}`, n: i, third: i % 3 === 0 } }),
      );
    }
    const thirds: PagedRead = {
      query: {
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk',
        FilterExpression: 'third = :yes',
        ExpressionAttributeValues: { ':pk': 'PAGES', ':yes': true },
        ConsistentRead: true,
      },
    };
    const numbers = (items: Record<string, unknown>[]) => items.map((item) => item.n);
    // DynamoDB's Limit counts items read before the filter: four matches take several pages.
    const first = await readPages(documents, thirds, { limit: 4 });
    expect(numbers(first.items)).toEqual([0, 3, 6, 9]);
    expect(first.next).toBeDefined();
    const second = await readPages(documents, thirds, { limit: 4, start: first.next });
    expect(numbers(second.items)).toEqual([12, 15, 18, 21]);
    const rest = await readPages(documents, thirds, { start: second.next });
    expect(numbers(rest.items)).toEqual([24, 27]);
    expect(rest.next).toBeUndefined();
    const all = await readPages(documents, {
      scan: { TableName: TABLE, FilterExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'PAGES' }, Limit: 7 },
    });
    expect(all.items).toHaveLength(30);
  });
});
