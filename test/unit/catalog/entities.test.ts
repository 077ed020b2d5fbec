import { Instance, isReadyToPublish, needsSubmissionWorkflow, Submission, summarizeStudy } from '../../../layers/catalog/entities';
import { StudyOwnershipInconsistent } from '../../../layers/catalog/ownership';

const OWNER = { project: 'p', site: 'a' };

const submission = (over: Partial<Submission>): Submission => ({
  submissionId: 's',
  project: 'p',
  site: 'a',
  status: 'sealed',
  createdBy: 'u',
  createdAt: 't',
  fileCount: 3,
  handledCount: 3,
  stagedCount: 2,
  quarantinedCount: 1,
  ...over,
});

const instance = (over: Partial<Instance>): Instance => ({
  studyUid: '2.25.1',
  seriesUid: '2.25.2',
  sopUid: '2.25.3',
  project: 'p',
  site: 'a',
  submissionId: 's1',
  fileId: 'f',
  objectKey: 'k',
  size: 10,
  sha256: 'h',
  transferSyntaxUid: '1.2.840.10008.1.2.1',
  sopClassUid: '1.2',
  modality: 'CT',
  stagedAt: 't',
  ...over,
});

describe('isReadyToPublish', () => {
  it('is true only when sealed and every announced file has an outcome', () => {
    expect(isReadyToPublish(submission({}))).toBe(true);
    expect(isReadyToPublish(submission({ status: 'open' }))).toBe(false);
    expect(isReadyToPublish(submission({ handledCount: 2 }))).toBe(false);
    expect(isReadyToPublish(submission({ status: 'published' }))).toBe(false);
    expect(isReadyToPublish(submission({ fileCount: 0, handledCount: 0 }))).toBe(false);
  });
});

describe('needsSubmissionWorkflow', () => {
  it('is true when ready to publish, or published with the steps after publication not finished', () => {
    expect(needsSubmissionWorkflow(submission({}))).toBe(true);
    expect(needsSubmissionWorkflow(submission({ handledCount: 2 }))).toBe(false);
    expect(needsSubmissionWorkflow(submission({ status: 'published', completionPendingSince: 't' }))).toBe(true);
    expect(needsSubmissionWorkflow(submission({ status: 'published' }))).toBe(false);
    expect(needsSubmissionWorkflow(submission({ status: 'open', completionPendingSince: 't' }))).toBe(false);
  });
});

describe('summarizeStudy', () => {
  it('counts series, instances and bytes and lists modalities once, sorted', () => {
    const study = summarizeStudy(
      [
        instance({ sopUid: '1', size: 5 }),
        instance({ sopUid: '2', size: 7, seriesUid: '2.25.9', modality: 'PR' }),
        instance({ sopUid: '3', size: 1 }),
      ],
      'now',
      OWNER,
    );
    expect(study).toMatchObject({
      studyUid: '2.25.1',
      seriesCount: 2,
      instanceCount: 3,
      totalBytes: 13,
      modalities: ['CT', 'PR'],
      submissionIds: ['s1'],
    });
  });

  it('lists every submission that contributed instances, once, sorted', () => {
    const study = summarizeStudy(
      [instance({ submissionId: 's2' }), instance({ sopUid: '9', submissionId: 's1' }), instance({ sopUid: '8', submissionId: 's2' })],
      'now',
      OWNER,
    );
    expect(study.submissionIds).toEqual(['s1', 's2']);
    expect(study).not.toHaveProperty('status');
  });

  it('refuses an empty study', () => {
    expect(() => summarizeStudy([], 'now', OWNER)).toThrow('at least one instance');
  });

  it("takes project and site from the study's owner, never from its first instance", () => {
    const study = summarizeStudy([instance({ sopUid: '1' }), instance({ sopUid: '2' })], 'now', OWNER);
    expect(study).toMatchObject({ project: 'p', site: 'a' });
  });

  it('refuses a study holding an instance of another project or site instead of re-owning it', () => {
    const foreignFirst = [instance({ seriesUid: '2.25.0', sopUid: '1', project: 'open', site: 'b' }), instance({ sopUid: '2' })];
    expect(() => summarizeStudy(foreignFirst, 'now', OWNER)).toThrow(StudyOwnershipInconsistent);
    expect(() => summarizeStudy([instance({ sopUid: '1' }), instance({ sopUid: '2', site: 'b' })], 'now', OWNER)).toThrow(
      StudyOwnershipInconsistent,
    );
  });
});
