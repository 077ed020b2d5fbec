import { lazy, Suspense, useEffect, useState } from 'react';
import { config } from '../config';
import type { PageProps } from '../routes';
import { ErrorBanner } from '../ui/error-banner';
import { useLoad } from '../ui/use-api';
import { dicomJson, dicomweb, seriesPath, studyPath, TAG, valueOf, valuesText, type DicomJson } from './dicomweb';
import { KEYWORDS } from './keywords';

/** Cornerstone and the viewer load only here, when a series is opened (their own chunk). */
const StackViewer = lazy(() => import('../viewer/stack-viewer'));

/**
 * A study: its series with thumbnails (WADO-RS rendered thumbnails), the de-identified
 * attributes of the chosen series' first instance (WADO-RS metadata), and the viewer; a link to
 * an external DICOMweb viewer (OHIF) when the portal's configuration names one.
 */
export default function StudyPage({ params }: PageProps) {
  const study = params.studyUid ?? '';
  const series = useLoad((signal) => dicomJson(`${studyPath(study)}/series`, signal), [study]);
  const [chosen, setChosen] = useState<string>();
  const list = [...(series.value ?? [])].sort(
    (a, b) => Number(valueOf(a, TAG.SeriesNumber) || 0) - Number(valueOf(b, TAG.SeriesNumber) || 0),
  );
  const current = chosen ?? (list[0] ? valueOf(list[0], TAG.SeriesInstanceUID) : undefined);
  const metadata = useLoad(
    (signal) => (current ? dicomJson(`${seriesPath(study, current)}/metadata`, signal) : Promise.resolve([] as DicomJson[])),
    [study, current],
  );
  const external = config().externalViewerUrl?.replace('{studyUid}', encodeURIComponent(study));
  const first = metadata.value?.[0];
  const currentSeries = list.find((s) => valueOf(s, TAG.SeriesInstanceUID) === current);
  const label = currentSeries ? seriesLabel(currentSeries) : 'Series';

  return (
    <section aria-labelledby="study-title">
      <h1 id="study-title">Study {study}</h1>
      {external && (
        <p>
          <a href={external} target="_blank" rel="noreferrer">
            Open in the external viewer
          </a>
        </p>
      )}
      <ErrorBanner error={series.error ?? metadata.error} />
      <h2>Series</h2>
      <ul className="series-list">
        {list.map((s) => {
          const uid = valueOf(s, TAG.SeriesInstanceUID);
          return (
            <li key={uid}>
              <button type="button" aria-pressed={uid === current} onClick={() => setChosen(uid)} className="series-button">
                <Thumbnail study={study} series={uid} alt={`Thumbnail of ${seriesLabel(s)}`} />
                <span>
                  {seriesLabel(s)} ({valueOf(s, TAG.NumberOfSeriesRelatedInstances) || '?'} images)
                </span>
              </button>
            </li>
          );
        })}
      </ul>
      {current && metadata.value && metadata.value.length > 0 && (
        <Suspense fallback={<p>Loading the viewer…</p>}>
          <StackViewer study={study} series={current} instances={metadata.value} label={label} />
        </Suspense>
      )}
      {first && (
        <>
          <h2>Attributes (de-identified, first image of the series)</h2>
          <table className="data-table" data-testid="attributes">
            <thead>
              <tr>
                <th scope="col">Tag</th>
                <th scope="col">Attribute</th>
                <th scope="col">Value</th>
              </tr>
            </thead>
            <tbody>
              {Object.keys(first)
                .sort()
                .map((tag) => (
                  <tr key={tag}>
                    <td>
                      ({tag.slice(0, 4)},{tag.slice(4)})
                    </td>
                    <td>{KEYWORDS[tag] ?? ''}</td>
                    <td>{valuesText(first, tag)}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function seriesLabel(s: DicomJson): string {
  const number = valueOf(s, TAG.SeriesNumber);
  const description = valueOf(s, TAG.SeriesDescription);
  return `${valueOf(s, TAG.Modality) || 'Series'} ${number ? `#${number}` : ''}${description ? ` ${description}` : ''}`.trim();
}

/** A series thumbnail fetched with the bearer token (an <img src> cannot carry one). */
function Thumbnail({ study, series, alt }: { study: string; series: string; alt: string }) {
  const [src, setSrc] = useState<string>();
  useEffect(() => {
    const controller = new AbortController();
    let url: string | undefined;
    dicomweb(`${seriesPath(study, series)}/thumbnail`, 'image/jpeg, image/png', controller.signal)
      .then((r) => r.blob())
      .then((blob) => {
        url = URL.createObjectURL(blob);
        setSrc(url);
      })
      .catch(() => undefined);
    return () => {
      controller.abort();
      if (url) URL.revokeObjectURL(url);
    };
  }, [study, series]);
  return src ? <img src={src} alt={alt} width={96} height={96} /> : <span className="thumbnail-placeholder" role="img" aria-label={alt} />;
}
