import { runDefinition, type TaskFn } from './run-definition';
import { Json, byMetadata, renderDefinition, synthCommons } from './synth';

/**
 * Runs the rendered FHIR export definition in the local ASL runner with fake task functions, to
 * prove what a failed export does (docs/fhir.md): the caught error's name reaches the failure
 * recorder with the job, and the execution still ends as ExportFailed.
 */
let definition: Json;
beforeAll(() => {
  definition = renderDefinition(byMetadata(synthCommons().resources, 'hilum:workflow', 'fhir-export')[1].Properties?.DefinitionString);
});

const jobId = '6f1c2b1e-8a51-4a86-9a51-0f5b8f3c2d10';
const event = { source: 'hilum.pipeline', 'detail-type': 'FHIR Export Requested', detail: { jobId } };

function named(name: string): Error {
  return Object.assign(new Error('a message the job never sees'), { name });
}

/** Runs one execution; the states' payloads are collected in `calls`, and its end is the output or the error's name. */
async function run(fns: Record<string, TaskFn>, calls: Record<string, Json[]>): Promise<{ output?: Json; error?: string }> {
  try {
    return { output: await runDefinition(definition, event, fns, calls) };
  } catch (error) {
    // The runner wraps a Fail state's error: its name is the cause's.
    return { error: (error as { cause?: { name?: string } }).cause?.name ?? (error as Error).name };
  }
}

const recorded = (payload: Json) => ({ jobId: (payload as { jobId: string }).jobId, status: 'failed', files: 0, resources: 0 });

describe('FHIR export execution', () => {
  it('builds the job and succeeds without recording a failure', async () => {
    const calls: Record<string, Json[]> = {};
    const end = await run(
      { FhirExport: () => ({ jobId, status: 'complete', files: 3, resources: 12 }), RecordExportFailure: recorded },
      calls,
    );
    expect(end.error).toBeUndefined();
    expect(end.output).toMatchObject({ export: { status: 'complete', files: 3 } });
    expect(calls).toEqual({ FhirExport: [{ jobId }] });
  });

  it.each(['InjectedFault', 'States.Timeout'])(
    'records the job failed with the name of a %s that outlasts the retries, then fails as ExportFailed',
    async (name) => {
      const calls: Record<string, Json[]> = {};
      const end = await run(
        {
          FhirExport: () => {
            throw named(name);
          },
          RecordExportFailure: recorded,
        },
        calls,
      );
      expect(end.error).toBe('ExportFailed');
      expect(calls.RecordExportFailure).toEqual([{ jobId, errorName: name }]);
    },
  );

  it('retries a transient error of the failure recorder, and fails as ExportFailed even when it cannot record', async () => {
    const calls: Record<string, Json[]> = {};
    let transient = 1;
    const end = await run(
      {
        FhirExport: () => {
          throw named('InjectedFault');
        },
        RecordExportFailure: (payload) => {
          if (transient-- > 0) throw named('TransientError');
          return recorded(payload);
        },
      },
      calls,
    );
    expect(end.error).toBe('ExportFailed');
    expect(calls.RecordExportFailure).toHaveLength(2);

    const broken: Record<string, Json[]> = {};
    const unrecorded = await run(
      {
        FhirExport: () => {
          throw named('InjectedFault');
        },
        RecordExportFailure: () => {
          throw named('InjectedFault');
        },
      },
      broken,
    );
    expect(unrecorded.error).toBe('ExportFailed');
  });
});
