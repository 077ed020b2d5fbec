/**
 * STOW-RS intake's faults (injected: a failing intake write, a submission sealed meanwhile);
 * the paths that work are driven end to end in test/integration/dicomweb-stow.test.ts.
 */
import { SubmissionNotOpen } from '../../../layers/adapters/aws/dynamodb/intake-repository';
import { Conflict } from '../../../layers/common/errors';
import type { StowInstance } from '../../../layers/dicomweb';

const announceFiles = jest.fn<Promise<void>, [string, readonly { intakeKey: string; declaredSize: number }[]]>();
const put = jest.fn<Promise<string | undefined>, [string, string, Uint8Array, unknown]>();

jest.mock('../../../layers/services/commons-context', () => ({
  buckets: { intake: () => 'intake-bucket' },
  intakeRepository: () => ({ announceFiles }),
  objects: () => ({ put }),
  deidKeyFor: async () => 'secret',
}));

// Imported after the mock, so the service takes the mocked context.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { receiveIntoSubmission } = require('../../../layers/services/stow-intake') as typeof import('../../../layers/services/stow-intake');

const instance = (n: number): StowInstance => ({
  sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
  sopInstanceUid: `1.2.3.${n}`,
  studyInstanceUid: '1.2.3',
  seriesInstanceUid: '1.2.3.0',
});
const parts = [1, 2, 3].map((n) => ({ instance: instance(n), body: new Uint8Array(100 + n) }));

beforeEach(() => {
  announceFiles.mockReset().mockResolvedValue(undefined);
  put.mockReset().mockResolvedValue('etag');
});

describe('STOW-RS intake', () => {
  it('announces every part with its size before writing it to intake/{submission}/{file}', async () => {
    const received = await receiveIntoSubmission({ submissionId: 'sub-1' }, parts);

    expect(received).toEqual({ received: parts.map((p) => p.instance), notReceived: [] });
    const announced = announceFiles.mock.calls[0]![1];
    expect(announced.map((f) => f.declaredSize)).toEqual([101, 102, 103]);
    expect(put.mock.calls.map(([bucket, key]) => [bucket, key])).toEqual(announced.map((f) => ['intake-bucket', f.intakeKey]));
    for (const file of announced) expect(file.intakeKey).toMatch(/^intake\/sub-1\/[0-9a-f-]{36}$/);
    expect(announceFiles.mock.invocationCallOrder[0]).toBeLessThan(put.mock.invocationCallOrder[0]!);
  });

  it('reports a part whose intake write failed as not received, and keeps the others', async () => {
    put.mockImplementation(async (_bucket, _key, body) => {
      if (body.byteLength === 102) throw Object.assign(new Error('injected'), { name: 'ServiceUnavailable' });
      return 'etag';
    });

    const received = await receiveIntoSubmission({ submissionId: 'sub-1' }, parts);

    expect(received).toEqual({ received: [instance(1), instance(3)], notReceived: [instance(2)] });
  });

  it('answers 409 when the submission was sealed between the check and the announcement, and writes nothing', async () => {
    announceFiles.mockRejectedValue(new SubmissionNotOpen('the submission is no longer open'));

    await expect(receiveIntoSubmission({ submissionId: 'sub-1' }, parts)).rejects.toBeInstanceOf(Conflict);
    expect(put).not.toHaveBeenCalled();
  });

  it('announces nothing when no part was accepted', async () => {
    expect(await receiveIntoSubmission({ submissionId: 'sub-1' }, [])).toEqual({ received: [], notReceived: [] });
    expect(announceFiles).not.toHaveBeenCalled();
  });
});
