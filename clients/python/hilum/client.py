"""The researcher's client of a hilum commons: search, cohorts, manifests, downloads, DRS."""

from __future__ import annotations

import os
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping

from . import download as _download
from .errors import HilumError
from .manifest import Manifest, as_manifest
from .tables import to_table
from .transport import Transport

DEFAULT_API_URL = "http://127.0.0.1:3000"

#: The search facets, in the API's order (layers/search/model.ts).
FACETS = (
    "project",
    "site",
    "release",
    "modality",
    "bodyPart",
    "sex",
    "ageBand",
    "race",
    "ethnicity",
    "covid19",
    "condition",
    "manufacturer",
    "viewPosition",
    "sliceThickness",
)
_SNAKE = {"body_part": "bodyPart", "age_band": "ageBand", "view_position": "viewPosition", "slice_thickness": "sliceThickness"}
#: The API's largest page.
MAX_PAGE = 500


@dataclass(frozen=True)
class SearchPage:
    """One answer of ``POST /search``: the total, counts per facet (each without its own filter), a page of studies."""

    total: int
    facets: Mapping[str, list[dict[str, Any]]]
    studies: list[dict[str, Any]]
    cursor: str | None
    snapshot_version: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def facet_table(self, as_frame: bool | None = None) -> Any:
        """One row per facet value: ``facet``, ``value``, ``count``."""
        # The API's facets in its order; one this client does not know yet is kept, after them.
        order = [f for f in FACETS if f in self.facets] + [f for f in self.facets if f not in FACETS]
        rows = ({"facet": f, "value": v["value"], "count": v["count"]} for f in order for v in self.facets[f])
        return to_table(rows, as_frame, ("facet", "value", "count"))

    def study_table(self, as_frame: bool | None = None) -> Any:
        return to_table(self.studies, as_frame)


def build_filters(
    filters: Mapping[str, Any] | None = None,
    *,
    age: Any = None,
    year: Any = None,
    description: str | None = None,
    **facets: Any,
) -> dict[str, Any]:
    """The API's filter set from keywords: ``modality="CT"``, ``sex=["Female"]``, ``age=(50, 64)``, ``year=(2020, None)``.

    Facets may be named as the API names them (``bodyPart``) or in snake case (``body_part``);
    a value is a string or a list of them (OR within a facet, AND across facets). ``filters``
    is a filter set as the API takes it (a saved cohort's ``filters``), which keywords extend.
    """
    out: dict[str, Any] = {k: v for k, v in dict(filters or {}).items()}
    chosen: dict[str, list[str]] = dict(out.get("facets") or {})
    for name, values in facets.items():
        facet = _SNAKE.get(name, name)
        if facet not in FACETS:
            raise TypeError(f"unknown facet {name!r}; the facets are: {', '.join(FACETS)}")
        if values is None:
            continue
        chosen[facet] = [str(values)] if isinstance(values, (str, int)) else [str(v) for v in values]
    if chosen:
        out["facets"] = chosen
    for key, value in (("age", age), ("year", year)):
        if value is not None:
            out[key] = _range(key, value)
    if description is not None:
        out["descriptionPrefix"] = description
    return out


def _range(name: str, value: Any) -> dict[str, int]:
    if isinstance(value, Mapping):
        low, high = value.get("min"), value.get("max")
    elif isinstance(value, int) and not isinstance(value, bool):
        low = high = value
    else:
        try:
            low, high = value
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be a number, (min, max) or {{'min': .., 'max': ..}}") from None
    return {k: int(v) for k, v in (("min", low), ("max", high)) if v is not None}


class Client:
    """A hilum commons, as one caller.

    ``api_url``: the API's base URL (default ``$HILUM_API_URL``, else a local commons on port 3000);
    a deployed commons' URL ends in its stage, ``/v1``. ``token``: an ID token (default
    ``$HILUM_TOKEN``, or the file named by ``$HILUM_TOKEN_FILE``); locally
    ``npx hilum token --group researcher`` prints one.
    """

    def __init__(
        self,
        api_url: str | None = None,
        token: str | None = None,
        *,
        timeout: float = 60.0,
        max_attempts: int = 5,
        backoff_seconds: float = 0.5,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        api_url = api_url or os.environ.get("HILUM_API_URL") or DEFAULT_API_URL
        if token is None:
            token = os.environ.get("HILUM_TOKEN")
            if not token and os.environ.get("HILUM_TOKEN_FILE"):
                with open(os.path.expanduser(os.environ["HILUM_TOKEN_FILE"]), encoding="utf-8") as source:
                    token = source.read()
        token = token.strip() if token else None
        options: dict[str, Any] = {"timeout": timeout, "max_attempts": max_attempts, "backoff_seconds": backoff_seconds}
        if sleep is not None:
            options["sleep"] = sleep
        self.transport = Transport(api_url, token, **options)

    @property
    def api_url(self) -> str:
        return self.transport.api_url

    def request(self, method: str, path: str, *, json: Any = None, params: Mapping[str, Any] | None = None) -> Any:
        """Any route of the API (docs/access.md has the table): its JSON answer, or an :class:`ApiError`."""
        return self.transport.json(method, path, json_body=json, params=params)

    # Search ------------------------------------------------------------------------------

    def search(
        self,
        filters: Mapping[str, Any] | None = None,
        *,
        limit: int = 50,
        cursor: str | None = None,
        age: Any = None,
        year: Any = None,
        description: str | None = None,
        **facets: Any,
    ) -> SearchPage:
        """One page of ``POST /search``; ``page.cursor`` asks for the next (or use :meth:`iter_studies`)."""
        body = build_filters(filters, age=age, year=year, description=description, **facets)
        body["limit"] = limit
        if cursor:
            body["cursor"] = cursor
        # Searching changes nothing: safe to retry on a gateway error.
        answer = self.transport.json("POST", "/search", json_body=body, idempotent=True)
        return SearchPage(
            total=answer["total"],
            facets=answer.get("facets", {}),
            studies=answer.get("studies", []),
            cursor=answer.get("cursor"),
            snapshot_version=answer.get("snapshotVersion"),
            raw=answer,
        )

    def iter_studies(
        self, filters: Mapping[str, Any] | None = None, *, page_size: int = MAX_PAGE, **criteria: Any
    ) -> Iterator[dict[str, Any]]:
        """Every study matching the filters, page after page (the cursor of each answer asks for the next)."""
        cursor: str | None = None
        seen: set[str] = set()
        while True:
            page = self.search(filters, limit=page_size, cursor=cursor, **criteria)
            yield from page.studies
            if not page.cursor:
                return
            if page.cursor in seen:
                raise HilumError("the API answered the same search cursor twice; stopping instead of looping")
            seen.add(page.cursor)
            cursor = page.cursor

    def studies(
        self, filters: Mapping[str, Any] | None = None, *, as_frame: bool | None = None, page_size: int = MAX_PAGE, **criteria: Any
    ) -> Any:
        """Every matching study as a table (DataFrame with pandas, else a list of dicts)."""
        return to_table(self.iter_studies(filters, page_size=page_size, **criteria), as_frame)

    def facet_counts(self, filters: Mapping[str, Any] | None = None, *, as_frame: bool | None = None, **criteria: Any) -> Any:
        """Counts per facet value (``facet``, ``value``, ``count``) without listing studies."""
        return self.search(filters, limit=0, **criteria).facet_table(as_frame)

    # Cohorts and manifests ---------------------------------------------------------------

    def create_cohort(
        self,
        name: str,
        filters: Mapping[str, Any] | None = None,
        *,
        release: int | None = None,
        age: Any = None,
        year: Any = None,
        description: str | None = None,
        **facets: Any,
    ) -> dict[str, Any]:
        """Saves a cohort (``POST /cohorts``) pinned to a release (the latest unless named): ``cohortId``, ``studyCount``, ..."""
        body: dict[str, Any] = {
            "name": name,
            "filters": build_filters(filters, age=age, year=year, description=description, **facets),
        }
        if release is not None:
            body["release"] = release
        return self.transport.json("POST", "/cohorts", json_body=body)

    def cohort(self, cohort_id: str) -> dict[str, Any]:
        """A cohort with its total and counts per facet on its release."""
        return self.transport.json("GET", f"/cohorts/{_segment(cohort_id)}")

    def iter_cohort_studies(self, cohort_id: str, *, page_size: int = MAX_PAGE) -> Iterator[dict[str, Any]]:
        cursor: str | None = None
        seen: set[str] = set()
        while True:
            answer = self.transport.json(
                "GET", f"/cohorts/{_segment(cohort_id)}", params={"limit": page_size, "cursor": cursor}
            )
            yield from answer.get("studies", [])
            cursor = answer.get("cursor")
            if not cursor:
                return
            if cursor in seen:
                raise HilumError("the API answered the same cohort cursor twice; stopping instead of looping")
            seen.add(cursor)

    def cohort_studies(self, cohort_id: str, *, as_frame: bool | None = None, page_size: int = MAX_PAGE) -> Any:
        """The cohort's studies the caller may list, as a table."""
        return to_table(self.iter_cohort_studies(cohort_id, page_size=page_size), as_frame)

    def manifest(self, cohort_id: str) -> Manifest:
        """The cohort's manifest: every object the caller may download, with its size and SHA-256."""
        return Manifest.from_json(
            self.transport.json("GET", f"/cohorts/{_segment(cohort_id)}/manifest", params={"format": "json"})
        )

    def manifest_csv(self, cohort_id: str) -> str:
        """The same manifest as CSV text (``object_id,study_uid,series_uid,sop_uid,size,sha256``)."""
        return self.transport.call(
            "GET", f"/cohorts/{_segment(cohort_id)}/manifest", params={"format": "csv"}, accept="text/csv"
        ).text()

    # Downloads ---------------------------------------------------------------------------

    def download(
        self,
        manifest: Any,
        out_dir: str | os.PathLike[str],
        *,
        jobs: int = 4,
        max_attempts: int = 5,
        progress: Any = None,
        raise_on_failure: bool = True,
    ) -> _download.DownloadSummary:
        """Downloads a manifest's objects to ``<out_dir>/<study>/<series>/<sop>.dcm``, resumable and SHA-256 verified.

        ``manifest``: a :class:`Manifest`, a ``hilum-manifest/1`` dict, or a manifest file (JSON or
        CSV). ``progress``: True prints a line to stderr every second; a callable gets a
        :class:`hilum.download.Progress`. Raises :class:`DownloadIncomplete` when objects failed
        (``raise_on_failure=False`` returns the summary instead); run again to resume.
        """
        return _download.download(
            self.transport,
            as_manifest(manifest),
            out_dir,
            jobs=jobs,
            max_attempts=max_attempts,
            backoff_seconds=self.transport.backoff_seconds,
            progress=progress,
            raise_on_failure=raise_on_failure,
        )

    # GA4GH DRS ---------------------------------------------------------------------------

    def drs_object(self, object_id: str) -> dict[str, Any]:
        """``GET /ga4gh/drs/v1/objects/{id}``: size, checksums, access methods. Takes ``hilum:<uid>`` or ``drs://host/hilum:<uid>``."""
        return self.transport.json("GET", f"/ga4gh/drs/v1/objects/{_segment(_object_id(object_id))}")

    def drs_access_url(self, object_id: str, access_id: str = _download.DEFAULT_ACCESS_ID) -> str:
        """A short-lived presigned URL of the object's bytes."""
        path = f"/ga4gh/drs/v1/objects/{_segment(_object_id(object_id))}/access/{_segment(access_id)}"
        return self.transport.json("GET", path)["url"]

    def drs_service_info(self) -> dict[str, Any]:
        return self.transport.json("GET", "/ga4gh/drs/v1/service-info")

    # The rest of what a researcher reads -------------------------------------------------

    def releases(self) -> list[dict[str, Any]]:
        return self.transport.json("GET", "/releases")["releases"]

    def projects(self) -> list[dict[str, Any]]:
        return self.transport.json("GET", "/projects")["projects"]

    def study_files(self, study_uid: str) -> list[dict[str, Any]]:
        """Presigned URLs, sizes and SHA-256s of a study's files."""
        return self.transport.json("GET", f"/studies/{_segment(study_uid)}/files")["files"]


def _segment(value: str) -> str:
    """One path segment: a value with a slash cannot reach another route."""
    return urllib.parse.quote(str(value), safe="")


def _object_id(value: str) -> str:
    if value.startswith("drs://"):
        return value.rstrip("/").rsplit("/", 1)[-1]
    return value
