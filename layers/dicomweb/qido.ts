/**
 * A QIDO-RS request (PS3.18 8.3.4, 10.6.1): its matching keys read into conditions, the
 * attributes to return (defaults, `includefield`, `all`), `limit`/`offset`, `fuzzymatching`,
 * and the Warnings owed to the client for what was ignored (unknown keys, keys hilum cannot
 * match, a limit above the maximum). Pure; the handler walks the catalog with it.
 */
import {
  QIDO_ATTRIBUTES,
  attributeNamed,
  isDeeperAttribute,
  levelIndex,
  qidoJson,
  type QidoAttribute,
  type QidoLevel,
  type QidoRecord,
} from './qido-attributes';
import { InvalidMatchValue, matches, parseCondition, type Condition } from './qido-match';
import type { DicomJson } from './json';

export * from './qido-attributes';
export * from './qido-match';

export class InvalidQidoQuery extends Error {
  override readonly name = 'InvalidQidoQuery';
}

export const QIDO_MAX_LIMIT = 1000;

/** What the path fixes: the study of `/studies/{study}/…`, the series of `…/series/{series}/instances`. */
export interface QidoScope {
  readonly study?: string;
  readonly series?: string;
}

export interface QidoKey {
  readonly attribute: QidoAttribute;
  readonly condition: Condition;
}

export interface QidoRequest {
  readonly level: QidoLevel;
  readonly keys: readonly QidoKey[];
  /** What each result carries, in no order (qidoJson orders the tags). */
  readonly returned: readonly QidoAttribute[];
  readonly limit: number;
  readonly offset: number;
  readonly fuzzy: boolean;
  /** Warning texts (PS3.18 8.3.4.x: an origin server ignores what it does not support and says so). */
  readonly warnings: readonly string[];
}

/** Query parameters that are not matching keys (PS3.18 8.3.4). */
const CONTROL = new Set(['limit', 'offset', 'includefield', 'fuzzymatching', 'emptyvaluematching', 'multiplevaluematching']);
/** A parameter name echoed in a Warning: an attribute keyword, a tag, or a tag path; anything else is only counted. */
const ECHOABLE = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Reads the query parameters (every value of a repeated parameter) of a search at `level`.
 * Throws InvalidQidoQuery, naming the key but never its value, for a value that cannot be read
 * (a date that is not YYYYMMDD, a limit of 0); ignores and warns about every key it cannot apply.
 */
export function parseQido(
  params: Readonly<Record<string, readonly string[] | undefined>>,
  level: QidoLevel,
  scope: QidoScope = {},
): QidoRequest {
  const first = (name: string) => params[name]?.find((v) => v !== undefined);
  const fuzzy = first('fuzzymatching')?.trim().toLowerCase() === 'true';
  const warnings: string[] = [];
  let limit = wholeNumber('limit', first('limit'), QIDO_MAX_LIMIT, 1);
  if (limit > QIDO_MAX_LIMIT) {
    warnings.push(`The limit was reduced to ${QIDO_MAX_LIMIT}, the most results this origin server returns at once.`);
    limit = QIDO_MAX_LIMIT;
  }
  const offset = wholeNumber('offset', first('offset'), 0, 0);
  if (first('emptyvaluematching')?.trim().toLowerCase() === 'true')
    warnings.push('The emptyvaluematching parameter is not supported. Empty Value Matching has not been performed.');

  const unknown: string[] = [];
  const notMatched: string[] = [];
  const wrongLevel: string[] = [];
  const keys: QidoKey[] = [];
  for (const [name, values] of Object.entries(params)) {
    if (values === undefined || CONTROL.has(name)) continue;
    const attribute = attributeNamed(name, level);
    if (!attribute) {
      (isDeeperAttribute(name, level) ? wrongLevel : unknown).push(name);
      continue;
    }
    if (!attribute.match) {
      notMatched.push(name);
      continue;
    }
    try {
      // A repeated key is one list: StudyDate=a&StudyDate=b matches either.
      keys.push({ attribute, condition: parseCondition(attribute.match, values.join('\\'), { fuzzy }) });
    } catch (error) {
      if (error instanceof InvalidMatchValue) throw new InvalidQidoQuery(`${attribute.keyword}: ${error.message}`);
      throw error;
    }
  }
  const included = includedAttributes(params.includefield ?? [], level, unknown);
  if (unknown.length) warnings.push(`The following attributes were not supported and were ignored: ${echo(unknown)}.`);
  if (notMatched.length)
    warnings.push(`The following attributes are not kept in hilum's catalog and were not matched: ${echo(notMatched)}.`);
  if (wrongLevel.length)
    warnings.push(`The following attributes are not matching keys at the ${level} level and were ignored: ${echo(wrongLevel)}.`);

  return { level, keys, returned: returnedAttributes(level, scope, included, keys), limit, offset, fuzzy, warnings };
}

function wholeNumber(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw.trim());
  if (!Number.isSafeInteger(n) || n < min) throw new InvalidQidoQuery(`${name} must be a whole number${min > 0 ? ` from ${min}` : ''}`);
  return n;
}

function includedAttributes(raw: readonly string[], level: QidoLevel, unknown: string[]): QidoAttribute[] | 'all' {
  const names = raw
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  if (names.some((n) => n.toLowerCase() === 'all')) return 'all';
  const out: QidoAttribute[] = [];
  for (const name of names) {
    const attribute = attributeNamed(name, level);
    if (attribute) out.push(attribute);
    else unknown.push(name);
  }
  return out;
}

/**
 * The defaults of the result's level, and of each enclosing level the path does not fix (a
 * top-level `/series` answer carries its study's attributes, a study's `/instances` its series');
 * the UIDs of every enclosing level; what `includefield` names (or everything at or above the
 * result's level for `all`); and every matching key.
 */
function returnedAttributes(
  level: QidoLevel,
  scope: QidoScope,
  included: QidoAttribute[] | 'all',
  keys: readonly QidoKey[],
): QidoAttribute[] {
  const depth = levelIndex(level);
  const fixed = (l: QidoLevel) => (l === 'study' && scope.study !== undefined) || (l === 'series' && scope.series !== undefined);
  return QIDO_ATTRIBUTES.filter((a) => {
    const d = levelIndex(a.level);
    if (d > depth) return false;
    if (included === 'all' || included.includes(a) || keys.some((k) => k.attribute === a)) return true;
    if (d === depth) return a.byDefault;
    return (a.byDefault && !fixed(a.level)) || a.match === 'uid';
  });
}

const echo = (names: readonly string[]): string => {
  const shown = [...new Set(names.filter((n) => ECHOABLE.test(n)))].slice(0, 20);
  const hidden = names.length - names.filter((n) => ECHOABLE.test(n)).length;
  return [...shown, ...(hidden > 0 ? [`${hidden} parameter(s) with other characters`] : [])].join(', ');
};

/** Whether a record passes every key of these levels (the handler filters studies before reading their series). */
export function matchesKeys(request: QidoRequest, record: QidoRecord, levels: readonly QidoLevel[]): boolean {
  return request.keys
    .filter((k) => levels.includes(k.attribute.level))
    .every((k) =>
      k.attribute.matchRecord ? k.attribute.matchRecord(k.condition, record) : matches(k.condition, k.attribute.values?.(record, '') ?? []),
    );
}

/**
 * The UIDs a StudyInstanceUID (or, at the instance level, SOPInstanceUID) key lists, for a direct
 * lookup instead of a walk of every study; undefined when it lists none.
 */
export function listedUids(request: QidoRequest, keyword: 'StudyInstanceUID' | 'SOPInstanceUID'): readonly string[] | undefined {
  const key = request.keys.find((k) => k.attribute.keyword === keyword && k.condition.kind === 'uids');
  return key?.condition.kind === 'uids' ? [...key.condition.uids] : undefined;
}

/** One result as DICOM JSON. */
export function qidoResult(request: QidoRequest, record: QidoRecord, baseUrl: string): DicomJson {
  return qidoJson(record, request.returned, baseUrl);
}

/** The `Warning` header of an answer (RFC 7234 5.5 as PS3.18 writes it), or undefined when all was applied. */
export function warningHeader(request: QidoRequest, service: string, extra: readonly string[] = []): string | undefined {
  const texts = [...request.warnings, ...extra];
  if (texts.length === 0) return undefined;
  return texts.map((t) => `299 ${service}: "${t.replace(/["\\\r\n]/g, ' ')}"`).join(', ');
}
