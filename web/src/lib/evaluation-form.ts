/**
 * The new-evaluation form as the spec `POST /evaluations` takes (layers/evaluation/spec.ts),
 * and the evaluations this browser started (the API lists none: an evaluator keeps the ids).
 * Pure: the page does the file reading, hashing and requests.
 */
import type { EvaluationSpec } from '../../../layers/evaluation';

export interface EvaluationForm {
  readonly project: string;
  readonly width: string;
  readonly height: string;
  readonly preprocessing: 'window' | 'normalize';
  /** Window center and width, or mean and standard deviation. */
  readonly first: string;
  readonly second: string;
  readonly modality: string;
  readonly instance: 'first' | 'middle';
  readonly label: string;
  readonly positive: string;
  /** Thresholds separated by commas or spaces. */
  readonly operatingPoints: string;
}

export const DEFAULT_EVALUATION_FORM: EvaluationForm = {
  project: '',
  width: '224',
  height: '224',
  preprocessing: 'window',
  first: '40',
  second: '400',
  modality: 'CT',
  instance: 'middle',
  label: 'covid19',
  positive: 'Yes',
  operatingPoints: '0.5',
};

/** The spec, or what is wrong with the form in words (the API checks it again). */
export function specOf(
  form: EvaluationForm,
  model: { readonly bytes: number; readonly sha256: string },
): { spec: EvaluationSpec } | { problem: string } {
  const width = Number(form.width);
  const height = Number(form.height);
  if (![width, height].every((n) => Number.isInteger(n) && n >= 1 && n <= 1024))
    return { problem: "The model's input width and height are whole numbers from 1 to 1024." };
  const first = Number(form.first);
  const second = Number(form.second);
  if (form.first.trim() === '' || form.second.trim() === '' || !Number.isFinite(first) || !Number.isFinite(second))
    return { problem: 'The pre-processing needs two numbers.' };
  if (form.preprocessing === 'window' ? second < 1 : second <= 0)
    return { problem: form.preprocessing === 'window' ? 'The window width is at least 1.' : 'The standard deviation is above 0.' };
  const thresholds = form.operatingPoints
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(Number);
  if (thresholds.length < 1 || thresholds.length > 10 || thresholds.some((t) => !Number.isFinite(t)))
    return { problem: 'Give one to ten operating point thresholds, as numbers.' };
  const modality = form.modality.trim().toUpperCase();
  if (!/^[A-Z]{2,4}$/.test(modality)) return { problem: 'The modality is a DICOM modality code such as CT or DX.' };
  if (!form.project.trim()) return { problem: 'Name the project whose sequestered cases the model is evaluated on.' };
  return {
    spec: {
      project: form.project.trim(),
      model: { bytes: model.bytes, sha256: model.sha256 },
      input: { width, height },
      preprocessing:
        form.preprocessing === 'window'
          ? { kind: 'window', center: first, width: second }
          : { kind: 'normalize', mean: first, std: second },
      series: { modality, instance: form.instance },
      task: { label: form.label.trim() as EvaluationSpec['task']['label'], positive: form.positive.trim() },
      operatingPoints: thresholds,
    },
  };
}

/** Lowercase hex of a digest (the spec's SHA-256). */
export function hex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export interface StartedEvaluation {
  readonly evaluationId: string;
  readonly project: string;
  readonly createdAt: string;
}

/** The storage key of the evaluations one person started in this browser. */
export const startedKey = (username: string) => `hilum.evaluations.${username}`;

/** Reads the stored list; anything unreadable counts as none. Newest first, at most 50. */
export function readStarted(raw: string | null): StartedEvaluation[] {
  if (!raw) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!Array.isArray(parsed)) return [];
    return parsed
      .filter(
        (e): e is StartedEvaluation =>
          typeof e === 'object' &&
          e !== null &&
          typeof (e as StartedEvaluation).evaluationId === 'string' &&
          typeof (e as StartedEvaluation).project === 'string' &&
          typeof (e as StartedEvaluation).createdAt === 'string',
      )
      .slice(0, 50);
  } catch {
    return [];
  }
}

export function withStarted(list: readonly StartedEvaluation[], added: StartedEvaluation): StartedEvaluation[] {
  return [added, ...list.filter((e) => e.evaluationId !== added.evaluationId)].slice(0, 50);
}
