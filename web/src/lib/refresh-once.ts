/**
 * The session's one refresh after a 401, for every way the portal reaches the API (the JSON client,
 * and the DICOMweb reads of the study page, viewer and curator preview): an expired ID token is
 * renewed with the refresh token and the request sent once more, with the new token; only when that
 * fails does the 401 stand (and the portal go to sign-in). Pure over `send` and `refresh`, so the
 * flow is unit-tested without a browser.
 */

/** Sends; on a 401, one refresh and, when it worked, one more send (never a loop). */
export async function withRefresh<R extends { readonly status: number }>(
  send: () => Promise<R>,
  refresh: () => Promise<boolean>,
): Promise<R> {
  const first = await send();
  if (first.status !== 401) return first;
  return (await refresh()) ? send() : first;
}

/**
 * One refresh for the requests that hit a 401 together (a page's thumbnails, previews and JSON calls
 * all expire at once): they share the attempt in flight instead of each spending the refresh token.
 */
export function sharedRefresh(refresh: () => Promise<boolean>): () => Promise<boolean> {
  let inFlight: Promise<boolean> | undefined;
  return () =>
    (inFlight ??= refresh()
      .catch(() => false)
      .finally(() => {
        inFlight = undefined;
      }));
}
