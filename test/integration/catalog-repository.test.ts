/**
 * The catalog's DynamoDB adapter against DynamoDB Local: the transactions that make
 * at-least-once events safe really count a file once, under concurrency too.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startDynamoDb, DynamoDbEmulator } from '../../local/emulators/dynamodb';
import { CatalogRepository, SubmissionNotOpen } from '../../layers/catalog/repository';
import { Instance, Submission, SubmissionFile } from '../../layers/catalog/entities';

jest.setTimeout(120_000);

const TABLE = 'catalog-test';

describe('CatalogRepository on DynamoDB Local', () => {
  let dataDir: string;
  let dynamodb: DynamoDbEmulator;
  let repo: CatalogRepository;
  let documents: DynamoDBDocumentClient;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-catalog-'));
    dynamodb = await startDynamoDb({ dataDir, port: 0 });
    await dynamodb.createTables([{
      id: 'catalog', logicalId: 'Catalog', name: TABLE, type: 'AWS::DynamoDB::Table',
      properties: {
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
        AttributeDefinitions: ['pk', 'sk', 'gsi1pk', 'gsi1sk'].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        GlobalSecondaryIndexes: [{
          IndexName: 'gsi1',
          KeySchema: [{ AttributeName: 'gsi1pk', KeyType: 'HASH' }, { AttributeName: 'gsi1sk', KeyType: 'RANGE' }],
          Projection: { ProjectionType: 'ALL' },
        }],
      },
    }]);
    documents = DynamoDBDocumentClient.from(dynamodb.client(), { marshallOptions: { removeUndefinedValues: true } });
    repo = new CatalogRepository(documents, TABLE);
  });

  afterAll(async () => {
    documents?.destroy();
    await dynamodb?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const submission = (id: string): Submission => ({
    submissionId: id, project: 'p', site: 'a', status: 'open', createdBy: 'u', createdAt: '2026-01-01T00:00:00Z',
    fileCount: 0, handledCount: 0, stagedCount: 0, quarantinedCount: 0,
  });
  const file = (submissionId: string, fileId: string): SubmissionFile => ({
    submissionId, fileId, intakeKey: `intake/${submissionId}/${fileId}`, declaredSize: 10, status: 'announced', announcedAt: 't',
  });
  const instance = (submissionId: string, fileId: string, sopUid: string): Instance => ({
    studyUid: '2.25.100', seriesUid: '2.25.200', sopUid, project: 'p', site: 'a', submissionId, fileId,
    objectKey: `studies/2.25.100/2.25.200/${sopUid}.dcm`, size: 10, sha256: 'ab', transferSyntaxUid: '1.2.840.10008.1.2.1', sopClassUid: '1.2', modality: 'CT', stagedAt: 't',
  });

  it('counts announced files in batches beyond one transaction, and refuses them once sealed', async () => {
    await repo.createSubmission(submission('s1'));
    const files = Array.from({ length: 150 }, (_, i) => file('s1', `f${i}`));
    await repo.announceFiles('s1', files);
    expect((await repo.getSubmission('s1'))?.fileCount).toBe(150);
    expect(await repo.listFiles('s1')).toHaveLength(150);
    expect(await repo.sealSubmission('s1', 'now')).toMatchObject({ status: 'sealed' });
    expect(await repo.sealSubmission('s1', 'again')).toBeUndefined();
    await expect(repo.announceFiles('s1', [file('s1', 'late')])).rejects.toBeInstanceOf(SubmissionNotOpen);
    expect((await repo.getSubmission('s1'))?.fileCount).toBe(150);
  });

  it('records a file outcome once, however many concurrent deliveries try', async () => {
    await repo.createSubmission(submission('s2'));
    await repo.announceFiles('s2', [file('s2', 'f1'), file('s2', 'f2')]);
    const attempts = await Promise.allSettled(Array.from({ length: 8 }, () =>
      repo.recordStaged({ submissionId: 's2', fileId: 'f1', releasedKey: 'k', handledAt: 't' }, instance('s2', 'f1', '2.25.1'))));
    const outcomes = attempts.map((a) => (a.status === 'fulfilled' ? a.value : 'error'));
    // DynamoDB may also cancel a racing transaction for a conflict; none may count twice.
    expect(outcomes.filter((o) => o === true)).toHaveLength(1);
    expect(await repo.recordQuarantined({ submissionId: 's2', fileId: 'f1', quarantineKey: 'q', reasonCode: 'x', reason: 'y', handledAt: 't' })).toBe(false);
    expect(await repo.getSubmission('s2')).toMatchObject({ handledCount: 1, stagedCount: 1 });
    expect(await repo.getFile('s2', 'f1')).toMatchObject({ status: 'staged', releasedKey: 'k', studyUid: '2.25.100' });

    expect(await repo.recordQuarantined({ submissionId: 's2', fileId: 'f2', quarantineKey: 'q', reasonCode: 'DicomParseError', reason: 'bad', handledAt: 't' })).toBe(true);
    expect(await repo.getSubmission('s2')).toMatchObject({ handledCount: 2, stagedCount: 1, quarantinedCount: 1 });
    expect(await repo.listSubmissionStudyUids('s2')).toEqual(['2.25.100']);
    expect(await repo.listInstances('2.25.100')).toHaveLength(1);
  });

  it('lets one caller announce a sealed submission, and another only once the claim went stale or was given back', async () => {
    await repo.createSubmission(submission('s3'));
    expect(await repo.claimReadyAnnouncement('s3', '2026-01-01T00:00:00Z', '2025-12-31T23:45:00Z')).toBe(false); // still open
    await repo.announceFiles('s3', [file('s3', 'f1')]);
    await repo.sealSubmission('s3', 'now');
    const claims = await Promise.all(Array.from({ length: 5 }, () => repo.claimReadyAnnouncement('s3', '2026-01-01T00:00:00Z', '2025-12-31T23:45:00Z')));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await repo.claimReadyAnnouncement('s3', '2026-01-01T00:10:00Z', '2025-12-31T23:55:00Z')).toBe(false);
    expect(await repo.claimReadyAnnouncement('s3', '2026-01-01T00:20:00Z', '2026-01-01T00:05:00Z')).toBe(true); // stale
    await repo.releaseReadyAnnouncement('s3', '2026-01-01T00:20:00Z');
    expect(await repo.claimReadyAnnouncement('s3', '2026-01-01T00:21:00Z', '2026-01-01T00:06:00Z')).toBe(true);
    await repo.markSubmissionPublished('s3', 'later');
    expect(await repo.claimReadyAnnouncement('s3', '2026-01-02T00:00:00Z', '2026-01-01T23:45:00Z')).toBe(false); // published
  });

  it('publishes a study once and pages published studies with a cursor', async () => {
    for (const uid of ['2.25.1001', '2.25.1002', '2.25.1003']) {
      await repo.upsertStudyAggregate({
        studyUid: uid, project: 'p', site: 'a', modalities: ['CT'], seriesCount: 1, instanceCount: 1,
        totalBytes: 1, submissionIds: ['s'], indexedAt: 't',
      });
      expect((await repo.getStudy(uid))?.status).toBe('staged');
      expect(await repo.publishStudy(uid, `2026-01-0${uid.slice(-1)}T00:00:00Z`)).toBe(true);
    }
    expect(await repo.publishStudy('2.25.1001', 'later')).toBe(false);
    expect(await repo.publishStudy('2.25.404', 'later')).toBe(false);
    const first = await repo.listPublishedStudies(2);
    expect(first.items.map((s) => s.studyUid)).toEqual(['2.25.1003', '2.25.1002']);
    expect(first.cursor).toBeDefined();
    const second = await repo.listPublishedStudies(2, first.cursor);
    expect(second.items.map((s) => s.studyUid)).toEqual(['2.25.1001']);
    expect((await repo.getStudy('2.25.1001'))?.publishedAt).toBe('2026-01-01T00:00:00Z');

    // A re-index after publication keeps the study published and listed.
    await repo.upsertStudyAggregate({
      studyUid: '2.25.1001', project: 'p', site: 'a', modalities: ['CT'], seriesCount: 1, instanceCount: 2,
      totalBytes: 2, submissionIds: ['s', 't'], indexedAt: 'later',
    });
    expect(await repo.getStudy('2.25.1001')).toMatchObject({ status: 'published', instanceCount: 2, publishedAt: '2026-01-01T00:00:00Z' });
    expect((await repo.listPublishedStudies(10)).items.find((s) => s.studyUid === '2.25.1001')?.instanceCount).toBe(2);
  });
});
