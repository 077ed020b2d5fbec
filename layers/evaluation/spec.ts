/**
 * What an evaluator declares with a model: the input the model takes, how pixels become that
 * input, which image of a case it sees, the task (a binary label from the clinical data) and
 * the operating points to report. Everything here is the evaluator's choice; nothing names a case.
 */
import { z } from 'zod';

/** The largest model accepted (bytes): a Lambda reads it whole into memory beside the image. */
export const MAX_MODEL_BYTES = 200 * 1024 * 1024;

/**
 * Labels a task may be built from: every case's COVID-19 status, or the project's own label
 * (its `caseLabel`, a snake_case name; POST /evaluations checks the project defines it). The
 * other case attributes (sex, race, ...) are subgroups, never a task.
 */
export const TASK_LABELS = ['covid19'] as const;
const LABEL_NAME = /^[a-z][a-z0-9_]{0,31}$/;
const NOT_A_TASK: ReadonlySet<string> = new Set(['sex', 'race', 'ethnicity', 'modality', 'site']);

export const evaluationSpec = z
  .object({
    project: z.string().min(1).max(128),
    /** The model: its size (the presigned PUT signs it) and SHA-256 (checked before the run). */
    model: z.object({
      bytes: z.number().int().min(1).max(MAX_MODEL_BYTES),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    }),
    /** The model's input tensor is float32 [1, 1, height, width]. */
    input: z.object({
      width: z.number().int().min(1).max(1024),
      height: z.number().int().min(1).max(1024),
    }),
    preprocessing: z.discriminatedUnion('kind', [
      /** Linear VOI window (PS3.3 C.11.2.1.2) of the modality values, to [0, 1]. */
      z.object({ kind: z.literal('window'), center: z.number(), width: z.number().min(1) }),
      /** (value - mean) / std of the modality values. */
      z.object({ kind: z.literal('normalize'), mean: z.number(), std: z.number().positive() }),
    ]),
    /** The image of each case the model sees: of the case's series of this modality, the first instance or the middle one. */
    series: z.object({
      modality: z.string().regex(/^[A-Z]{2,4}$/),
      instance: z.enum(['first', 'middle']),
    }),
    task: z.object({
      label: z
        .string()
        .regex(LABEL_NAME)
        .refine((label) => !NOT_A_TASK.has(label), 'a subgroup attribute is not a task label'),
      /** The label value that counts as positive ("Yes" for covid19 and a project's own label). */
      positive: z.string().min(1).max(64),
    }),
    /** Thresholds at which sensitivity and specificity are reported: a score at or above is positive. */
    operatingPoints: z.array(z.number()).min(1).max(10),
  })
  .strict();

export type EvaluationSpec = z.infer<typeof evaluationSpec>;
