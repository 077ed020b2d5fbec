import { runDefinition, type TaskFn } from './run-definition';
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
let ingestBatch: Json;
beforeAll(() => {
  s = synthCommons();
  ingest = renderDefinition(byMetadata(s.resources, 'hilum:workflow', 'ingest')[1].Properties?.DefinitionString);
  ingestBatch = renderDefinition(byMetadata(s.resources, 'hilum:workflow', 'ingest-batch')[1].Properties?.DefinitionString);
  submission = renderDefinition(byMetadata(s.resources, 'hilum:workflow', 'submission')[1].Properties?.DefinitionString);
});

const event = {
  source: 'aws.s3',
  'detail-type': 'Object Created',
  detail: { bucket: { name: 'intake-bucket' }, object: { key: 'intake/s1/f1' } },
};
const deid = {
  studyUid: '2.25.1',
  seriesUid: '2.25.2',
  sopUid: '2.25.3',
  outcome: 'ok',
  pixelReview: [],
  actionCounts: { 'PatientName:Z': 1 },
  pixelsCleared: false,
};
const staged = {
  outcome: 'staged',
  submissionId: 's1',
  fileId: 'f1',
  deid,
  qa: { outcome: 'pass', findings: [] },
  stage: { releasedKey: 'released/2.25.1/2.25.3.dcm', sha256: 'ab', size: 10 },
};

function named(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

const happy: Record<string, TaskFn> = {
  IngestObject: () => staged,
  Quarantine: () => ({ quarantineKey: 'q/s1/f1', reason: 'error' }),
  QuarantineForQa: () => ({ quarantineKey: 'q/s1/f1', reason: 'qa' }),
};

describe('ingest execution', () => {
  it('stages a clean object in one task whose result lands at $.ingest', async () => {
    const calls: Record<string, Json[]> = {};
    const out = await runDefinition(ingest, event, happy, calls);
    expect(out).toMatchObject({ ...event, ingest: staged });
    expect(calls).toEqual({ IngestObject: [{ bucket: 'intake-bucket', key: 'intake/s1/f1' }] });
  });

  it('stops after IngestObject when the file was already handled', async () => {
    const calls: Record<string, Json[]> = {};
    await runDefinition(
      ingest,
      event,
      { ...happy, IngestObject: () => ({ outcome: 'already-handled', submissionId: 's1', fileId: 'f1' }) },
      calls,
    );
    expect(Object.keys(calls)).toEqual(['IngestObject']);
  });

  it('quarantines on a QA quarantine outcome with the whole state', async () => {
    const calls: Record<string, Json[]> = {};
    const findings = [{ ruleId: 'burned-in', severity: 'quarantine', message: 'burned-in annotation' }];
    const held = { outcome: 'quarantine', submissionId: 's1', fileId: 'f1', deid, qa: { outcome: 'quarantine', findings } };
    const out = await runDefinition(ingest, event, { ...happy, IngestObject: () => held }, calls);
    expect(calls.QuarantineForQa).toEqual([expect.objectContaining({ ...event, ingest: held })]);
    expect(calls.Quarantine).toBeUndefined();
    expect(out).toMatchObject({ quarantine: { reason: 'qa' } });
    expect(quarantineReason(calls.QuarantineForQa![0] as unknown as QuarantineInput)).toMatchObject({
      code: 'burned-in',
      failedAfter: 'Qa',
    });
  });

  it('quarantines a file error of the task with the caught error at $.error', async () => {
    const calls: Record<string, Json[]> = {};
    await runDefinition(
      ingest,
      event,
      {
        ...happy,
        IngestObject: () => {
          throw named('VerificationFailed', 'PatientName survived');
        },
      },
      calls,
    );
    expect(calls.IngestObject).toHaveLength(1);
    expect(calls.Quarantine).toEqual([
      expect.objectContaining({ ...event, error: expect.objectContaining({ Error: 'VerificationFailed' }) }),
    ]);
  });

  it('retries a transient error and carries on', async () => {
    const calls: Record<string, Json[]> = {};
    let failures = 0;
    await runDefinition(
      ingest,
      event,
      {
        ...happy,
        IngestObject: () => {
          if (failures++ < 2) throw named('TransientError', 'slow down');
          return staged;
        },
      },
      calls,
    );
    expect(calls.IngestObject).toHaveLength(3);
    expect(calls.Quarantine).toBeUndefined();
  });

  it('fails as PipelineFault, quarantining nothing, when the platform is broken or retries run out', async () => {
    for (const error of ['Runtime.ImportModuleError', 'TransientError']) {
      const calls: Record<string, Json[]> = {};
      const result = runDefinition(
        ingest,
        event,
        {
          ...happy,
          IngestObject: () => {
            throw named(error, 'x');
          },
        },
        calls,
      );
      await expect(result).rejects.toMatchObject({ cause: { name: 'PipelineFault' } });
      expect(calls.Quarantine).toBeUndefined();
    }
  });

  it.each([...RESOURCE_LIMIT_ERRORS])('quarantines, as ResourceLimit, a file on which the task fails with %s twice', async (error) => {
    const calls: Record<string, Json[]> = {};
    const out = await runDefinition(
      ingest,
      event,
      {
        ...happy,
        IngestObject: () => {
          throw named(error, 'RequestId: 1 Error: Runtime exited with error: signal: killed');
        },
      },
      calls,
    );
    expect(calls.IngestObject).toHaveLength(2);
    expect(calls.Quarantine).toHaveLength(1);
    expect(out).toMatchObject({ quarantine: { reason: 'error' } });
    const reason = quarantineReason(calls.Quarantine![0] as unknown as QuarantineInput);
    expect(reason.code).toBe('ResourceLimit');
    expect(reason.message).toContain(error);
    expect(reason.message).not.toContain('RequestId');
  });

  it('carries on when the task that ran out of memory succeeds on its second try', async () => {
    const calls: Record<string, Json[]> = {};
    let failures = 0;
    await runDefinition(
      ingest,
      event,
      {
        ...happy,
        IngestObject: () => {
          if (failures++ < 1) throw named('Runtime.OutOfMemory', 'x');
          return staged;
        },
      },
      calls,
    );
    expect(calls.IngestObject).toHaveLength(2);
    expect(calls.Quarantine).toBeUndefined();
  });

  it('fails as QuarantineFailed when quarantine itself fails', async () => {
    const result = runDefinition(ingest, event, {
      ...happy,
      IngestObject: () => {
        throw named('NotDicom', 'x');
      },
      Quarantine: () => {
        throw named('AccessDenied', 'x');
      },
    });
    await expect(result).rejects.toMatchObject({ cause: { name: 'QuarantineFailed' } });
  });
});

/** The pipe's array of SQS records, one per event, each body the event's JSON. */
const sqsRecords = (keys: readonly string[]) =>
  keys.map((key, i) => ({
    messageId: `m${i}`,
    receiptHandle: `r${i}`,
    body: JSON.stringify({ ...event, detail: { bucket: { name: 'intake-bucket' }, object: { key } } }),
    attributes: { ApproximateReceiveCount: '1' },
    messageAttributes: {},
    md5OfBody: 'x',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:ingest',
    awsRegion: 'us-east-1',
  }));
const itemOf = (key: string, result: Json) => ({ detail: { bucket: { name: 'intake-bucket' }, object: { key } }, ...(result as object) });
const keyOfPayload = (payload: Json) =>
  (payload as { key?: string; detail?: { object: { key: string } } }).key ??
  (payload as { detail: { object: { key: string } } }).detail.object.key;

describe('ingest-batch execution', () => {
  const keys = ['intake/s1/f1', 'intake/s1/f2', 'intake/s1/f3', 'intake/s1/f4', 'intake/s1/f5'];
  const fileError = { Error: 'DicomParseError', Cause: JSON.stringify({ errorType: 'DicomParseError', errorMessage: 'not DICOM' }) };
  const held = { outcome: 'quarantine', submissionId: 's1', fileId: 'f2', deid, qa: { outcome: 'quarantine', findings: [] } };
  const batchAnswer = {
    items: [
      itemOf(keys[0]!, { ingest: staged }),
      itemOf(keys[1]!, { ingest: held }),
      itemOf(keys[2]!, { error: fileError }),
      itemOf(keys[3]!, { ingest: { outcome: 'already-handled', submissionId: 's1', fileId: 'f4' } }),
      itemOf(keys[4]!, { ingest: staged }),
    ],
  };
  const batchTasks: Record<string, TaskFn> = {
    IngestBatch: () => batchAnswer,
    Quarantine: () => ({ quarantineKey: 'q/s1/f3', reason: 'error' }),
    QuarantineForQa: () => ({ quarantineKey: 'q/s1/f2', reason: 'qa' }),
  };

  it("hands IngestBatch the pipe's records and routes each object of its answer to one end", async () => {
    const calls: Record<string, Json[]> = {};
    const out = await runDefinition(ingestBatch, sqsRecords(keys) as unknown as Json, batchTasks, calls);
    expect(calls.IngestBatch).toEqual([{ records: sqsRecords(keys) }]);
    expect(calls.QuarantineForQa).toEqual([batchAnswer.items[1]]);
    expect(calls.Quarantine).toEqual([batchAnswer.items[2]]);
    expect(quarantineReason(calls.Quarantine![0] as unknown as QuarantineInput).code).toBe('DicomParseError');
    expect(out).toMatchObject({ ends: { PipelineFault: false, QuarantineFailed: false } });
  });

  it('fails as QuarantineFailed after every other object of the batch has ended when one cannot be quarantined', async () => {
    const calls: Record<string, Json[]> = {};
    const result = runDefinition(
      ingestBatch,
      sqsRecords(keys) as unknown as Json,
      {
        ...batchTasks,
        Quarantine: () => {
          throw named('AccessDenied', 'x');
        },
      },
      calls,
    );
    await expect(result).rejects.toMatchObject({ cause: { name: 'QuarantineFailed' } });
    expect(calls.QuarantineForQa).toHaveLength(1);
  });

  it.each(['Runtime.ImportModuleError', 'TransientError', 'Runtime.OutOfMemory', 'InjectedFault'])(
    'ingests each object on its own when IngestBatch fails with %s after its retries',
    async (error) => {
      const calls: Record<string, Json[]> = {};
      const out = await runDefinition(
        ingestBatch,
        sqsRecords(keys) as unknown as Json,
        {
          IngestBatch: () => {
            throw named(error, 'x');
          },
          // The per-object path: f3 is not DICOM, f2 is held by QA, the rest staged.
          PerObjectIngestObject: (payload) => {
            const key = keyOfPayload(payload);
            if (key === keys[2]) throw named('DicomParseError', 'not DICOM');
            return key === keys[1] ? held : staged;
          },
          PerObjectQuarantine: () => ({ quarantineKey: 'q/s1/f3', reason: 'error' }),
          PerObjectQuarantineForQa: () => ({ quarantineKey: 'q/s1/f2', reason: 'qa' }),
        },
        calls,
      );
      expect(calls.IngestBatch!.length).toBeGreaterThanOrEqual(1);
      expect(calls.PerObjectIngestObject!.map(keyOfPayload).sort()).toEqual(keys);
      expect(calls.PerObjectQuarantine!.map(keyOfPayload)).toEqual([keys[2]]);
      expect(calls.PerObjectQuarantineForQa!.map(keyOfPayload)).toEqual([keys[1]]);
      expect(out).toMatchObject({ ends: { PipelineFault: false, QuarantineFailed: false }, batchError: { Error: error } });
    },
  );

  it('fails as PipelineFault after the other objects have ended when the platform fails one of them on its own path too', async () => {
    const calls: Record<string, Json[]> = {};
    const result = runDefinition(
      ingestBatch,
      sqsRecords(keys) as unknown as Json,
      {
        IngestBatch: () => {
          throw named('Runtime.ImportModuleError', 'x');
        },
        PerObjectIngestObject: (payload) => {
          if (keyOfPayload(payload) === keys[0]) throw named('Runtime.ImportModuleError', 'x');
          return staged;
        },
      },
      calls,
    );
    await expect(result).rejects.toMatchObject({ cause: { name: 'PipelineFault' } });
    expect(calls.PerObjectIngestObject!.map(keyOfPayload).sort()).toEqual(keys);
  });
});

describe('submission execution', () => {
  const ready = { source: 'hilum.pipeline', 'detail-type': 'Submission Ready', detail: { submissionId: 's1' } };

  it('runs study QA, indexes, publishes, stores the QA report, then rebuilds the search snapshot', async () => {
    const calls: Record<string, Json[]> = {};
    const out = await runDefinition(
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
    const result = runDefinition(submission, ready, {
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
