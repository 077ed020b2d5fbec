/**
 * multipart/related bodies (PS3.18 8.7.3.1, RFC 2387): WADO-RS answers one part per
 * instance, `Content-Type: application/dicom`. Pure byte assembly and parsing.
 */
import { randomBytes } from 'node:crypto';

export function newBoundary(): string {
  return `hilum-${randomBytes(12).toString('hex')}`;
}

export function multipartContentType(boundary: string, type = 'application/dicom'): string {
  return `multipart/related; type="${type}"; boundary=${boundary}`;
}

/** The bytes before a part's body (its delimiter and headers). */
export function partHead(boundary: string, contentType: string, extra: Record<string, string> = {}): Buffer {
  const headers = [`Content-Type: ${contentType}`, ...Object.entries(extra).map(([k, v]) => `${k}: ${v}`)];
  return Buffer.from(`--${boundary}\r\n${headers.join('\r\n')}\r\n\r\n`, 'latin1');
}

/** The bytes after the last part. */
export function multipartTail(boundary: string): Buffer {
  return Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1');
}

/** The separator between two parts' bodies. */
export function partSeparator(): Buffer {
  return Buffer.from('\r\n', 'latin1');
}

export function multipartBody(
  boundary: string,
  parts: readonly { contentType: string; body: Uint8Array; headers?: Record<string, string> }[],
): Buffer {
  const chunks: Buffer[] = [];
  parts.forEach((part, i) => {
    if (i > 0) chunks.push(partSeparator());
    chunks.push(
      partHead(boundary, part.contentType, part.headers),
      Buffer.from(part.body.buffer, part.body.byteOffset, part.body.byteLength),
    );
  });
  chunks.push(multipartTail(boundary));
  return Buffer.concat(chunks);
}

/** The boundary of a multipart Content-Type header. */
export function boundaryOf(contentType: string): string | undefined {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

/** Splits a multipart/related body into its parts (headers lower-cased). */
export function parseMultipart(body: Uint8Array, boundary: string): { headers: Record<string, string>; body: Buffer }[] {
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const parts: { headers: Record<string, string>; body: Buffer }[] = [];
  let at = buf.indexOf(delimiter);
  while (at >= 0) {
    const afterDelimiter = at + delimiter.length;
    if (buf.subarray(afterDelimiter, afterDelimiter + 2).toString('latin1') === '--') break;
    const headerEnd = buf.indexOf('\r\n\r\n', afterDelimiter, 'latin1');
    if (headerEnd < 0) break;
    const headers: Record<string, string> = {};
    for (const line of buf
      .subarray(afterDelimiter + 2, headerEnd)
      .toString('latin1')
      .split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const next = buf.indexOf(Buffer.concat([Buffer.from('\r\n', 'latin1'), delimiter]), headerEnd + 4);
    if (next < 0) break;
    parts.push({ headers, body: buf.subarray(headerEnd + 4, next) });
    at = next + 2;
  }
  return parts;
}
