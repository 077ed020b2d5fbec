/**
 * The streaming multipart splitter the gateway's STOW-RS endpoint reads bodies with: any
 * chunking gives the parts parseMultipart gives for the whole body, bytes that only look like
 * a delimiter stay in the part, and no more than a delimiter's worth of bytes is held back.
 */
import { MultipartError, MultipartSplitter, multipartBody, parseMultipart, type MultipartEvent } from '../../../layers/dicomweb';

const BOUNDARY = 'hilum-test-boundary';

function split(body: Buffer, chunkSize: number): { parts: { headers: Record<string, string>; body: Buffer }[]; ended: boolean } {
  const splitter = new MultipartSplitter(BOUNDARY);
  const events: MultipartEvent[] = [];
  for (let at = 0; at < body.length; at += chunkSize) events.push(...splitter.push(body.subarray(at, at + chunkSize)));
  const parts: { headers: Record<string, string>; body: Buffer }[] = [];
  let chunks: Buffer[] = [];
  for (const event of events) {
    if (event.kind === 'part') parts.push({ headers: { ...event.headers }, body: Buffer.alloc(0) });
    else if (event.kind === 'data') chunks.push(Buffer.from(event.bytes));
    else if (event.kind === 'part-end') {
      parts[parts.length - 1]!.body = Buffer.concat(chunks);
      chunks = [];
    }
  }
  return { parts, ended: events.at(-1)?.kind === 'end' && splitter.done };
}

describe('MultipartSplitter', () => {
  // Bodies holding CRLF, a near-delimiter and a delimiter without its leading CRLF.
  const bodies = [
    Buffer.from('first part'),
    Buffer.concat([Buffer.from(`\r\n--${BOUNDARY.slice(0, -1)}x\r\n`), Buffer.alloc(3000, 7), Buffer.from(`--${BOUNDARY}`)]),
    Buffer.alloc(0),
    Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256)),
  ];
  const body = multipartBody(
    BOUNDARY,
    bodies.map((b) => ({ contentType: 'application/dicom', body: b, headers: { 'Content-Location': 'x' } })),
  );

  it.each([1, 3, 17, 4096, body.length])('gives the same parts as parseMultipart with chunks of %i bytes', (size) => {
    const { parts, ended } = split(body, size);
    expect(ended).toBe(true);
    expect(parts.map((p) => p.body.toString('hex'))).toEqual(bodies.map((b) => b.toString('hex')));
    expect(parts.map((p) => p.headers)).toEqual(parseMultipart(body, BOUNDARY).map((p) => p.headers));
  });

  it('skips a preamble and an epilogue, and takes transport padding after a delimiter', () => {
    const padded = Buffer.from(
      `preamble text\r\n--${BOUNDARY}  \r\nContent-Type: application/dicom\r\n\r\nabc\r\n--${BOUNDARY}--\r\nepilogue`,
      'latin1',
    );
    const { parts, ended } = split(padded, 5);
    expect(ended).toBe(true);
    expect(parts).toEqual([{ headers: { 'content-type': 'application/dicom' }, body: Buffer.from('abc') }]);
  });

  it('holds back no more than a delimiter while a large part streams through', () => {
    const splitter = new MultipartSplitter(BOUNDARY);
    splitter.push(Buffer.from(`--${BOUNDARY}\r\n\r\n`));
    let passed = 0;
    for (let i = 0; i < 100; i += 1)
      for (const e of splitter.push(Buffer.alloc(10_000, 1))) if (e.kind === 'data') passed += e.bytes.length;
    expect(1_000_000 - passed).toBeLessThan(BOUNDARY.length + 4);
    expect(splitter.inPart).toBe(true);
    expect(splitter.done).toBe(false);
  });

  it('refuses a header block without end and a delimiter followed by garbage', () => {
    expect(() => new MultipartSplitter(BOUNDARY).push(Buffer.from(`--${BOUNDARY}\r\n${'x'.repeat(20_000)}`))).toThrow(MultipartError);
    expect(() => new MultipartSplitter(BOUNDARY).push(Buffer.from(`--${BOUNDARY}garbage\r\n\r\n`))).toThrow(MultipartError);
  });
});
