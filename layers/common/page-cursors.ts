/**
 * Page cursors as the API hands them out: the position a store or the search gave
 * (a DynamoDB key, a search position), sealed with AES-256-GCM under a per-deployment
 * key, bound to the route, the caller and the query it pages, and stamped with the
 * time it was issued. So a cursor
 * - cannot be forged or altered (any change fails authentication: 400, never a 500
 *   from a store handed a key it did not make),
 * - cannot be replayed on another route, another query or by another caller (the
 *   binding is the additional authenticated data),
 * - says nothing (a DynamoDB key may name the last item read, such as a study the
 *   caller may not see),
 * - expires after a day.
 * Pure (node:crypto only); the key comes from page-cursor-key.ts.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/** What a cursor pages: the route, the caller, and the query without the cursor and page size. */
export interface CursorBinding {
  readonly route: string;
  readonly subject: string;
  readonly query: unknown;
}

export class InvalidPageCursor extends Error {
  override readonly name = 'InvalidPageCursor';
  constructor() {
    super('the cursor is not valid for this request (cursors are bound to the route, the query and the caller, and expire)');
  }
}

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const CURSOR_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** Issue times this far ahead are tolerated (clocks of two containers). */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

/** The 32-byte cursor key derived from the deployment's secret (HKDF-SHA256, so any long random string serves). */
export function cursorKeyFrom(secret: string): Buffer {
  if (secret.length < 32) throw new Error('the page cursor secret is missing or shorter than 32 characters');
  return Buffer.from(hkdfSync('sha256', secret, 'hilum', 'hilum page cursors v1', 32));
}

export class PageCursorSealer {
  constructor(
    private readonly key: Buffer,
    private readonly now: () => number = Date.now,
  ) {
    if (key.length !== 32) throw new RangeError('a page cursor key has 32 bytes');
  }

  seal(position: string, binding: CursorBinding): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(bindingDigest(binding));
    const plain = Buffer.from(JSON.stringify({ t: Math.floor(this.now() / 1000), p: position }), 'utf8');
    const sealed = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([Buffer.of(VERSION), iv, sealed, cipher.getAuthTag()]).toString('base64url');
  }

  /** The position sealed in `cursor`, or InvalidPageCursor: altered, truncated, another binding or key, expired. */
  open(cursor: string, binding: CursorBinding): string {
    const bytes = Buffer.from(cursor, 'base64url');
    if (bytes.length < 1 + IV_BYTES + TAG_BYTES + 1 || bytes[0] !== VERSION || bytes.toString('base64url') !== cursor)
      throw new InvalidPageCursor();
    const iv = bytes.subarray(1, 1 + IV_BYTES);
    const tag = bytes.subarray(bytes.length - TAG_BYTES);
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
      decipher.setAAD(bindingDigest(binding));
      decipher.setAuthTag(tag);
      plain = Buffer.concat([decipher.update(bytes.subarray(1 + IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new InvalidPageCursor();
    }
    const { t, p } = JSON.parse(plain.toString('utf8')) as { t: number; p: string };
    const age = this.now() - t * 1000;
    if (age > CURSOR_MAX_AGE_MS || age < -CLOCK_SKEW_MS) throw new InvalidPageCursor();
    return p;
  }
}

function bindingDigest(binding: CursorBinding): Buffer {
  return createHash('sha256')
    .update(canonicalJson([VERSION, binding.route, binding.subject, binding.query]))
    .digest();
}

/** JSON with object keys sorted and undefined members left out, so equal queries bind equally. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
