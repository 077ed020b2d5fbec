/**
 * dicomweb-client (the DICOMweb client OHIF uses) for tests against the local commons: the
 * package ships no type declarations, so its API is typed here once (the calls tests use),
 * and its XMLHttpRequest comes from test/support/xhr-over-fetch.ts.
 */
import { installXhrOverFetch } from './xhr-over-fetch';

/** A DICOM JSON data set (PS3.18 F.2). */
export type DicomJson = Record<string, { vr: string; Value?: unknown[]; InlineBinary?: string; BulkDataURI?: string }>;

/** What dicomweb-client rejects with when the answer is not 200, 202, 204 or 206. */
export interface DicomwebClientError extends Error {
  status: number;
  response: unknown;
}

type Options = Record<string, unknown>;

export interface DicomwebClient {
  /** STOW-RS; resolves to the response text (200 and 202), rejects with a DicomwebClientError otherwise. */
  storeInstances(options: { datasets: ArrayBuffer[]; studyInstanceUID?: string } & Options): Promise<unknown>;
  searchForStudies(options?: Options): Promise<DicomJson[]>;
  searchForSeries(options?: Options): Promise<DicomJson[]>;
  searchForInstances(options?: Options): Promise<DicomJson[]>;
  retrieveStudy(options: Options): Promise<ArrayBuffer[]>;
  retrieveSeries(options: Options): Promise<ArrayBuffer[]>;
  retrieveInstance(options: Options): Promise<ArrayBuffer>;
  retrieveStudyMetadata(options: Options): Promise<DicomJson[]>;
  retrieveSeriesMetadata(options: Options): Promise<DicomJson[]>;
  retrieveInstanceMetadata(options: Options): Promise<DicomJson[]>;
  retrieveInstanceFrames(options: Options): Promise<ArrayBuffer[]>;
  /** Rendered and thumbnail calls resolve to the parts: one ArrayBuffer for a single image. */
  retrieveInstanceRendered(options: Options): Promise<ArrayBuffer[]>;
  retrieveInstanceFramesRendered(options: Options): Promise<ArrayBuffer[]>;
  retrieveSeriesRendered(options: Options): Promise<ArrayBuffer[]>;
  retrieveInstanceThumbnail(options: Options): Promise<ArrayBuffer[]>;
  retrieveInstanceFramesThumbnail(options: Options): Promise<ArrayBuffer[]>;
  retrieveBulkData(options: Options): Promise<ArrayBuffer[]>;
}

interface DicomwebClientModule {
  api: { DICOMwebClient: new (options: { url: string; headers?: Record<string, string>; verbose?: boolean }) => DicomwebClient };
}

/** A client of `${apiUrl}/dicomweb` sending the bearer token (and any extra headers) on every request. */
export function dicomwebClient(apiUrl: string, token: string, headers: Record<string, string> = {}): DicomwebClient {
  installXhrOverFetch();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- untyped CommonJS package, typed above
  const { api } = require('dicomweb-client') as DicomwebClientModule;
  return new api.DICOMwebClient({
    url: `${apiUrl}/dicomweb`,
    headers: { authorization: `Bearer ${token}`, ...headers },
    // Refusals are what some tests expect: not logged as errors.
    verbose: false,
  });
}

export function isDicomwebClientError(error: unknown): error is DicomwebClientError {
  return error instanceof Error && typeof (error as Partial<DicomwebClientError>).status === 'number';
}
