import { StateMachine } from 'aws-local-stepfunctions';
import { Json, Synthesized, byMetadata, renderDefinition, synthCommons } from './synth';
import { quarantineReason } from '../../layers/ingest/quarantine-reason';
import type { QuarantineInput } from '../../layers/pipeline/ingest-states';
import { RESOURCE_LIMIT_ERRORS } from '../../layers/pipeline/task-errors';

/**
 * Executes the rendered definitions in the local ASL runner with fake task
 * functions, to prove the data flow the contracts promise: each Lambda result
 * lands at its key, errors reach Quarantine with `$.error`, transient errors retry.
 */
let s: Synthesized;
let ingest: Json;
let submission: Json;
beforeAll(() => {
  s = synthCommons();
  ingest = renderDefinition(byMetadata(s.resources, 'hilum:workflow', 'ingest')[1].Properties?.DefinitionString);
  submission = renderDefinition(byMetadata(s.resources, 'hilum:workflow', 'submission')[1].Properties?.DefinitionString);
});

type Fn = (payload: Json) => Json;
const event = {
  source: 'aws.s3',
  'detail-type': 'Object Created',
  detail: { bucket: { name: 'intake-bucket' }, object: { key: 'intake/s1/f1' } },
};
const deid = {
  workKey: 'work/s1/f1.dcm',
  studyUid: '2.25.1',
  seriesUid: '2.25.2',
  sopUid: '2.25.3',
  outcome: 'ok',
  pixelReview: [],
  actionCounts: { 'PatientName:Z': 1 },
  pixelsCleared: false,
};

function named(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

async function run(definition: Json, input: Json, fns: Record<string, Fn>, calls: Record<string, Json[]> = {}): Promise<Json> {
  const handlers = Object.fromEntries(
    Object.entries(fns).map(([state, fn]) => [
      state,
      (input: unknown) => {
        const { Payload } = input as { Payload: Json };
        (calls[state] ??= []).push(Payload);
        return { Payload: fn(Payload) } as never;
      },
    ]),
  );
  const sm = new StateMachine(definition as never, { validationOptions: { checkArn: false } });
  const execution = sm.run(input as never, {
    overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides: Object.fromEntries(Object.keys(fns).map((k) => [k, 0])) },
  });
  return (await execution.result) as Json;
}

const happy: Record<string, Fn> = {
  Parse: () => ({ submissionId: 's1', fileId: 'f1', alreadyHandled: false, bytes: 10 }),
  Deidentify: () => deid,
  Verify: () => ({ passed: true, checks: 12 }),
  Qa: () => ({ outcome: 'pass', findings: [] }),
  Stage: () => ({ releasedKey: 'released/2.25.1/2.25.3.dcm', sha256: 'ab', size: 10 }),
  Quarantine: () => ({ quarantineKey: 'q/s1/f1', reason: 'error' }),
  QuarantineForQa: () => ({ quarantineKey: 'q/s1/f1', reason: 'qa' }),
};

describe('ingest execution', () => {
  it('stages a clean object with every result at its contract key', async () => {
    const calls: Record<string, Json[]> = {};
    const out = await run(ingest, event, happy, calls);
    expect(out).toMatchObject({
      ...event,
      parse: { fileId: 'f1' },
      deid,
      verify: { passed: true },
      qa: { outcome: 'pass' },
      stage: { sha256: 'ab' },
    });
    expect(calls.Stage).toEqual([
      {
        bucket: 'intake-bucket',
        originalKey: 'intake/s1/f1',
        workKey: deid.workKey,
        submissionId: 's1',
        fileId: 'f1',
        studyUid: '2.25.1',
        seriesUid: '2.25.2',
        sopUid: '2.25.3',
        findings: [],
      },
    ]);
    expect(calls.Quarantine).toBeUndefined();
  });

  it('stops after Parse when the file was already handled', async () => {
    const calls: Record<string, Json[]> = {};
    await run(ingest, event, { ...happy, Parse: () => ({ submissionId: 's1', fileId: 'f1', alreadyHandled: true, bytes: 10 }) }, calls);
    expect(Object.keys(calls)).toEqual(['Parse']);
  });

  it('quarantines on a QA quarantine outcome with the whole state', async () => {
    const calls: Record<string, Json[]> = {};
    const findings = [{ ruleId: 'burned-in', severity: 'quarantine', message: 'burned-in annotation' }];
    const out = await run(ingest, event, { ...happy, Qa: () => ({ outcome: 'quarantine', findings }) }, calls);
    expect(calls.Stage).toBeUndefined();
    expect(calls.QuarantineForQa).toEqual([expect.objectContaining({ ...event, qa: { outcome: 'quarantine', findings }, deid })]);
    expect(out).toMatchObject({ quarantine: { reason: 'qa' } });
  });

  it('quarantines a failing step with the caught error at $.error', async () => {
    const calls: Record<string, Json[]> = {};
    await run(
      ingest,
      event,
      {
        ...happy,
        Verify: () => {
          throw named('VerificationFailed', 'PatientName survived');
        },
      },
      calls,
    );
    expect(calls.Quarantine).toEqual([
      expect.objectContaining({ ...event, deid, error: expect.objectContaining({ Error: 'VerificationFailed' }) }),
    ]);
    expect(calls.Qa).toBeUndefined();
  });

  it('retries a transient error and carries on', async () => {
    const calls: Record<string, Json[]> = {};
    let failures = 0;
    await run(
      ingest,
      event,
      {
        ...happy,
        Deidentify: () => {
          if (failures++ < 2) throw named('TransientError', 'slow down');
          return deid;
        },
      },
      calls,
    );
    expect(calls.Deidentify).toHaveLength(3);
    expect(calls.Stage).toHaveLength(1);
  });

  it('fails as PipelineFault, quarantining nothing, when the platform is broken or retries run out', async () => {
    for (const error of ['Runtime.ImportModuleError', 'TransientError']) {
      const calls: Record<string, Json[]> = {};
      const result = run(
        ingest,
        event,
        {
          ...happy,
          Deidentify: () => {
            throw named(error, 'x');
          },
        },
        calls,
      );
      await expect(result).rejects.toMatchObject({ cause: { name: 'PipelineFault' } });
      expect(calls.Quarantine).toBeUndefined();
    }
  });

  it.each([...RESOURCE_LIMIT_ERRORS])('quarantines, as ResourceLimit, a file on which a task fails with %s twice', async (error) => {
    for (const state of ['Parse', 'Deidentify', 'Verify', 'Qa', 'Stage']) {
      const calls: Record<string, Json[]> = {};
      const out = await run(
        ingest,
        event,
        {
          ...happy,
          [state]: () => {
            throw named(error, 'RequestId: 1 Error: Runtime exited with error: signal: killed');
          },
        },
        calls,
      );
      expect(calls[state]).toHaveLength(2);
      expect(calls.Quarantine).toHaveLength(1);
      expect(calls.Stage ?? []).toHaveLength(state === 'Stage' ? 2 : 0);
      expect(out).toMatchObject({ quarantine: { reason: 'error' } });
      const reason = quarantineReason(calls.Quarantine![0] as unknown as QuarantineInput);
      expect(reason.code).toBe('ResourceLimit');
      expect(reason.message).toContain(error);
      expect(reason.message).not.toContain('RequestId');
    }
  });

  it('carries on when a task that ran out of memory succeeds on its second try', async () => {
    const calls: Record<string, Json[]> = {};
    let failures = 0;
    await run(
      ingest,
      event,
      {
        ...happy,
        Verify: () => {
          if (failures++ < 1) throw named('Runtime.OutOfMemory', 'x');
          return { passed: true, checks: 1 };
        },
      },
      calls,
    );
    expect(calls.Verify).toHaveLength(2);
    expect(calls.Stage).toHaveLength(1);
    expect(calls.Quarantine).toBeUndefined();
  });

  it('fails as QuarantineFailed when quarantine itself fails', async () => {
    const result = run(ingest, event, {
      ...happy,
      Parse: () => {
        throw named('NotDicom', 'x');
      },
      Quarantine: () => {
        throw named('AccessDenied', 'x');
      },
    });
    await expect(result).rejects.toMatchObject({ cause: { name: 'QuarantineFailed' } });
  });
});

describe('submission execution', () => {
  const ready = { source: 'hilum.pipeline', 'detail-type': 'Submission Ready', detail: { submissionId: 's1' } };

  it('runs study QA, indexes, publishes, stores the QA report, then rebuilds the search snapshot', async () => {
    const calls: Record<string, Json[]> = {};
    const out = await run(
      submission,
      ready,
      {
        StudyQa: () => ({ submissionId: 's1', findings: 2, quarantined: 0 }),
        IndexSubmission: () => ({ submissionId: 's1', studyUids: ['2.25.1'], instanceCount: 3 }),
        PublishSubmission: () => ({ submissionId: 's1', published: 1, alreadyPublished: false }),
        QaReport: () => ({ submissionId: 's1', reportKey: 'reports/s1/qa-report.json', quarantined: 0, warnings: 2 }),
        RebuildSnapshot: () => ({ submissionId: 's1', version: 4, studies: 10, changed: 1 }),
      },
      calls,
    );
    expect(calls).toEqual({
      StudyQa: [{ submissionId: 's1' }],
      IndexSubmission: [{ submissionId: 's1' }],
      PublishSubmission: [{ submissionId: 's1' }],
      QaReport: [{ submissionId: 's1' }],
      RebuildSnapshot: [{ submissionId: 's1' }],
    });
    expect(out).toMatchObject({
      studyQa: { findings: 2 },
      index: { instanceCount: 3 },
      publish: { published: 1 },
      report: { reportKey: 'reports/s1/qa-report.json' },
      snapshot: { version: 4 },
    });
  });

  it('fails as SubmissionFailed when indexing fails', async () => {
    const result = run(submission, ready, {
      StudyQa: () => ({}),
      IndexSubmission: () => {
        throw named('Boom', 'x');
      },
      PublishSubmission: () => ({}),
      QaReport: () => ({}),
      RebuildSnapshot: () => ({}),
    });
    await expect(result).rejects.toMatchObject({ cause: { name: 'SubmissionFailed' } });
  });
});
