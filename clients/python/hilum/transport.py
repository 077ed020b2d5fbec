"""HTTP to the hilum API with the standard library: JSON in and out, bearer token, retries.

Retried with exponential backoff and jitter (``Retry-After`` when the server sends one):
429 always (the request was refused, not processed), 502/503/504 and failed connections
only for requests that may be repeated (GET, and POST /search, which changes nothing).
"""

from __future__ import annotations

import http.client
import json
import random
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message
from typing import Any, Callable, Mapping

from .errors import HilumConnectionError, HilumError, error_from_response

USER_AGENT = "hilum-python/0.1"

#: Errors of a connection (refused, reset, cut short, timed out), as urllib and http.client raise them.
CONNECTION_ERRORS = (urllib.error.URLError, ConnectionError, TimeoutError, socket.timeout, http.client.HTTPException)

RETRYABLE_STATUSES = frozenset({502, 503, 504})


@dataclass(frozen=True)
class Response:
    status: int
    headers: Message
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8")) if self.body else None

    def text(self) -> str:
        return self.body.decode("utf-8")


class Transport:
    """One API base URL and token; every request of a :class:`hilum.Client` goes through here."""

    def __init__(
        self,
        api_url: str,
        token: str | None,
        *,
        timeout: float = 60.0,
        max_attempts: int = 5,
        backoff_seconds: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not api_url.startswith(("http://", "https://")):
            raise ValueError(f"the API URL must start with http:// or https://, not {api_url!r}")
        self.api_url = api_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.max_attempts = max(1, max_attempts)
        self.backoff_seconds = backoff_seconds
        self.sleep = sleep

    def url_of(self, path: str, params: Mapping[str, Any] | None = None) -> str:
        """The API's base URL (its stage prefix included) joined with ``path`` and a query string."""
        url = f"{self.api_url}/{path.lstrip('/')}"
        query = {k: str(v) for k, v in (params or {}).items() if v is not None}
        return f"{url}?{urllib.parse.urlencode(query)}" if query else url

    def call(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: Mapping[str, Any] | None = None,
        accept: str = "application/json",
        idempotent: bool | None = None,
    ) -> Response:
        """Sends one request (retrying as the module says) and returns a 2xx answer, or raises."""
        url = self.url_of(path, params)
        repeatable = method in ("GET", "HEAD", "PUT", "DELETE") if idempotent is None else idempotent
        data = None if json_body is None else json.dumps(json_body).encode("utf-8")
        headers = {"accept": accept, "user-agent": USER_AGENT}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        if data is not None:
            headers["content-type"] = "application/json"
        for attempt in range(1, self.max_attempts + 1):
            last = attempt == self.max_attempts
            request = urllib.request.Request(url, data=data, headers=headers, method=method)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                    return Response(answer.status, answer.headers, answer.read())
            except urllib.error.HTTPError as error:
                body = error.read()
                retry = error.code == 429 or (repeatable and error.code in RETRYABLE_STATUSES)
                if retry and not last:
                    self.sleep(self._delay(attempt, error.headers.get("retry-after")))
                    continue
                raise error_from_response(
                    error.code, body, method=method, url=_without_query(url), path=path, token=self.token
                ) from None
            except CONNECTION_ERRORS as error:
                # A refused connection sent nothing, so even a POST may go again.
                refused = isinstance(_reason(error), ConnectionRefusedError)
                if (repeatable or refused) and not last:
                    self.sleep(self._delay(attempt, None))
                    continue
                raise HilumConnectionError(self.api_url, _describe(error)) from error
        raise AssertionError("unreachable: the last attempt returns or raises")

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        answer = self.call(method, path, **kwargs)
        try:
            return answer.json()
        except ValueError:
            # A web page or a proxy's answer where the API was expected.
            raise HilumError(
                f"{method} {self.url_of(path)} answered {answer.status} with something that is not JSON "
                f"({answer.headers.get('content-type') or 'no content type'}): is {self.api_url} the hilum API?"
            ) from None

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        if retry_after:
            try:
                return min(max(float(retry_after), 0.0), 60.0)
            except ValueError:
                pass  # an HTTP date: fall back to our own backoff
        return min(self.backoff_seconds * 2 ** (attempt - 1) * (0.5 + random.random()), 20.0)


def _reason(error: BaseException) -> BaseException | str | None:
    return error.reason if isinstance(error, urllib.error.URLError) else error


def _describe(error: BaseException) -> str:
    reason = _reason(error)
    if isinstance(reason, BaseException):
        return f"{type(reason).__name__}: {reason}" if str(reason) else type(reason).__name__
    return str(reason)


def _without_query(url: str) -> str:
    # Error messages name the route, not the query (a cursor or filter is noise there).
    return url.split("?", 1)[0]


__all__ = ["CONNECTION_ERRORS", "Response", "Transport"]
