import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { z } from 'zod';

/**
 * The ASL payloads of the workflows' tasks, derived from the contracts in layers/pipeline: a payload
 * names every field of its state's input schema, each taken from a path of the execution state whose
 * contract type fits the field. A field left out, one too many, or a path to a value of another type
 * is a compile error (and `payloadOf` refuses a payload whose keys are not the schema's at synth).
 */

/** A JSONPath into an execution state, carrying the contract type of the value it points at. */
export interface StatePath<T> {
  readonly path: string;
  /** Never set: only the compiler reads it. */
  readonly type?: T;
}

type Field<T, K extends PropertyKey> = K extends keyof NonNullable<T> ? NonNullable<NonNullable<T>[K]> : never;

/**
 * Paths into executions whose state has the type S: `path('parse', 'fileId')` is `$.parse.fileId`,
 * typed as the parse result's `fileId`. A result a task stored is taken as present: the workflow
 * reaches a state only after the tasks before it stored theirs.
 */
export function statePaths<S>() {
  function path<A extends keyof S>(a: A): StatePath<NonNullable<S[A]>>;
  function path<A extends keyof S, B extends keyof NonNullable<S[A]>>(a: A, b: B): StatePath<Field<S[A], B>>;
  function path<A extends keyof S, B extends keyof NonNullable<S[A]>, C extends keyof Field<S[A], B>>(
    a: A,
    b: B,
    c: C,
  ): StatePath<Field<Field<S[A], B>, C>>;
  function path(...keys: PropertyKey[]): StatePath<unknown> {
    return { path: `$.${keys.map(String).join('.')}` };
  }
  return path;
}

/** For each field of the input schema S, the path its value comes from. */
export type PayloadPaths<S extends z.AnyZodObject> = { readonly [K in keyof z.infer<S>]-?: StatePath<z.infer<S>[K]> };

/** The task payload of a state whose input is the schema `input`, each field read from its path. */
export function payloadOf<S extends z.AnyZodObject>(input: S, paths: PayloadPaths<S>): sfn.TaskInput {
  const expected = Object.keys(input.shape).sort();
  const given = Object.keys(paths).sort();
  if (expected.join() !== given.join()) {
    throw new Error(`the payload's fields (${given.join(', ')}) are not its contract's (${expected.join(', ')})`);
  }
  const entries = Object.entries(paths as Record<string, StatePath<unknown>>);
  return sfn.TaskInput.fromObject(Object.fromEntries(entries.map(([field, { path }]) => [field, sfn.JsonPath.objectAt(path)])));
}
