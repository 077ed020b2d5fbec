/**
 * The part of XMLHttpRequest that dicomweb-client uses (open, setRequestHeader, send,
 * responseType, onreadystatechange, status, response, response headers), over Node's fetch,
 * so the client OHIF uses can drive the local commons from a test. Redirects are followed as
 * a browser's XHR follows them (a WADO-RS 303 to a presigned URL). Install it with
 * `installXhrOverFetch()` before calling the client; it leaves an existing XMLHttpRequest alone.
 */
type ResponseType = '' | 'text' | 'json' | 'arraybuffer';

export class XhrOverFetch {
  readyState = 0;
  status = 0;
  statusText = '';
  responseType: ResponseType = '';
  response: unknown = null;
  withCredentials = false;
  onreadystatechange: (() => void) | null = null;
  onloadstart: (() => void) | null = null;
  onloadend: (() => void) | null = null;
  onprogress: ((event: { loaded: number; total: number }) => void) | null = null;
  onerror: ((error: unknown) => void) | null = null;
  private method = 'GET';
  private url = '';
  private readonly requestHeaders: Record<string, string> = {};
  private responseHeaders = new Headers();

  open(method: string, url: string): void {
    this.method = method.toUpperCase();
    this.url = url;
    this.readyState = 1;
  }

  setRequestHeader(name: string, value: string): void {
    this.requestHeaders[name] = value;
  }

  getResponseHeader(name: string): string | null {
    return this.responseHeaders.get(name);
  }

  getAllResponseHeaders(): string {
    return [...this.responseHeaders.entries()].map(([k, v]) => `${k}: ${v}`).join('\r\n');
  }

  send(body?: ArrayBuffer | Uint8Array | string | null): void {
    this.onloadstart?.();
    void this.exchange(body ?? undefined);
  }

  private async exchange(body: ArrayBuffer | Uint8Array | string | undefined): Promise<void> {
    try {
      const response = await fetch(this.url, {
        method: this.method,
        headers: this.requestHeaders,
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : new Uint8Array(body as ArrayBuffer) }),
      });
      const bytes = await response.arrayBuffer();
      this.status = response.status;
      this.statusText = response.statusText;
      this.responseHeaders = response.headers;
      this.response = this.decode(bytes);
      this.onprogress?.({ loaded: bytes.byteLength, total: bytes.byteLength });
    } catch (error) {
      this.status = 0;
      this.onerror?.(error);
    }
    this.readyState = 4;
    this.onreadystatechange?.();
    this.onloadend?.();
  }

  private decode(bytes: ArrayBuffer): unknown {
    if (this.responseType === 'arraybuffer') return bytes;
    const text = Buffer.from(bytes).toString('utf8');
    if (this.responseType !== 'json') return text;
    try {
      return text === '' ? null : (JSON.parse(text) as unknown);
    } catch {
      return null;
    }
  }
}

/** Makes `new XMLHttpRequest()` an XhrOverFetch in this realm, unless one exists. */
export function installXhrOverFetch(): void {
  const scope = globalThis as { XMLHttpRequest?: unknown };
  scope.XMLHttpRequest ??= XhrOverFetch;
}
