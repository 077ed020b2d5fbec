import { randomBytes } from 'node:crypto';
import {
  canonicalJson,
  cursorKeyFrom,
  CURSOR_MAX_AGE_MS,
  InvalidPageCursor,
  PageCursorSealer,
  type CursorBinding,
} from '../../../layers/common/page-cursors';

const KEY = cursorKeyFrom('a-deployment-secret-of-sixty-four-random-characters-0123456789ab');
const BINDING: CursorBinding = { route: 'GET /studies', subject: 'sub-1', query: { query: { modality: 'CT' } } };
const POSITION = Buffer.from(JSON.stringify({ pk: 'STUDY#2.25.99', gsi1sk: '2026-01-01T00:00:00Z#2.25.99' })).toString('base64url');

describe('page cursors', () => {
  const sealer = new PageCursorSealer(KEY);

  it('gives back the sealed position for the same route, caller and query', () => {
    expect(sealer.open(sealer.seal(POSITION, BINDING), { ...BINDING, query: { query: { modality: 'CT' } } })).toBe(POSITION);
  });

  it('says nothing of the position it seals', () => {
    const cursor = sealer.seal(POSITION, BINDING);
    expect(cursor).not.toContain(POSITION);
    expect(Buffer.from(cursor, 'base64url').toString('latin1')).not.toContain('2.25.99');
  });

  it('refuses a cursor altered in any byte, or truncated, or extended', () => {
    const cursor = sealer.seal(POSITION, BINDING);
    const bytes = Buffer.from(cursor, 'base64url');
    for (let i = 0; i < bytes.length; i += 1) {
      const altered = Buffer.from(bytes);
      altered[i] = altered[i]! ^ 0x01;
      expect(() => sealer.open(altered.toString('base64url'), BINDING)).toThrow(InvalidPageCursor);
    }
    for (const length of [0, 1, 10, bytes.length - 1])
      expect(() => sealer.open(bytes.subarray(0, length).toString('base64url'), BINDING)).toThrow(InvalidPageCursor);
    expect(() => sealer.open(`${cursor}AA`, BINDING)).toThrow(InvalidPageCursor);
    expect(() => sealer.open(`${cursor}!`, BINDING)).toThrow(InvalidPageCursor);
  });

  it('refuses an unsealed (forged) position, as cursors used to be', () => {
    expect(() => sealer.open(POSITION, BINDING)).toThrow(InvalidPageCursor);
  });

  it('refuses a cursor on another route, for another caller, another query, or under another key', () => {
    const cursor = sealer.seal(POSITION, BINDING);
    expect(() => sealer.open(cursor, { ...BINDING, route: 'GET /quarantine' })).toThrow(InvalidPageCursor);
    expect(() => sealer.open(cursor, { ...BINDING, subject: 'sub-2' })).toThrow(InvalidPageCursor);
    expect(() => sealer.open(cursor, { ...BINDING, query: { query: { modality: 'DX' } } })).toThrow(InvalidPageCursor);
    expect(() => sealer.open(cursor, { ...BINDING, query: {} })).toThrow(InvalidPageCursor);
    expect(() => new PageCursorSealer(randomBytes(32)).open(cursor, BINDING)).toThrow(InvalidPageCursor);
  });

  it('refuses a cursor older than a day, or issued well in the future', () => {
    let now = Date.parse('2026-12-01T00:00:00Z');
    const clocked = new PageCursorSealer(KEY, () => now);
    const cursor = clocked.seal(POSITION, BINDING);
    now += CURSOR_MAX_AGE_MS - 1000;
    expect(clocked.open(cursor, BINDING)).toBe(POSITION);
    now += 2000;
    expect(() => clocked.open(cursor, BINDING)).toThrow(InvalidPageCursor);
    now = Date.parse('2026-11-30T23:00:00Z');
    expect(() => clocked.open(cursor, BINDING)).toThrow(InvalidPageCursor);
  });

  it('binds queries by content, not by key order', () => {
    expect(canonicalJson({ b: [1, { y: 2, x: 1 }], a: 'z', c: undefined })).toBe(canonicalJson({ a: 'z', b: [1, { x: 1, y: 2 }] }));
    expect(canonicalJson({ a: ['x', 'y'] })).not.toBe(canonicalJson({ a: ['y', 'x'] }));
  });

  it('refuses a short deployment secret', () => {
    expect(() => cursorKeyFrom('too-short')).toThrow();
  });
});
