/**
 * What a ready submission's announcement carries: the rules route it by it (infra/constructs/pipeline.ts),
 * a submission of up to SUBMISSION_EXPRESS_MAX_FILES files to the Express workflow, a larger one, or one the
 * reconciler announces again, to the Standard one. The claim and the event itself are driven end to end in
 * test/integration/reconcile-*.test.ts.
 */
import type { Submission } from '../../../layers/catalog/entities';
import type { SubmissionReadyDetail } from '../../../layers/pipeline/events';

const getSubmission = jest.fn<Promise<Submission | undefined>, [string]>();
const claimReadyAnnouncement = jest.fn<Promise<boolean>, [string, string, string]>();
const releaseReadyAnnouncement = jest.fn<Promise<void>, [string, string]>();
const submissionReady = jest.fn<Promise<void>, [SubmissionReadyDetail]>();

jest.mock('../../../layers/services/commons-context', () => ({
  intakeRepository: () => ({ getSubmission, claimReadyAnnouncement, releaseReadyAnnouncement }),
  pipelineEvents: () => ({ submissionReady }),
}));

// Imported after the mock, so the service takes the mocked context.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { announceIfReady } =
  require('../../../layers/services/submission-readiness') as typeof import('../../../layers/services/submission-readiness');

const sealed = (fileCount: number): Submission =>
  ({
    submissionId: 'sub-1',
    project: 'p',
    site: 's',
    status: 'sealed',
    fileCount,
    handledCount: fileCount,
    stagedCount: fileCount,
    quarantinedCount: 0,
  }) as unknown as Submission;

beforeEach(() => {
  getSubmission.mockReset();
  claimReadyAnnouncement.mockReset().mockResolvedValue(true);
  releaseReadyAnnouncement.mockReset().mockResolvedValue(undefined);
  submissionReady.mockReset().mockResolvedValue(undefined);
});

describe('announcing a ready submission', () => {
  it("carries the submission's file count, not a redrive, when the pipeline announces it", async () => {
    getSubmission.mockResolvedValue(sealed(637));

    expect(await announceIfReady('sub-1')).toBe(true);

    expect(submissionReady.mock.calls).toEqual([[{ submissionId: 'sub-1', fileCount: 637, redrive: false }]]);
  });

  it('marks a redrive when the reconciler announces it (the Standard workflow runs it, whatever its size)', async () => {
    getSubmission.mockResolvedValue(sealed(3));

    expect(await announceIfReady('sub-1', new Date(), 60_000, 'reconciler')).toBe(true);

    expect(submissionReady.mock.calls).toEqual([[{ submissionId: 'sub-1', fileCount: 3, redrive: true }]]);
  });

  it('announces nothing when another caller holds the claim', async () => {
    getSubmission.mockResolvedValue(sealed(3));
    claimReadyAnnouncement.mockResolvedValue(false);

    expect(await announceIfReady('sub-1', new Date(), 60_000, 'reconciler')).toBe(false);

    expect(submissionReady).not.toHaveBeenCalled();
  });
});
