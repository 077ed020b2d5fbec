import { apiUrl, signInAgain } from '../api/client';
import { refreshSession } from '../auth/refresh';
import { liveSession } from '../auth/session';
import { withRefresh } from '../lib/refresh-once';

/**
 * hilum's DICOMweb resources (docs/dicomweb.md) as the study page and the viewer read them:
 * DICOM JSON (application/dicom+json) and rendered images, with the session's bearer token.
 */

/** One data set in DICOM JSON (PS3.18 Annex F): tag -> { vr, Value }. */
export type DicomJson = Record<string, { readonly vr: string; readonly Value?: readonly unknown[]; readonly BulkDataURI?: string }>;

export class DicomwebError extends Error {
  override readonly name = 'DicomwebError';
  constructor(readonly status: number) {
    super(
      status === 403
        ? 'You do not have access to this study: request access to its project.'
        : status === 404
          ? 'No such study in the commons (or not published yet).'
          : `The commons could not answer (HTTP ${status}).`,
    );
  }
}

/** A DICOMweb read with the session's token; an expired token is refreshed once, as the JSON client does, before sign-in. */
export async function dicomweb(path: string, accept: string, signal?: AbortSignal): Promise<Response> {
  const send = () => {
    // Read at each send: the retry after a refresh carries the new token.
    const token = liveSession()?.idToken;
    return fetch(apiUrl(path), {
      headers: { accept, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(signal ? { signal } : {}),
    });
  };
  const response = await withRefresh(send, refreshSession);
  if (response.status === 401) signInAgain();
  if (!response.ok) throw new DicomwebError(response.status);
  return response;
}

export async function dicomJson(path: string, signal?: AbortSignal): Promise<DicomJson[]> {
  return (await (await dicomweb(path, 'application/dicom+json', signal)).json()) as DicomJson[];
}

/** The first value of a tag as text (PN as its alphabetic form), or ''. */
export function valueOf(ds: DicomJson, tag: string): string {
  const v = ds[tag]?.Value?.[0];
  if (v === undefined || v === null) return '';
  if (typeof v === 'object' && 'Alphabetic' in (v as object)) return String((v as { Alphabetic?: string }).Alphabetic ?? '');
  return String(v);
}

/** Every value of a tag, for the attribute table (sequences and bulk data summarised). */
export function valuesText(ds: DicomJson, tag: string): string {
  const el = ds[tag];
  if (!el) return '';
  if (el.BulkDataURI) return '(bulk data)';
  if (el.vr === 'SQ') return `(sequence of ${el.Value?.length ?? 0} item(s))`;
  return (el.Value ?? [])
    .map((v) =>
      typeof v === 'object' && v !== null && 'Alphabetic' in v ? String((v as { Alphabetic?: string }).Alphabetic ?? '') : String(v),
    )
    .join('\\');
}

export const TAG = {
  StudyInstanceUID: '0020000D',
  SeriesInstanceUID: '0020000E',
  SOPInstanceUID: '00080018',
  Modality: '00080060',
  SeriesDescription: '0008103E',
  SeriesNumber: '00200011',
  InstanceNumber: '00200013',
  NumberOfFrames: '00280008',
  NumberOfSeriesRelatedInstances: '00201209',
  StudyDescription: '00081030',
  StudyDate: '00080020',
} as const;

export const studyPath = (study: string) => `/dicomweb/studies/${encodeURIComponent(study)}`;
export const seriesPath = (study: string, series: string) => `${studyPath(study)}/series/${encodeURIComponent(series)}`;
