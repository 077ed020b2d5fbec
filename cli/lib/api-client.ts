import { exchange, NoAnswer, type ApiAnswer } from './api-exchange';

/**
 * A small client of the hilum REST API, used by the CLI and the end-to-end tests.
 * Errors carry the API's status and message, so a user sees why a call failed.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
    /** The URL that answered. */
    readonly url?: string,
  ) {
    super(message);
  }
}

/** The API did not answer at all (connection refused, unknown host, TLS): nothing any later call would change. */
export class ApiUnreachable extends Error {
  override readonly name = 'ApiUnreachable';
  constructor(
    readonly url: string,
    override readonly cause: unknown,
  ) {
    super(`cannot reach the hilum API at ${url}${causeCode(cause)}`);
  }
}

const IDEMPOTENT_READS = new Set(['GET', 'HEAD']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE']);

function isConnectionReset(error: NoAnswer): boolean {
  const code = (error.cause as NodeJS.ErrnoException).code;
  return typeof code === 'string' && RESET_CODES.has(code);
}

function causeCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : undefined;
  return code ? ` (${code})` : '';
}

/** Presigned URLs for one file: a single PUT, or the parts of a multipart upload. */
export interface PresignedUpload {
  readonly fileId: string;
  readonly size: number;
  readonly method?: 'PUT';
  readonly url?: string;
  readonly multipart?: {
    readonly uploadId: string;
    readonly partSize: number;
    readonly parts: readonly { partNumber: number; offset: number; size: number; url: string }[];
    readonly complete: string;
  };
}

/** An upload as announced: the file's name is echoed back for the caller's mapping. */
export type AnnouncedUpload = PresignedUpload & { readonly name: string };

export interface StudyFile {
  readonly seriesUid: string;
  readonly sopUid: string;
  readonly size: number;
  readonly sha256: string;
  readonly url: string;
}

export interface StudySummary {
  readonly studyUid: string;
  readonly project: string;
  readonly site: string;
  readonly modalities: readonly string[];
  readonly seriesCount: number;
  readonly instanceCount: number;
  readonly publishedAt?: string;
}

/** A bearer token, or where to get the current one (a signed-in profile refreshes it as it nears expiry). */
export type TokenSource = string | (() => Promise<string>);

export class HilumApi {
  constructor(
    private readonly baseUrl: string,
    private readonly token: TokenSource,
  ) {}

  async request<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const raw = typeof body === 'string' && contentType !== 'application/json';
    const url = new URL(path.replace(/^\//, ''), this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`);
    // Outside the try below: a sign-in service that cannot refresh the token is its own failure, not the API's.
    const token = typeof this.token === 'string' ? this.token : await this.token();
    let response: ApiAnswer;
    for (let attempt = 1; ; attempt += 1) {
      try {
        response = await exchange(url, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body === undefined ? {} : { 'content-type': contentType }),
          },
          ...(body === undefined ? {} : { body: raw ? (body as string) : JSON.stringify(body) }),
        });
        break;
      } catch (error) {
        if (!(error instanceof NoAnswer)) throw error;
        // A kept-alive connection the server closed as the request went out (a busy server's idle timer
        // fires late) resets without an answer: a read is safe to send again on a new connection.
        if (IDEMPOTENT_READS.has(method.toUpperCase()) && attempt < 3 && isConnectionReset(error)) {
          await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
          continue;
        }
        throw new ApiUnreachable(this.baseUrl, error);
      }
    }
    const { text } = response;
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    if (response.status < 200 || response.status > 299) {
      const message = parsed && typeof parsed === 'object' && 'message' in parsed ? String(parsed.message) : response.statusText;
      throw new ApiError(response.status, `${method} ${path} failed (${response.status}): ${message}`, parsed, url.href);
    }
    return parsed as T;
  }

  createSubmission(project: string, site: string, options: { deidentifiedAtSite?: boolean } = {}) {
    return this.request<{ submissionId: string; status: string }>('POST', '/submissions', {
      project,
      site,
      ...(options.deidentifiedAtSite ? { deidentifiedAtSite: true } : {}),
    });
  }

  /** Sends the submission's clinical data sheet (cases.csv) as is. */
  async putCases(submissionId: string, csv: string): Promise<unknown> {
    return this.request('PUT', `/submissions/${submissionId}/cases`, csv, 'text/csv');
  }

  /** A tokens sheet from `hilum link-tokens` (docs/linkage.md). */
  async putLinkageTokens(submissionId: string, csv: string): Promise<{ submissionId: string; cases: number }> {
    return this.request('PUT', `/submissions/${submissionId}/linkage-tokens`, csv, 'text/csv');
  }

  /** Sends one clinical node's records (a JSON sheet, docs/clinical-dictionary.md); `file` labels the errors. */
  /** One clinical sheet as JSON records; `datesShifted`: the site shifted its dates with the project key (`dates=shifted`). */
  async putClinicalSheet(
    submissionId: string,
    node: string,
    records: readonly object[],
    file: string,
    datesShifted = false,
  ): Promise<unknown> {
    const dates = datesShifted ? '&dates=shifted' : '';
    return this.request(
      'PUT',
      `/submissions/${submissionId}/clinical/${node}?format=json&file=${encodeURIComponent(file)}${dates}`,
      records,
    );
  }

  /** The submission's QA report as Markdown. */
  submissionReportMarkdown(submissionId: string) {
    return this.request<string>('GET', `/submissions/${submissionId}/report?format=md`);
  }

  requestUploads(submissionId: string, files: readonly { name: string; size: number }[]) {
    return this.request<{ uploads: AnnouncedUpload[] }>('POST', `/submissions/${submissionId}/uploads`, { files });
  }

  /** Fresh URLs for an announced file; `received` when the object already arrived. */
  renewUpload(submissionId: string, fileId: string, uploadId?: string) {
    return this.request<PresignedUpload & { received: boolean }>(
      'POST',
      `/submissions/${submissionId}/uploads/${fileId}/renew`,
      uploadId ? { uploadId } : {},
    );
  }

  completeMultipart(path: string, uploadId: string, parts: readonly { partNumber: number; etag: string }[]) {
    return this.request<{ status: string }>('POST', path, { uploadId, parts });
  }

  completeSubmission(submissionId: string) {
    return this.request<{ status: string }>('POST', `/submissions/${submissionId}/complete`);
  }

  getSubmission(submissionId: string) {
    return this.request<{
      status: string;
      fileCount: number;
      stagedCount: number;
      quarantinedCount: number;
      deidentifiedAtSite?: boolean;
      files: { fileId: string; status: string; reasonCode?: string; reason?: string }[];
    }>('GET', `/submissions/${submissionId}`);
  }

  /**
   * The submission's status and counts without its files (`?files=none`): one read of the submission where the whole
   * answer queries every file; what `--wait` looks at until it is published. A commons from before the parameter
   * answers with the files too.
   */
  getSubmissionCounts(submissionId: string) {
    return this.request<{ status: string; fileCount: number; stagedCount: number; quarantinedCount: number }>(
      'GET',
      `/submissions/${submissionId}?files=none`,
    );
  }

  listStudies(query: { modality?: string; project?: string } = {}) {
    const params = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined) as [string, string][]);
    return this.request<{ studies: StudySummary[] }>('GET', `/studies${params.size ? `?${params}` : ''}`);
  }

  studyFiles(studyUid: string) {
    return this.request<{ studyUid: string; files: StudyFile[] }>('GET', `/studies/${studyUid}/files`);
  }
}
