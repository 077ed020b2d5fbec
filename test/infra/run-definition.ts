import { StateMachine } from 'aws-local-stepfunctions';
import type { Json } from './synth';

/** A fake task function: the Lambda payload in, the function's result out. */
export type TaskFn = (payload: Json) => Json;

/**
 * Runs a rendered state machine definition in the local ASL runner with fake task functions keyed by state name
 * (retries without waiting); each state's payloads are collected in `calls`. Resolves to the execution's output,
 * rejects with the runner's error.
 */
export async function runDefinition(
  definition: Json,
  input: Json,
  fns: Record<string, TaskFn>,
  calls: Record<string, Json[]> = {},
): Promise<Json> {
  const handlers = Object.fromEntries(
    Object.entries(fns).map(([state, fn]) => [
      state,
      (taskInput: unknown) => {
        const { Payload } = taskInput as { Payload: Json };
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
