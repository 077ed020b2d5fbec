"""Resumable, verified downloads of a manifest's objects through the commons' GA4GH DRS routes.

The protocol of ``hilum download`` (cli/lib/resumable-download.ts), so either tool can finish
what the other started: each object goes to ``<out>/<study>/<series>/<sop>.dcm`` through a
``.part`` file that gets its final name only after its SHA-256 matched the manifest.

- A finished file whose size and SHA-256 match is kept ("already there"), without a request.
- The DRS object must have the manifest's size and SHA-256; its access URL (a presigned GET)
  is fetched into the ``.part``; a ``.part`` left by an interrupted run is continued with
  ``Range: bytes=<size>-`` (a server that ignores it sends the whole object: the file restarts).
- A URL refused with 403 (expired, or revoked with a grant) is asked for again; 5xx, 429 and
  broken connections are retried with backoff from what reached the disk.
- The first 401, or 403 from the API itself, stops the run (every other object would fail alike).
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

from .errors import ApiError, ChecksumMismatch, DownloadError, DownloadIncomplete, Forbidden, NotFound, Unauthorized
from .manifest import Manifest, ManifestObject
from .transport import CONNECTION_ERRORS, USER_AGENT, Transport

CHUNK = 1 << 20
DEFAULT_ACCESS_ID = "released"


@dataclass(frozen=True)
class Progress:
    objects_done: int
    objects_total: int
    bytes_done: int
    bytes_total: int


@dataclass(frozen=True)
class FailedObject:
    object_id: str
    path: str
    reason: str


@dataclass
class DownloadSummary:
    total: int
    downloaded: int = 0
    #: Finished from a ``.part`` file an interrupted run left.
    resumed: int = 0
    already_there: int = 0
    #: Bytes received in this run.
    bytes: int = 0
    failed: list[FailedObject] = field(default_factory=list)
    #: Final paths of every object that is complete and verified, by object id.
    paths: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed and len(self.paths) == self.total


class _Transfer(Exception):
    """A presigned GET answered an error status."""

    def __init__(self, status: int) -> None:
        super().__init__(f"GET of the object failed ({status})")
        self.status = status


class _RangeMismatch(Exception):
    """A 206 that does not start where the partial file ends."""


class _NoProgress(Exception):
    """A GET that ended without a byte (an empty answer, or a connection closed at once)."""


class _Stopped(Exception):
    """The run was interrupted; the partial file stays for the next run."""


def target_path(out_dir: str | os.PathLike[str], o: ManifestObject) -> str:
    return os.path.join(os.fspath(out_dir), o.relative_path())


def download(
    transport: Transport,
    manifest: Manifest,
    out_dir: str | os.PathLike[str],
    *,
    jobs: int = 4,
    max_attempts: int = 5,
    backoff_seconds: float = 0.5,
    progress: bool | Callable[[Progress], None] | None = None,
    raise_on_failure: bool = True,
) -> DownloadSummary:
    """Downloads every object of ``manifest`` under ``out_dir``; see the module's description."""
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    run = _Run(transport, manifest, os.path.expanduser(os.fspath(out_dir)), max_attempts, backoff_seconds, _reporter(progress, manifest))
    lanes = min(jobs, max(1, len(manifest)))
    with ThreadPoolExecutor(max_workers=lanes) as pool:
        workers = [pool.submit(run.work) for _ in range(lanes)]
        try:
            for worker in workers:
                worker.result()
        except KeyboardInterrupt:
            # Ctrl-C: the transfers stop at their next chunk, leaving .part files to resume from.
            run.stopped.set()
            for worker in workers:
                worker.exception()
            print(
                f"hilum: download interrupted, {len(run.summary.paths)} of {run.summary.total} objects verified; "
                "run the same download again to resume (finished files are kept, partial ones continue)",
                file=sys.stderr,
            )
            raise
    run.report(final=True)
    if run.fatal is not None:
        raise run.fatal
    if raise_on_failure and run.summary.failed:
        raise DownloadIncomplete(run.summary)
    return run.summary


class _Run:
    def __init__(
        self,
        transport: Transport,
        manifest: Manifest,
        out_dir: str,
        max_attempts: int,
        backoff_seconds: float,
        reporter: Callable[[Progress, bool], None] | None,
    ) -> None:
        self.transport = transport
        self.objects = list(manifest.objects)
        self.out_dir = out_dir
        self.max_attempts = max(1, max_attempts)
        self.backoff_seconds = backoff_seconds
        self.reporter = reporter
        self.summary = DownloadSummary(total=len(self.objects))
        self.lock = threading.Lock()
        self.next = 0
        self.done = 0
        self.bytes_done = 0
        self.bytes_total = manifest.total_bytes
        self.fatal: ApiError | None = None
        self.stopped = threading.Event()

    def work(self) -> None:
        while True:
            with self.lock:
                if self.fatal is not None or self.stopped.is_set() or self.next >= len(self.objects):
                    return
                o = self.objects[self.next]
                self.next += 1
            path = target_path(self.out_dir, o)
            try:
                outcome = self.one(o, path)
            except (Unauthorized, Forbidden) as error:
                # The token or its role: every other object would fail the same way, so stop here.
                with self.lock:
                    self.fatal = self.fatal or error
                return
            except _Stopped:
                return
            except Exception as error:  # noqa: BLE001 - one object's failure must not end the others
                with self.lock:
                    self.summary.failed.append(FailedObject(o.object_id, path, _reason(error)))
                    self.done += 1
                self.report()
                continue
            with self.lock:
                setattr(self.summary, outcome, getattr(self.summary, outcome) + 1)
                self.summary.paths[o.object_id] = path
                self.done += 1
                if outcome == "already_there":
                    self.bytes_done += o.size
            self.report()

    def one(self, o: ManifestObject, target: str) -> str:
        part = f"{target}.part"
        if _size_of(target) is not None:
            if _size_of(target) == o.size and _sha256_of(target) == o.sha256:
                return "already_there"
            os.remove(target)  # another file under our name: fetch it again
        os.makedirs(os.path.dirname(target), exist_ok=True)
        offset = _size_of(part) or 0
        if offset > o.size:
            os.remove(part)
            offset = 0
        resumed = offset > 0
        self.received(offset)

        drs_path = f"/ga4gh/drs/v1/objects/{urllib.parse.quote(o.object_id, safe='')}"
        drs = self.transport.json("GET", drs_path)
        sha = next((c.get("checksum") for c in drs.get("checksums", []) if c.get("type") == "sha-256"), None)
        if drs.get("size") != o.size or sha != o.sha256:
            raise DownloadError("the commons' object differs from the manifest (size or sha-256)")
        methods = [m for m in drs.get("access_methods", []) if m.get("type") == "https"]
        if not methods:
            raise DownloadError("the object has no https access method")
        method = methods[0]

        def fresh_url() -> str:
            if method.get("access_id"):
                access = urllib.parse.quote(method["access_id"], safe="")
                return self.transport.json("GET", f"{drs_path}/access/{access}")["url"]
            return method["access_url"]["url"]

        url = fresh_url()
        renewals = failures = 0
        if o.size == 0:
            open(part, "wb").close()
        while offset < o.size:
            try:
                self.fetch(url, offset, part)
            except _Transfer as error:
                if error.status == 403 and renewals < 3:
                    renewals += 1
                    url = fresh_url()  # expired (or revoked): ask the API again, which decides anew
                elif error.status == 416 and offset > 0:
                    # The partial file does not fit the object (not its bytes): start it over.
                    self.received(-offset)
                    os.remove(part)
                elif (error.status >= 500 or error.status == 429) and failures < self.max_attempts - 1:
                    failures += 1
                    self.backoff(failures)
                else:
                    raise
            except _RangeMismatch:
                self.received(-(_size_of(part) or 0))
                os.remove(part)
            except (_NoProgress, *CONNECTION_ERRORS):
                if failures >= self.max_attempts - 1:
                    raise
                failures += 1
                self.backoff(failures)
            # Whatever reached the disk counts: the next try continues from there.
            reached = _size_of(part) or 0
            if reached > offset:
                failures = 0
            offset = reached
        if _sha256_of(part) != o.sha256:
            self.received(-(_size_of(part) or 0))
            os.remove(part)
            raise ChecksumMismatch("sha-256 mismatch after download; the partial file was removed, run again")
        os.replace(part, target)
        return "resumed" if resumed else "downloaded"

    def fetch(self, url: str, offset: int, part: str) -> None:
        """GETs from ``offset`` (a ranged GET when resuming) into ``part``; a 200 rewrites it from the start."""
        headers = {"user-agent": USER_AGENT}
        if offset > 0:
            headers["range"] = f"bytes={offset}-"
        # A presigned URL carries its own signature: no bearer token goes to the object store.
        request = urllib.request.Request(url, headers=headers)
        try:
            answer = urllib.request.urlopen(request, timeout=self.transport.timeout)
        except urllib.error.HTTPError as error:
            error.read()
            error.close()
            raise _Transfer(error.code) from None
        with answer:
            append = offset > 0 and answer.status == 206
            if append and _range_start(answer.headers.get("content-range")) != offset:
                raise _RangeMismatch()
            if offset > 0 and not append:
                self.received(-offset)  # the server ignored Range: the file starts over
            written = 0
            with open(part, "ab" if append else "wb") as out:
                while True:
                    if self.stopped.is_set():
                        raise _Stopped()
                    # What has arrived, up to CHUNK: a body cut short ends here too, and the next GET continues it.
                    chunk = answer.read1(CHUNK)
                    if not chunk:
                        break
                    written += len(chunk)
                    out.write(chunk)
                    with self.lock:
                        self.summary.bytes += len(chunk)
                    self.received(len(chunk))
            if written == 0:
                raise _NoProgress()

    def received(self, count: int) -> None:
        if count:
            with self.lock:
                self.bytes_done += count
            self.report()

    def backoff(self, attempt: int) -> None:
        time.sleep(min(self.backoff_seconds * 2 ** (attempt - 1) * (0.5 + random.random()), 20.0))

    def report(self, final: bool = False) -> None:
        if self.reporter:
            with self.lock:
                state = Progress(self.done, len(self.objects), self.bytes_done, self.bytes_total)
            self.reporter(state, final)


def _reporter(progress: bool | Callable[[Progress], None] | None, manifest: Manifest) -> Callable[[Progress, bool], None] | None:
    if not progress:
        return None
    if callable(progress):
        callback = progress
        return lambda state, final: callback(state)
    started = time.monotonic()
    last = [0.0]

    def printed(state: Progress, final: bool) -> None:
        now = time.monotonic()
        if not final and now - last[0] < 1.0:
            return
        last[0] = now
        print(
            f"hilum: {state.objects_done}/{state.objects_total} objects, "
            f"{_human(state.bytes_done)} of {_human(state.bytes_total)} ({now - started:.0f} s)",
            file=sys.stderr,
        )

    return printed


def _human(count: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(count) < 1000 or unit == "TB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1000
    return f"{count} B"


_CONTENT_RANGE = re.compile(r"^bytes (\d+)-\d+/(\d+|\*)$")


def _range_start(header: str | None) -> int | None:
    match = _CONTENT_RANGE.match(header or "")
    return int(match.group(1)) if match else None


def _size_of(path: str) -> int | None:
    try:
        return os.path.getsize(path) if os.path.isfile(path) else None
    except OSError:
        return None


def _sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        for chunk in iter(lambda: source.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _reason(error: BaseException) -> str:
    if isinstance(error, NotFound):
        return "not available to you (404: unknown, or not granted)"
    if isinstance(error, ApiError):
        return f"{error.message} ({error.status})"
    if isinstance(error, _Transfer):
        return f"transfer failed ({error.status})"
    if isinstance(error, _NoProgress):
        return "the object store sent no bytes, several times"
    if isinstance(error, DownloadError):
        return str(error)
    return f"{type(error).__name__}: {error}"


__all__ = ["DownloadSummary", "FailedObject", "Progress", "download", "target_path", "DEFAULT_ACCESS_ID"]
