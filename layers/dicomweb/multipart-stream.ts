/**
 * A multipart/related body split into parts as it arrives (RFC 2046 5.1.1), for a receiver
 * that must not hold the body in memory: each chunk fed in yields the events it completes
 * (a part's headers, pieces of its body, its end, the body's end). Only a delimiter's worth
 * of bytes is ever kept back, so a body of any size passes through in constant memory. Pure.
 */

export type MultipartEvent =
  | { readonly kind: 'part'; readonly headers: Readonly<Record<string, string>> }
  | { readonly kind: 'data'; readonly bytes: Buffer }
  | { readonly kind: 'part-end' }
  | { readonly kind: 'end' };

/** A part's header block larger than this is not a multipart body hilum reads. */
const MAX_HEADER_BYTES = 16 * 1024;

export class MultipartError extends Error {
  override readonly name = 'MultipartError';
}

type State = 'preamble' | 'after-delimiter' | 'headers' | 'body' | 'done';

export class MultipartSplitter {
  private readonly firstDelimiter: Buffer;
  /** Every delimiter after the first is preceded by CRLF, which belongs to it, not to the part before. */
  private readonly delimiter: Buffer;
  private pending: Buffer = Buffer.alloc(0);
  private state: State = 'preamble';

  constructor(boundary: string) {
    this.firstDelimiter = Buffer.from(`--${boundary}`, 'latin1');
    this.delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
  }

  /** Whether the closing delimiter has been read. */
  get done(): boolean {
    return this.state === 'done';
  }

  /** Whether a part was started and not ended (the body stopped inside it). */
  get inPart(): boolean {
    return this.state === 'body' || this.state === 'headers';
  }

  /** The events the chunk completes, in order. Bytes after the closing delimiter (the epilogue) are ignored. */
  push(chunk: Uint8Array): MultipartEvent[] {
    if (this.state === 'done') return [];
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.pending = this.pending.length === 0 ? bytes : Buffer.concat([this.pending, bytes]);
    const events: MultipartEvent[] = [];
    while (this.step(events));
    return events;
  }

  /** Advances as far as the pending bytes allow; false when it needs more. */
  private step(events: MultipartEvent[]): boolean {
    switch (this.state) {
      case 'preamble': {
        // The first delimiter may open the body, or follow a preamble line.
        const at = this.pending.indexOf(this.firstDelimiter);
        if (at < 0) {
          this.keepLast(this.firstDelimiter.length - 1);
          return false;
        }
        this.pending = this.pending.subarray(at + this.firstDelimiter.length);
        this.state = 'after-delimiter';
        return true;
      }
      case 'after-delimiter': {
        // "--" closes the body; otherwise optional transport padding (spaces, tabs), then CRLF.
        if (this.pending.length < 2) return false;
        if (this.pending[0] === 0x2d && this.pending[1] === 0x2d) {
          this.state = 'done';
          this.pending = Buffer.alloc(0);
          events.push({ kind: 'end' });
          return false;
        }
        const lineEnd = this.pending.indexOf('\r\n', 0, 'latin1');
        if (lineEnd < 0) {
          if (this.pending.length > MAX_HEADER_BYTES) throw new MultipartError('a multipart delimiter line is too long');
          return false;
        }
        if (!/^[ \t]*$/.test(this.pending.subarray(0, lineEnd).toString('latin1')))
          throw new MultipartError('a multipart delimiter is followed by something other than a line end');
        this.pending = this.pending.subarray(lineEnd + 2);
        this.state = 'headers';
        return true;
      }
      case 'headers': {
        // A part with no header fields starts with the empty line at once.
        const end = this.pending.subarray(0, 2).toString('latin1') === '\r\n' ? 0 : this.pending.indexOf('\r\n\r\n', 0, 'latin1');
        if (end < 0) {
          if (this.pending.length > MAX_HEADER_BYTES) throw new MultipartError('a multipart part header is too long');
          return false;
        }
        const headers: Record<string, string> = Object.create(null) as Record<string, string>;
        for (const line of this.pending.subarray(0, end).toString('latin1').split('\r\n')) {
          const colon = line.indexOf(':');
          if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        this.pending = this.pending.subarray(end === 0 ? 2 : end + 4);
        this.state = 'body';
        events.push({ kind: 'part', headers });
        return true;
      }
      case 'body': {
        const at = this.pending.indexOf(this.delimiter);
        if (at < 0) {
          const safe = this.pending.length - (this.delimiter.length - 1);
          if (safe > 0) {
            events.push({ kind: 'data', bytes: this.pending.subarray(0, safe) });
            this.pending = this.pending.subarray(safe);
          }
          return false;
        }
        if (at > 0) events.push({ kind: 'data', bytes: this.pending.subarray(0, at) });
        events.push({ kind: 'part-end' });
        this.pending = this.pending.subarray(at + this.delimiter.length);
        this.state = 'after-delimiter';
        return true;
      }
      case 'done':
        return false;
    }
  }

  private keepLast(count: number): void {
    if (this.pending.length > count) this.pending = this.pending.subarray(this.pending.length - count);
  }
}
