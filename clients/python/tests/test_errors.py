"""Errors mirror the API's JSON errors, say what to do next, and only safe requests are retried."""

from __future__ import annotations

import base64
import json
import os
import socket
import tempfile
import time
import unittest
from unittest import mock

import hilum
from hilum.transport import Transport

from .local_http import LocalServer, Reply


def fake_token(claims: dict) -> str:
    """A JWT-shaped token (unsigned: the client only reads its claims to explain a refusal)."""
    encode = lambda part: base64.urlsafe_b64encode(json.dumps(part).encode()).decode().rstrip("=")  # noqa: E731
    return f"{encode({'alg': 'RS256'})}.{encode(claims)}.c2lnbmF0dXJl"


def client(url: str, token: str | None = "t0ken", **options) -> hilum.Client:
    return hilum.Client(url, token, backoff_seconds=0.001, **options)


class ApiErrorsTest(unittest.TestCase):
    def test_a_400_becomes_bad_request_with_the_fields_the_api_named(self):
        details = [{"field": "body.limit", "message": "Number must be less than or equal to 500"}]
        with LocalServer(lambda r: Reply(400, {"message": "invalid body: limit", "details": details})) as server:
            with self.assertRaises(hilum.BadRequest) as caught:
                client(server.url).search(limit=501)
        self.assertEqual(caught.exception.status, 400)
        self.assertEqual(caught.exception.details, details)
        self.assertIn("POST", str(caught.exception))
        self.assertIn("/search failed (400): invalid body: limit", str(caught.exception))

    def test_an_expired_token_is_named_as_expired_with_how_to_get_another(self):
        token = fake_token({"exp": int(time.time()) - 60, "cognito:groups": ["researcher"]})
        with LocalServer(lambda r: Reply(401, {"message": "invalid or expired token"})) as server:
            with self.assertRaises(hilum.Unauthorized) as caught:
                client(server.url, token).releases()
        self.assertIn("expired at", caught.exception.hint)
        self.assertIn("npx hilum token", caught.exception.hint)
        self.assertIn("hint:", str(caught.exception))

    def test_a_request_without_a_token_says_how_to_set_one(self):
        with LocalServer(lambda r: Reply(401, {"message": "missing bearer token"})) as server:
            with self.assertRaises(hilum.Unauthorized) as caught:
                client(server.url, token="").releases()
            self.assertNotIn("authorization", server.requests[0].headers)
        self.assertIn("HILUM_TOKEN", caught.exception.hint)

    def test_the_token_comes_from_the_environment_or_the_file_it_names(self):
        with tempfile.NamedTemporaryFile("w", suffix=".token") as file, LocalServer(lambda r: Reply(200, {"releases": []})) as server:
            file.write("from-a-file\n")
            file.flush()
            with mock.patch.dict(os.environ, {"HILUM_API_URL": server.url, "HILUM_TOKEN": "", "HILUM_TOKEN_FILE": file.name}):
                hilum.Client().releases()
            with mock.patch.dict(os.environ, {"HILUM_API_URL": server.url, "HILUM_TOKEN": "from-the-env"}):
                hilum.Client().releases()
            self.assertEqual([r.headers["authorization"] for r in server.requests], ["Bearer from-a-file", "Bearer from-the-env"])

    def test_a_route_gate_refusal_names_the_token_groups(self):
        token = fake_token({"exp": int(time.time()) + 600, "cognito:groups": ["dac"]})
        with LocalServer(lambda r: Reply(403, {"message": "role may not call this route"})) as server:
            with self.assertRaises(hilum.Forbidden) as caught:
                client(server.url, token).search()
        self.assertIn("(dac)", caught.exception.hint)
        self.assertIn("docs/access.md", caught.exception.hint)

    def test_api_gateways_missing_route_is_explained_as_a_wrong_url_not_a_denial(self):
        with LocalServer(lambda r: Reply(403, {"message": "Missing Authentication Token"})) as server:
            with self.assertRaises(hilum.Forbidden) as caught:
                client(server.url).releases()
        self.assertIn("no route for /releases", caught.exception.hint)
        self.assertIn("/v1", caught.exception.hint)

    def test_the_local_commons_unknown_route_is_explained_as_a_wrong_url(self):
        with LocalServer(lambda r: Reply(404, {"message": f"No route for GET {r.path}"})) as server:
            with self.assertRaises(hilum.NotFound) as caught:
                client(f"{server.url}/v1").releases()
            self.assertEqual(server.requests[0].path, "/v1/releases")  # the base URL's prefix is kept
        self.assertIn("no /v1 prefix", caught.exception.hint)

    def test_drs_errors_in_their_own_shape_are_read_too(self):
        with LocalServer(lambda r: Reply(404, {"msg": "no such object", "status_code": 404})) as server:
            with self.assertRaises(hilum.NotFound) as caught:
                client(server.url).drs_object("hilum:1.2.3")
            self.assertEqual(server.requests[0].path, "/ga4gh/drs/v1/objects/hilum%3A1.2.3")
        self.assertEqual(caught.exception.message, "no such object")
        self.assertIn("request access", caught.exception.hint)

    def test_a_server_error_keeps_the_request_id_for_the_operator(self):
        with LocalServer(lambda r: Reply(500, {"message": "internal error", "requestId": "req-42"})) as server:
            with self.assertRaises(hilum.ServerError) as caught:
                client(server.url).create_cohort("c")
            self.assertEqual(len(server.requests), 1)  # a POST that may have happened is not repeated
        self.assertEqual(caught.exception.request_id, "req-42")

    def test_an_unreachable_api_names_the_url_tried(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        url = f"http://127.0.0.1:{port}"
        with self.assertRaises(hilum.HilumConnectionError) as caught:
            client(url, max_attempts=2).releases()
        self.assertIn(url, str(caught.exception))
        self.assertIn("ConnectionRefusedError", str(caught.exception))

    def test_an_answer_that_is_not_json_asks_whether_the_url_is_the_api(self):
        page = Reply(200, b"<html>welcome</html>", {"content-type": "text/html"})
        with LocalServer(lambda r: page) as server:
            with self.assertRaises(hilum.HilumError) as caught:
                client(server.url).releases()
        self.assertIn(f"is {server.url} the hilum API?", str(caught.exception))
        self.assertIn("text/html", str(caught.exception))

    def test_an_api_url_without_a_scheme_is_refused_at_once(self):
        with self.assertRaises(ValueError):
            hilum.Client("localhost:3000", "t")


class RetriesTest(unittest.TestCase):
    def test_429_is_retried_after_the_servers_retry_after_and_then_succeeds(self):
        answers = [Reply(429, {"message": "Too Many Requests"}, {"retry-after": "0"})] * 2 + [Reply(200, {"releases": []})]
        slept: list[float] = []
        with LocalServer(lambda r: answers.pop(0)) as server:
            self.assertEqual(client(server.url, sleep=slept.append).releases(), [])
            self.assertEqual(len(server.requests), 3)
        self.assertEqual(slept, [0.0, 0.0])

    def test_429_that_persists_ends_in_rate_limited_after_the_attempts(self):
        with LocalServer(lambda r: Reply(429, {"message": "Too Many Requests"})) as server:
            with self.assertRaises(hilum.RateLimited) as caught:
                client(server.url, max_attempts=3).create_cohort("c")  # refused, not processed: a POST too
            self.assertEqual(len(server.requests), 3)
        self.assertIn("throttling", caught.exception.hint)

    def test_a_gateway_error_is_retried_for_a_search_but_not_for_creating_a_cohort(self):
        answers = [Reply(503, {"message": "Service Unavailable"}), Reply(200, {"total": 0, "facets": {}, "studies": []})]
        with LocalServer(lambda r: answers.pop(0)) as server:
            self.assertEqual(client(server.url).search().total, 0)
            self.assertEqual(len(server.requests), 2)
        with LocalServer(lambda r: Reply(503, {"message": "Service Unavailable"})) as server:
            with self.assertRaises(hilum.ServerError):
                client(server.url).create_cohort("c")
            self.assertEqual(len(server.requests), 1)

    def test_backoff_grows_without_a_retry_after(self):
        transport = Transport("http://127.0.0.1:1", None, backoff_seconds=1.0)
        first, third = transport._delay(1, None), transport._delay(3, None)
        self.assertTrue(0.5 <= first <= 1.5, first)
        self.assertTrue(2.0 <= third <= 6.0, third)


if __name__ == "__main__":
    unittest.main()
