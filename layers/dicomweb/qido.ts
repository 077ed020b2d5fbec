/**
 * QIDO-RS query parameters (PS3.18 8.3.4): attribute matching by keyword or tag,
 * `limit` and `offset`. hilum matches the attributes it indexes; others are refused
 * with a 400 naming them, rather than silently ignored.
 */
export interface QidoQuery {
  readonly studyUids?: readonly string[];
  readonly seriesUids?: readonly string[];
  readonly sopUids?: readonly string[];
  readonly modalities?: readonly string[];
  readonly patientId?: string;
  readonly limit: number;
  readonly offset: number;
}

export class InvalidQidoQuery extends Error {
  override readonly name = 'InvalidQidoQuery';
}

// A Map, not an object literal: the query key is the client's, and `constructor` or
// `__proto__` must be an unsupported key (400), not something inherited from Object.prototype.
const KEYS: ReadonlyMap<string, keyof QidoQuery> = new Map([
  ['StudyInstanceUID', 'studyUids'],
  ['0020000D', 'studyUids'],
  ['SeriesInstanceUID', 'seriesUids'],
  ['0020000E', 'seriesUids'],
  ['SOPInstanceUID', 'sopUids'],
  ['00080018', 'sopUids'],
  ['ModalitiesInStudy', 'modalities'],
  ['00080061', 'modalities'],
  ['Modality', 'modalities'],
  ['00080060', 'modalities'],
  ['PatientID', 'patientId'],
  ['00100020', 'patientId'],
]);
/** Accepted and without effect on the answer (hilum returns its fixed attribute set, exact matching). */
const IGNORED = new Set(['includefield', 'fuzzymatching']);
export const QIDO_MAX_LIMIT = 1000;

export function parseQido(params: Record<string, string | undefined>): QidoQuery {
  const out: Partial<Record<keyof QidoQuery, unknown>> = { limit: 100, offset: 0 };
  for (const [name, raw] of Object.entries(params)) {
    if (raw === undefined) continue;
    if (name === 'limit' || name === 'offset') {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 0 || (name === 'limit' && (n === 0 || n > QIDO_MAX_LIMIT)))
        throw new InvalidQidoQuery(`${name} must be a whole number${name === 'limit' ? ` from 1 to ${QIDO_MAX_LIMIT}` : ''}`);
      out[name] = n;
      continue;
    }
    if (IGNORED.has(name)) continue;
    const key = KEYS.get(name) ?? KEYS.get(name.toUpperCase());
    if (!key) throw new InvalidQidoQuery(`unsupported query key ${name.slice(0, 40)}`);
    const values = raw
      .split(/[\\,]/)
      .map((v) => v.trim())
      .filter(Boolean);
    if (key === 'patientId') out[key] = values[0];
    else out[key] = values;
  }
  return out as unknown as QidoQuery;
}

export function matchesAny(value: string | undefined, wanted: readonly string[] | undefined): boolean {
  return !wanted || wanted.length === 0 || (value !== undefined && wanted.includes(value));
}
