/**
 * Indexing a study from its instances (layers/services/study-index.ts) against
 * DynamoDB Local, through the real catalog repositories. Two submissions that add
 * to the same study are indexed by two workflow executions that may overlap:
 * whichever aggregate write lands last, the published study must count every
 * instance staged into it. The overlap is made deterministic by holding one
 * indexer's first aggregate write (a delay injected around the repository,
 * nothing else changed).
 */
import { IntakeRepository } from '../../layers/adapters/aws/dynamodb/intake-repository';
import { PublicationRepository } from '../../layers/adapters/aws/dynamodb/publication-repository';
import { summarizeStudy, type Instance, type StudyAggregate, type Submission, type SubmissionFile } from '../../layers/catalog/entities';
import { STUDIES_IN_FLIGHT, indexSubmissionStudies, instancesOfStudies, type StudyIndexStore } from '../../layers/services/study-index';
import { dynamodbCallLabel } from '../../local/usage-meter';
import { startCatalogTable, type CatalogTable } from '../support/catalog-table';

jest.setTimeout(120_000);

const TABLE = 'study-index-test';
const STUDY = '2.25.700';
const SERIES = `${STUDY}.1`;

describe('indexing a study that two submissions add to', () => {
  let table: CatalogTable;
  let intake: IntakeRepository;
  let publication: PublicationRepository;
  /** Indexing's store over both, as the handlers' context composes it. */
  let store: StudyIndexStore;

  beforeAll(async () => {
    table = await startCatalogTable(TABLE);
    intake = new IntakeRepository(table.documents, TABLE);
    publication = new PublicationRepository(table.documents, TABLE);
    store = {
      listSubmissionStudyUids: (id) => intake.listSubmissionStudyUids(id),
      listInstances: (uid) => publication.listInstances(uid),
      readStudy: (uid) => publication.readStudy(uid),
      putSeries: (series) => publication.putSeries(series),
      upsertStudyAggregate: (study, publishAt) => publication.upsertStudyAggregate(study, publishAt),
    };
  });

  afterAll(async () => {
    await table?.stop();
  });

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
  const instance = (studyUid: string, submissionId: string, fileId: string, sopUid: string): Instance => ({
    studyUid,
    seriesUid: `${studyUid}.1`,
    sopUid,
    project: 'p',
    site: 'a',
    submissionId,
    fileId,
    objectKey: `studies/${studyUid}/${studyUid}.1/${sopUid}.dcm`,
    size: 10,
    sha256: 'ab',
    transferSyntaxUid: '1.2.840.10008.1.2.1',
    sopClassUid: '1.2',
    modality: 'CT',
    stagedAt: 't',
  });

  /** Opens a submission, stages its files into the study (the Stage transaction), seals it. */
  const stageSubmission = async (submissionId: string, studyUid: string, sopUids: readonly string[], seal = true) => {
    await intake.createSubmission(submission(submissionId));
    await intake.announceFiles(
      submissionId,
      sopUids.map((_, i) => file(submissionId, `f${i}`)),
    );
    for (const [i, sopUid] of sopUids.entries()) {
      const staged = instance(studyUid, submissionId, `f${i}`, sopUid);
      await intake.recordStaged(
        { submissionId, fileId: `f${i}`, releasedKey: `k${i}`, handledAt: 't' },
        staged,
        await intake.claimOwnership(staged, submissionId),
      );
    }
    if (seal) await intake.sealSubmission(submissionId, 'now');
    return (await intake.getSubmission(submissionId))!;
  };

  /** The repository, with the first aggregate write held until `release()` is called. */
  const holdingFirstAggregateWrite = () => {
    let reached!: () => void;
    let release!: () => void;
    const atWrite = new Promise<void>((resolve) => (reached = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    let held = false;
    const store: StudyIndexStore = {
      listSubmissionStudyUids: (id) => intake.listSubmissionStudyUids(id),
      listInstances: (uid) => publication.listInstances(uid),
      readStudy: (uid) => publication.readStudy(uid),
      putSeries: (series) => publication.putSeries(series),
      upsertStudyAggregate: async (study: StudyAggregate, publishAt?: string) => {
        if (!held) {
          held = true;
          reached();
          await released;
        }
        return publication.upsertStudyAggregate(study, publishAt);
      },
    };
    return { store, atWrite, release };
  };

  it('counts every staged instance when an indexer that read the study earlier writes after a later one', async () => {
    const first = await stageSubmission('a', STUDY, ['2.25.711', '2.25.712']);
    const held = holdingFirstAggregateWrite();
    // The first submission's indexer has read two instances and is about to write them.
    const firstIndexing = indexSubmissionStudies(held.store, first, '2026-01-01T01:00:00.000Z');
    await held.atWrite;
    // Meanwhile a second submission stages a third instance into the study and is indexed to the end.
    const second = await stageSubmission('b', STUDY, ['2.25.713']);
    await indexSubmissionStudies(store, second, '2026-01-01T01:00:01.000Z');
    expect(await publication.getStudy(STUDY)).toMatchObject({ instanceCount: 3 });
    // Now the first indexer's write lands, last.
    held.release();
    await firstIndexing;

    expect(await publication.listInstances(STUDY)).toHaveLength(3);
    expect(await publication.getStudy(STUDY)).toMatchObject({
      instanceCount: 3,
      seriesCount: 1,
      totalBytes: 30,
      submissionIds: ['a', 'b'],
    });
    expect(await publication.listSeries(STUDY)).toEqual([expect.objectContaining({ seriesUid: SERIES, instanceCount: 3, totalBytes: 30 })]);
  });

  it('corrects a published study whose count was written short when its submission is indexed again', async () => {
    const study = '2.25.800';
    const sub = await stageSubmission('c', study, ['2.25.811', '2.25.812', '2.25.813']);
    const instances = await publication.listInstances(study);
    // A short aggregate (one of three instances), published.
    await publication.upsertStudyAggregate(summarizeStudy(instances.slice(0, 1), 't0', { project: 'p', site: 'a' }));
    expect(await publication.publishStudy(study, '2026-01-01T02:00:00.000Z', { project: 'p', site: 'a' })).toBe(true);
    expect(await publication.getStudy(study)).toMatchObject({ instanceCount: 1, status: 'published' });

    await indexSubmissionStudies(store, sub, '2026-01-01T02:00:01.000Z');
    expect(await publication.getStudy(study)).toMatchObject({
      instanceCount: 3,
      status: 'published',
      publishedAt: '2026-01-01T02:00:00.000Z',
    });
    const listed = (await publication.listPublishedStudies(10)).items.find((s) => s.studyUid === study);
    expect(listed).toMatchObject({ instanceCount: 3 });
  });
  it("reads a study's instances and owner in one query, writes its series, then its aggregate and publication in one write, and reads its instances again to confirm", async () => {
    const study = '2.25.900';
    const sub = await stageSubmission('d', study, ['2.25.911', '2.25.912']);
    const calls: string[] = [];
    table.documents.middlewareStack.add(
      (next, context) => async (args) => {
        calls.push(dynamodbCallLabel(String(context.commandName).replace(/Command$/, ''), args.input as Record<string, unknown>));
        return next(args);
      },
      { step: 'build', name: 'index-calls' },
    );
    try {
      expect(await indexSubmissionStudies(store, sub, '2026-01-01T03:00:00.000Z')).toEqual({
        studyUids: [study],
        instanceCount: 2,
        published: 1,
      });
    } finally {
      table.documents.middlewareStack.remove('index-calls');
    }
    expect(calls).toEqual([
      'Query SUBMISSION/FILE', // the studies its files were staged into (the study reference items before)
      'Query STUDY', // instances, series and the study item (its owner): a GetItem of the study item before
      'BatchWriteItem [Put STUDY/SERIES]', // before the study is published; every study's of the submission together
      'UpdateItem STUDY/STUDY', // the aggregate and the publication, one write (two UpdateItems before)
      'Query STUDY/INSTANCE',
    ]);
    expect(await publication.getStudy(study)).toMatchObject({
      project: 'p',
      site: 'a',
      instanceCount: 2,
      seriesCount: 1,
      status: 'published',
      publishedAt: '2026-01-01T03:00:00.000Z',
    });
    expect((await publication.listPublishedStudies(100)).items.map((s) => s.studyUid)).toContain(study);
    // A repeat (the workflow re-run) publishes nothing again and keeps the first publication time and index entry.
    expect(await indexSubmissionStudies(store, sub, '2026-01-01T04:00:00.000Z')).toMatchObject({ published: 0 });
    expect(await publication.getStudy(study)).toMatchObject({ status: 'published', publishedAt: '2026-01-01T03:00:00.000Z' });
    expect((await publication.listPublishedStudies(100)).items.filter((s) => s.studyUid === study)).toHaveLength(1);
  });

  it("reads and writes the studies of a submission of one-image studies STUDIES_IN_FLIGHT at a time (StudyQa's instance reads too), each published with its instance", async () => {
    const studies = Array.from({ length: 12 }, (_, i) => `2.25.96${String(i).padStart(2, '0')}`);
    await intake.createSubmission(submission('m'));
    await intake.announceFiles(
      'm',
      studies.map((_, i) => file('m', `f${i}`)),
    );
    for (const [i, studyUid] of studies.entries()) {
      const staged = instance(studyUid, 'm', `f${i}`, `${studyUid}.1.1`);
      await intake.recordStaged(
        { submissionId: 'm', fileId: `f${i}`, releasedKey: `k${i}`, handledAt: 't' },
        staged,
        await intake.claimOwnership(staged, 'm'),
      );
    }
    await intake.sealSubmission('m', 'now');
    // How many of each call are in flight at once: one after another, never more than one.
    const most = { readStudy: 0, putSeries: 0, listInstances: 0 };
    const inFlight = { readStudy: 0, putSeries: 0, listInstances: 0 };
    const calls = { readStudy: 0, putSeries: 0, listInstances: 0 };
    const counted =
      <A extends unknown[], R>(name: keyof typeof most, call: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        calls[name] += 1;
        inFlight[name] += 1;
        most[name] = Math.max(most[name], inFlight[name]);
        try {
          return await call(...args);
        } finally {
          inFlight[name] -= 1;
        }
      };
    const countingStore: StudyIndexStore = {
      ...store,
      readStudy: counted('readStudy', (uid: string) => publication.readStudy(uid)),
      putSeries: counted('putSeries', (series: Parameters<StudyIndexStore['putSeries']>[0]) => publication.putSeries(series)),
      listInstances: counted('listInstances', (uid: string) => publication.listInstances(uid)),
    };
    // StudyQa's read of every instance first, as the submission workflow runs it before indexing.
    expect((await instancesOfStudies(countingStore, studies)).map((i) => i.studyUid)).toEqual(studies);
    expect(most.listInstances).toBe(STUDIES_IN_FLIGHT);

    expect(await indexSubmissionStudies(countingStore, (await intake.getSubmission('m'))!, '2026-01-01T05:00:00.000Z')).toEqual({
      studyUids: studies,
      instanceCount: 12,
      published: 12,
    });
    // The twelve studies' series in one write before any aggregate (25 records a request), not one write a study.
    expect(most).toEqual({ readStudy: STUDIES_IN_FLIGHT, putSeries: 1, listInstances: STUDIES_IN_FLIGHT });
    expect(calls).toEqual({ readStudy: 12, putSeries: 1, listInstances: 12 + 12 });
    expect((await publication.listSeries(studies[11]!)).map((s) => s.seriesUid)).toEqual([`${studies[11]}.1`]);
    for (const studyUid of studies) {
      expect(await publication.getStudy(studyUid)).toMatchObject({
        instanceCount: 1,
        status: 'published',
        publishedAt: '2026-01-01T05:00:00.000Z',
      });
    }
  });

  it("publishes none of a submission's studies when one of them belongs to another site, even those read before it", async () => {
    const own = '2.25.940';
    const foreign = '2.25.950';
    await stageSubmission('g', own, ['2.25.941'], false);
    // A second file of g staged into a study claimed for site b (data older than the claims could hold that): g's study
    // list, which indexing reads, names it after g's own study in UID order.
    await intake.announceFiles('g', [file('g', 'f9')]);
    const theirs = { ...instance(foreign, 'g', 'f9', '2.25.951'), site: 'b' };
    const staged = { submissionId: 'g', fileId: 'f9', releasedKey: 'k', handledAt: 't' };
    await intake.recordStaged(staged, theirs, await intake.claimOwnership(theirs, 'g'));
    await intake.sealSubmission('g', 'now');
    expect(await intake.listSubmissionStudyUids('g')).toEqual([own, foreign]);

    await expect(indexSubmissionStudies(store, (await intake.getSubmission('g'))!, 't')).rejects.toMatchObject({
      name: 'StudyOwnershipInconsistent',
    });
    expect(await publication.getStudy(own)).toMatchObject({ status: 'staged' });
    expect(await publication.getStudy(own)).not.toHaveProperty('instanceCount');
    expect((await publication.listPublishedStudies(100)).items.map((s) => s.studyUid)).not.toContain(own);
  });

  it("takes the owner from the study's claim, and refuses a submission of another site naming the study", async () => {
    const study = '2.25.920';
    await stageSubmission('e', study, ['2.25.921']);
    expect(await publication.readStudy(study)).toMatchObject({ owner: { project: 'p', site: 'a' }, instances: [{ sopUid: '2.25.921' }] });
    expect(await publication.readStudy('2.25.929')).toEqual({ instances: [], owner: undefined });
    const other = { ...(await intake.getSubmission('e'))!, site: 'b' };
    await expect(indexSubmissionStudies(store, other, 't')).rejects.toMatchObject({ name: 'StudyOwnershipInconsistent' });
  });
});
