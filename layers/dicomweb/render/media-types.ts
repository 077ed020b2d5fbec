/**
 * Which rendered media type to answer (PS3.18 8.3.3.1, 8.7.4): JPEG or PNG, chosen from
 * the `accept` query parameter when present (what an <img> tag can send), else from the
 * Accept header, by q-value and then by the client's order. A range that asks for a
 * multipart answer (`multipart/related; type="image/png"`) counts for its `type`.
 * `image/*` and `*` / `*` choose JPEG, the standard's default rendered type for images.
 */

export type RenderedMediaType = 'image/jpeg' | 'image/png';

export const RENDERED_MEDIA_TYPES: readonly RenderedMediaType[] = ['image/jpeg', 'image/png'];

export class NotAcceptableMediaType extends Error {
  override readonly name = 'NotAcceptableMediaType';
  constructor() {
    super('rendered resources are image/jpeg or image/png');
  }
}

interface MediaRange {
  readonly type: string;
  readonly q: number;
  readonly order: number;
}

/** Splits on commas outside double quotes. */
function ranges(header: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of header) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out.map((r) => r.trim()).filter((r) => r !== '');
}

function parseRange(text: string, order: number): MediaRange {
  const [head = '', ...params] = text.split(';');
  let type = head.trim().toLowerCase();
  let q = 1;
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq < 0) continue;
    const name = param.slice(0, eq).trim().toLowerCase();
    const value = param
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    if (name === 'q') q = Number.isFinite(Number(value)) ? Number(value) : 0;
    if (name === 'type' && type === 'multipart/related') type = value.toLowerCase();
  }
  return { type, q, order };
}

function answerFor(type: string, refused: ReadonlySet<string>): RenderedMediaType | undefined {
  if (type === 'image/jpeg' || type === 'image/png') return type;
  if (type === 'image/*' || type === '*/*' || type === '*') return RENDERED_MEDIA_TYPES.find((t) => !refused.has(t));
  return undefined;
}

/** The media type to render, or NotAcceptableMediaType. No Accept at all means JPEG. */
export function negotiateRenderedType(acceptHeader: string | undefined, acceptQuery: string | undefined): RenderedMediaType {
  const source = acceptQuery?.trim() ? acceptQuery : acceptHeader?.trim() ? acceptHeader : '*/*';
  const all = ranges(source).map(parseRange);
  // A type sent with q=0 is refused, even when a wildcard would otherwise choose it.
  const refused = new Set(all.filter((r) => r.q <= 0).map((r) => r.type));
  const candidates = all.filter((r) => r.q > 0).sort((a, b) => b.q - a.q || a.order - b.order);
  for (const range of candidates) {
    const answer = answerFor(range.type, refused);
    if (answer) return answer;
  }
  throw new NotAcceptableMediaType();
}
