import { config } from '../config';
import { describeApiError, type HumanError } from '../lib/api-errors';
import { endSession, liveSession } from '../auth/session';
import { refreshSession } from '../auth/refresh';
import { withRefresh } from '../lib/refresh-once';
import { navigate } from '../router';

/**
 * The portal's one way to the REST API: the bearer token on every call, JSON in and out,
 * and every failure as an ApiError carrying a human message. A 401 (after one refresh
 * attempt where a refresh token exists) ends the session and goes to sign-in, which then
 * returns to the same page.
 */

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(readonly human: HumanError) {
    super(human.message);
  }
}

export interface RequestOptions {
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  /** `text` for CSV and other non-JSON answers. */
  readonly as?: 'json' | 'text';
  readonly signal?: AbortSignal;
}

export function apiUrl(path: string, query?: RequestOptions['query']): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') qs.set(k, String(v));
  const q = qs.toString();
  return `${config().apiUrl}${path}${q ? `?${q}` : ''}`;
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const response = await withRefresh(() => send(method, path, options), refreshSession);
  if (!response.ok) {
    const body: unknown = await response.json().catch(() => undefined);
    const human = describeApiError(response.status, body, { method, path });
    if (human.kind === 'signed-out') signInAgain();
    throw new ApiError(human);
  }
  if (response.status === 204) return undefined as T;
  return (options.as === 'text' ? await response.text() : await response.json()) as T;
}

export const api = {
  get: <T>(path: string, options?: Omit<RequestOptions, 'body'>) => request<T>('GET', path, options),
  post: <T>(path: string, body?: unknown, options?: Omit<RequestOptions, 'body'>) => request<T>('POST', path, { ...options, body }),
  put: <T>(path: string, body?: unknown, options?: Omit<RequestOptions, 'body'>) => request<T>('PUT', path, { ...options, body }),
  delete: <T>(path: string, options?: Omit<RequestOptions, 'body'>) => request<T>('DELETE', path, options),
};

async function send(method: string, path: string, options: RequestOptions): Promise<Response> {
  const session = liveSession();
  const headers: Record<string, string> = { accept: options.as === 'text' ? '*/*' : 'application/json' };
  if (session) headers.authorization = `Bearer ${session.idToken}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  try {
    return await fetch(apiUrl(path, options.query), {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(describeApiError(0, undefined, { method, path }));
  }
}

/** The sign-in page, remembering where the person was. */
export function signInAgain(): void {
  const here = `${location.pathname}${location.search}`;
  endSession();
  if (!location.pathname.startsWith('/sign-in')) navigate(`/sign-in?next=${encodeURIComponent(here)}`, { replace: true });
}

/** Saves text as a file the browser downloads (manifests, CSV exports). */
export function saveText(filename: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
