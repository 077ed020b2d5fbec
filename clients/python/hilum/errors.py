"""Exceptions that mirror the API's JSON errors, each with what to do next.

hilum answers errors as ``{"message": ..., "details": [...]}`` (GA4GH DRS routes as
``{"msg": ..., "status_code": ...}``). :func:`error_from_response` turns such an answer
into the matching exception: :class:`BadRequest` (400), :class:`Unauthorized` (401),
:class:`Forbidden` (403), :class:`NotFound` (404), :class:`Conflict` (409),
:class:`RateLimited` (429), :class:`ServerError` (5xx). Each names the request, the
status, the server's message and a ``hint``.
"""

from __future__ import annotations

import base64
import datetime as _dt
import json
from typing import Any, Mapping


class HilumError(Exception):
    """Base class of every error this client raises."""


class ApiError(HilumError):
    """The API answered with an error status."""

    status: int = 0

    def __init__(
        self,
        status: int,
        message: str,
        *,
        method: str,
        url: str,
        details: Any = None,
        request_id: str | None = None,
        hint: str | None = None,
        body: Any = None,
    ) -> None:
        self.status = status
        self.message = message
        self.method = method
        self.url = url
        self.details = details
        self.request_id = request_id
        self.hint = hint
        self.body = body
        text = f"{method} {url} failed ({status}): {message}"
        if hint:
            text += f"\n  hint: {hint}"
        super().__init__(text)


class BadRequest(ApiError):
    """400: the request was refused as invalid; ``details`` lists the fields when the API named them."""


class Unauthorized(ApiError):
    """401: no token, or one the commons does not accept (expired, another issuer, not an ID token)."""


class Forbidden(ApiError):
    """403: the token's roles may not call this route (or, behind API Gateway, no such route)."""


class NotFound(ApiError):
    """404: no such record, or one the caller may not get (hilum answers both alike)."""


class Conflict(ApiError):
    """409: the request contradicts the current state (e.g. no release cut yet)."""


class RateLimited(ApiError):
    """429: too many requests; retried with backoff before this is raised."""


class ServerError(ApiError):
    """5xx: the commons failed; the request id lets an operator find the log."""


class HilumConnectionError(HilumError):
    """The API could not be reached at all (refused, DNS, timeout)."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(
            f"could not reach the hilum API at {url}: {reason}\n"
            "  hint: check the API URL (HILUM_API_URL): a local commons prints it when `npx hilum start` is up; "
            "a deployed one is the stack's ApiUrl output, ending in /v1"
        )


class DownloadError(HilumError):
    """An object could not be downloaded (the other objects were still tried)."""


class ChecksumMismatch(DownloadError):
    """The downloaded bytes do not have the manifest's SHA-256 (the partial file is removed)."""


class DownloadIncomplete(DownloadError):
    """Some objects of a download failed; ``summary.failed`` says which and why."""

    def __init__(self, summary: Any) -> None:
        self.summary = summary
        failed = summary.failed
        lines = [f"{len(failed)} of {summary.total} objects failed:"]
        lines += [f"  {f.object_id}: {f.reason}" for f in failed[:20]]
        if len(failed) > 20:
            lines.append(f"  ... and {len(failed) - 20} more")
        lines.append("  run the same download again: finished files are kept, partial ones resume")
        super().__init__("\n".join(lines))


class ManifestError(HilumError):
    """A manifest is malformed (its values become file paths, so they are checked)."""


_CLASSES: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    429: RateLimited,
}


def error_from_response(
    status: int,
    body: bytes,
    *,
    method: str,
    url: str,
    path: str,
    token: str | None,
) -> ApiError:
    """The exception for an error answer: its class by status, message and details from the JSON body."""
    parsed: Any = None
    try:
        parsed = json.loads(body.decode("utf-8")) if body else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        parsed = None
    message = ""
    details = None
    request_id = None
    if isinstance(parsed, dict):
        message = str(parsed.get("message", parsed.get("msg", "")))
        details = parsed.get("details")
        request_id = parsed.get("requestId")
    if not message:
        message = _REASONS.get(status, "error")
    cls = _CLASSES.get(status, ServerError if status >= 500 else ApiError)
    hint = _hint(status, message, path, token)
    return cls(
        status, message, method=method, url=url, details=details, request_id=request_id, hint=hint, body=parsed
    )


_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}

_GET_TOKEN = (
    "get a fresh ID token: on a local commons `npx hilum token --group researcher`; "
    "on a deployed one, sign in to its Cognito user pool"
)


def _hint(status: int, message: str, path: str, token: str | None) -> str | None:
    claims = token_claims(token) if token else None
    if status == 401:
        if not token:
            return f"no token was sent: set HILUM_TOKEN or pass token=...; {_GET_TOKEN}"
        expires = claims.get("exp") if claims else None
        if isinstance(expires, (int, float)) and expires <= _dt.datetime.now(_dt.timezone.utc).timestamp():
            when = _dt.datetime.fromtimestamp(expires, _dt.timezone.utc).isoformat(timespec="seconds")
            return f"the token expired at {when}; {_GET_TOKEN}"
        return (
            "the commons does not accept this token (another commons' or data folder's key, "
            f"an access token instead of an ID token, or malformed); {_GET_TOKEN}"
        )
    if status == 403:
        if message == "Missing Authentication Token":
            # API Gateway's answer to a path it has no route for, whatever the token.
            return (
                f"API Gateway has no route for {path}: check the API URL, which for a deployed commons "
                "ends in its stage (/v1), and the path"
            )
        groups = claims.get("cognito:groups") if claims else None
        named = ", ".join(groups) if isinstance(groups, list) and groups else "none"
        return (
            f"your token's groups ({named}) may not call this route; docs/access.md lists the role each "
            "route needs (researchers search, make cohorts and download; curators also cut releases)"
        )
    if status == 404:
        if message.startswith("No route for"):
            return (
                "the local commons has no such route: check the API URL (a local commons has no /v1 prefix; "
                "a deployed one does) and the path"
            )
        return (
            "hilum answers 404 both for what does not exist and for data you may not get: check the id, "
            "and for a restricted project request access (POST /access-requests)"
        )
    if status == 429:
        return "the commons is throttling requests: wait and retry, or make fewer requests at once (jobs=...)"
    if status >= 500:
        return "the commons failed on its side; retry later, and give the operator the request id if there is one"
    return None


def token_claims(token: str) -> Mapping[str, Any] | None:
    """The claims of a JWT, read without verifying it (only to explain an error)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")))
    except (ValueError, UnicodeDecodeError):
        return None
    return claims if isinstance(claims, dict) else None
