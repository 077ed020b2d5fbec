"""Downloads resume with HTTP Range, verify every file's SHA-256, renew expired URLs and retry what may succeed."""

from __future__ import annotations

import hashlib
import contextlib
import io
import os
import signal
import threading
import tempfile
import time
import unittest
import urllib.parse

import hilum
from hilum.download import target_path

from .local_http import LocalServer, Reply


def blob(n: int, size: int) -> bytes:
    return bytes((i * 31 + n * 7) % 251 for i in range(size))


class FakeCommons:
    """DRS routes and presigned-URL-like object URLs over a few objects, with scripted failures."""

    def __init__(self, sizes: list[int]) -> None:
        self.blobs = {f"hilum:1.2.9.{n}.1.1": blob(n, size) for n, size in enumerate(sizes)}
        #: Scripted answers of object GETs (object id -> replies used first, in order).
        self.script: dict[str, list[Reply]] = {}
        #: Serve these bytes instead of the real ones (a corrupted store).
        self.served: dict[str, bytes] = {}
        self.drs_status: int | None = None
        self.drs_size: dict[str, int] = {}
        self.ignore_range = False
        self.issued = 0

    def manifest(self) -> hilum.Manifest:
        objects = []
        for object_id, data in self.blobs.items():
            sop = object_id.split(":", 1)[1]
            study, series = sop.rsplit(".", 2)[0], sop.rsplit(".", 1)[0]
            objects.append(
                {"objectId": object_id, "studyUid": study, "seriesUid": series, "sopUid": sop, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            )
        return hilum.Manifest.from_json({"format": "hilum-manifest/1", "objects": objects})

    def __call__(self, request) -> Reply:
        path = urllib.parse.unquote(request.path)
        if path.startswith("/ga4gh/drs/v1/objects/"):
            if self.drs_status:
                return Reply(self.drs_status, {"msg": "refused", "status_code": self.drs_status})
            rest = path[len("/ga4gh/drs/v1/objects/") :]
            object_id, _, access = rest.partition("/access/")
            data = self.blobs[object_id]
            if access:
                self.issued += 1
                return Reply(200, {"url": f"{self.url}/blob/{self.issued}/{urllib.parse.quote(object_id)}"})
            return Reply(
                200,
                {
                    "id": object_id,
                    "size": self.drs_size.get(object_id, len(data)),
                    "checksums": [{"type": "sha-256", "checksum": hashlib.sha256(data).hexdigest()}],
                    "access_methods": [{"type": "https", "access_id": "released"}],
                },
            )
        if path.startswith("/blob/"):
            object_id = path.split("/", 3)[3]
            cut = None
            scripted = self.script.get(object_id)
            if scripted:
                reply = scripted.pop(0)
                if reply.body != b"@":
                    return reply
                cut = reply.cut_after
            data = self.served.get(object_id, self.blobs[object_id])
            wanted = request.headers.get("range")
            if wanted and not self.ignore_range:
                start = int(wanted.removeprefix("bytes=").rstrip("-"))
                return Reply(206, data[start:], {"content-range": f"bytes {start}-{len(data) - 1}/{len(data)}"}, cut_after=cut)
            return Reply(200, data, cut_after=cut)
        return Reply(404, {"message": f"No route for {request.method} {path}"})


#: In a script: serve the object normally (optionally cut after N bytes).
def serve(cut_after: int | None = None) -> Reply:
    return Reply(200, b"@", cut_after=cut_after)


class DownloadTest(unittest.TestCase):
    def setUp(self) -> None:
        self.folder = tempfile.TemporaryDirectory()
        self.out = self.folder.name

    def tearDown(self) -> None:
        self.folder.cleanup()

    def run_download(self, commons: FakeCommons, **options):
        with LocalServer(commons) as server:
            commons.url = server.url
            self.server = server
            client = hilum.Client(server.url, "the-token", backoff_seconds=0.001)
            return client.download(commons.manifest(), self.out, **options)

    def assert_all_verified(self, commons: FakeCommons) -> None:
        for o in commons.manifest():
            with open(target_path(self.out, o), "rb") as f:
                self.assertEqual(f.read(), commons.blobs[o.object_id], o.object_id)
        leftovers = [f for _, _, files in os.walk(self.out) for f in files if f.endswith(".part")]
        self.assertEqual(leftovers, [])

    def object_gets(self):
        return [r for r in self.server.requests if r.path.startswith("/blob/")]

    def test_downloads_every_object_into_study_series_sop_and_sends_no_token_to_the_object_store(self):
        commons = FakeCommons([3000, 10, 70_000])
        summary = self.run_download(commons, jobs=2)
        self.assertEqual((summary.downloaded, summary.resumed, summary.already_there, summary.bytes), (3, 0, 0, 73_010))
        self.assertTrue(summary.ok)
        self.assert_all_verified(commons)
        self.assertTrue(all("authorization" not in r.headers for r in self.object_gets()))
        drs = [r for r in self.server.requests if r.path.startswith("/ga4gh/")]
        self.assertTrue(drs and all(r.headers["authorization"] == "Bearer the-token" for r in drs))

    def test_a_partial_file_is_continued_with_a_range_request_for_the_missing_bytes_only(self):
        commons = FakeCommons([5000])
        o = commons.manifest().objects[0]
        os.makedirs(os.path.dirname(target_path(self.out, o)))
        with open(target_path(self.out, o) + ".part", "wb") as f:
            f.write(commons.blobs[o.object_id][:1200])
        summary = self.run_download(commons)
        self.assertEqual([r.headers.get("range") for r in self.object_gets()], ["bytes=1200-"])
        self.assertEqual((summary.resumed, summary.bytes), (1, 3800))
        self.assert_all_verified(commons)

    def test_a_server_that_ignores_range_restarts_the_file_from_its_full_answer(self):
        commons = FakeCommons([5000])
        commons.ignore_range = True
        o = commons.manifest().objects[0]
        os.makedirs(os.path.dirname(target_path(self.out, o)))
        with open(target_path(self.out, o) + ".part", "wb") as f:
            f.write(b"x" * 1200)  # not even the right bytes: the full answer replaces them
        summary = self.run_download(commons)
        self.assertEqual(summary.bytes, 5000)
        self.assert_all_verified(commons)

    def test_a_connection_cut_mid_body_resumes_from_what_reached_the_disk(self):
        commons = FakeCommons([64_000])
        o = commons.manifest().objects[0]
        commons.script[o.object_id] = [serve(cut_after=20_000)]
        summary = self.run_download(commons)
        ranges = [r.headers.get("range") for r in self.object_gets()]
        self.assertEqual(ranges[0], None)
        self.assertRegex(ranges[1], r"^bytes=\d+-$")
        self.assertGreater(int(ranges[1][6:-1]), 0)
        self.assertEqual(summary.downloaded, 1)
        self.assert_all_verified(commons)

    def test_an_expired_url_is_asked_for_again_and_the_download_goes_on(self):
        commons = FakeCommons([2000])
        o = commons.manifest().objects[0]
        commons.script[o.object_id] = [Reply(403, b"<Error><Code>AccessDenied</Code></Error>")]
        self.run_download(commons)
        accesses = [r for r in self.server.requests if "/access/" in r.path]
        self.assertEqual(len(accesses), 2)
        self.assert_all_verified(commons)

    def test_a_partial_file_the_server_cannot_continue_is_started_over(self):
        commons = FakeCommons([5000])
        o = commons.manifest().objects[0]
        commons.script[o.object_id] = [Reply(416, b"<Error><Code>InvalidRange</Code></Error>")]
        os.makedirs(os.path.dirname(target_path(self.out, o)))
        with open(target_path(self.out, o) + ".part", "wb") as f:
            f.write(b"z" * 1200)
        summary = self.run_download(commons)
        self.assertEqual([r.headers.get("range") for r in self.object_gets()], ["bytes=1200-", None])
        self.assertEqual(summary.bytes, 5000)
        self.assert_all_verified(commons)

    def test_server_errors_of_the_object_store_are_retried(self):
        commons = FakeCommons([2000])
        o = commons.manifest().objects[0]
        commons.script[o.object_id] = [Reply(503, b"SlowDown"), Reply(500, b"InternalError")]
        summary = self.run_download(commons)
        self.assertEqual((len(self.object_gets()), summary.downloaded), (3, 1))
        self.assert_all_verified(commons)

    def test_an_object_store_that_sends_no_bytes_fails_the_object_after_the_attempts_instead_of_looping(self):
        commons = FakeCommons([2000])
        o = commons.manifest().objects[0]
        commons.script[o.object_id] = [Reply(200, b"")] * 10
        summary = self.run_download(commons, raise_on_failure=False, max_attempts=3)
        self.assertEqual(len(self.object_gets()), 3)
        self.assertEqual(summary.failed[0].reason, "the object store sent no bytes, several times")

    def test_ctrl_c_stops_the_transfers_at_once_leaving_a_part_file_that_the_next_run_continues(self):
        commons = FakeCommons([400_000, 400_000])
        for o in commons.manifest():
            # 49 pieces 0.1 s apart: about 5 s per object, so that even on a busy machine the interrupt is
            # handled long before a transfer could finish (at 0.01 s apart one did finish under load).
            commons.script[o.object_id] = [Reply(200, commons.blobs[o.object_id], trickle=(8192, 0.1))]

        interrupted = threading.Event()
        # A process started in the background by a non-interactive shell inherits SIGINT ignored, and Python
        # then leaves it ignored: Ctrl-C's signal would never reach the download. Take Python's own handler.
        self.addCleanup(signal.signal, signal.SIGINT, signal.signal(signal.SIGINT, signal.default_int_handler))

        def interrupt(progress: hilum.Progress) -> None:
            if progress.bytes_done > 0 and not interrupted.is_set():
                interrupted.set()
                os.kill(os.getpid(), signal.SIGINT)  # what Ctrl-C does

        started = time.monotonic()
        said = io.StringIO()
        with self.assertRaises(KeyboardInterrupt), contextlib.redirect_stderr(said):
            self.run_download(commons, jobs=2, progress=interrupt)
        self.assertIn("run the same download again to resume", said.getvalue())
        self.assertLess(time.monotonic() - started, 3.0)  # the trickle would take 5 s per object
        parts = [target_path(self.out, o) + ".part" for o in commons.manifest()]
        self.assertTrue(any(os.path.exists(p) for p in parts))
        self.assertFalse(any(os.path.exists(target_path(self.out, o)) for o in commons.manifest()))

        summary = self.run_download(commons)
        self.assertGreaterEqual(summary.resumed, 1)
        self.assert_all_verified(commons)

    def test_bytes_that_do_not_match_the_sha256_are_removed_and_the_object_reported_failed(self):
        commons = FakeCommons([2000, 3000])
        bad = commons.manifest().objects[1]
        commons.served[bad.object_id] = b"\0" * 3000
        with self.assertRaises(hilum.DownloadIncomplete) as caught:
            self.run_download(commons)
        summary = caught.exception.summary
        self.assertEqual([f.object_id for f in summary.failed], [bad.object_id])
        self.assertIn("sha-256 mismatch", summary.failed[0].reason)
        self.assertFalse(os.path.exists(target_path(self.out, bad)))
        self.assertFalse(os.path.exists(target_path(self.out, bad) + ".part"))
        self.assertEqual(summary.downloaded, 1)
        self.assertIn("run the same download again", str(caught.exception))

    def test_a_verified_file_is_kept_without_a_request_and_a_wrong_one_is_fetched_again(self):
        commons = FakeCommons([2000, 2000])
        good, wrong = commons.manifest().objects
        for o, data in ((good, commons.blobs[good.object_id]), (wrong, b"y" * 2000)):
            os.makedirs(os.path.dirname(target_path(self.out, o)), exist_ok=True)
            with open(target_path(self.out, o), "wb") as f:
                f.write(data)
        summary = self.run_download(commons)
        self.assertEqual((summary.already_there, summary.downloaded), (1, 1))
        self.assertFalse(any(good.object_id in urllib.parse.unquote(r.path) for r in self.server.requests))
        self.assert_all_verified(commons)

    def test_an_object_that_differs_from_the_manifest_is_not_downloaded(self):
        commons = FakeCommons([2000])
        o = commons.manifest().objects[0]
        commons.drs_size[o.object_id] = 2001
        summary = self.run_download(commons, raise_on_failure=False)
        self.assertIn("differs from the manifest", summary.failed[0].reason)
        self.assertEqual(self.object_gets(), [])

    def test_an_object_not_granted_is_reported_as_not_available(self):
        commons = FakeCommons([2000])
        commons.drs_status = 404
        summary = self.run_download(commons, raise_on_failure=False)
        self.assertEqual(summary.failed[0].reason, "not available to you (404: unknown, or not granted)")

    def test_the_first_401_stops_the_run_with_its_hint(self):
        commons = FakeCommons([100] * 6)
        commons.drs_status = 401
        with self.assertRaises(hilum.Unauthorized) as caught:
            self.run_download(commons, jobs=1)
        self.assertEqual(len(self.server.requests), 1)
        self.assertIn("fresh ID token", caught.exception.hint)

    def test_progress_reaches_every_object_and_byte(self):
        commons = FakeCommons([1000, 2000])
        seen: list[hilum.Progress] = []
        self.run_download(commons, progress=seen.append)
        self.assertEqual(seen[-1], hilum.Progress(objects_done=2, objects_total=2, bytes_done=3000, bytes_total=3000))


class ManifestTest(unittest.TestCase):
    def test_csv_and_json_manifests_read_alike_and_a_saved_one_reads_back(self):
        row = {"objectId": "hilum:1.2.3", "studyUid": "1.2", "seriesUid": "1.2.5", "sopUid": "1.2.3", "size": 4, "sha256": "ab" * 32}
        from_json = hilum.Manifest.from_json({"objects": [row, row]})
        from_csv = hilum.Manifest.from_csv(f"object_id,study_uid,series_uid,sop_uid,size,sha256\nhilum:1.2.3,1.2,1.2.5,1.2.3,4,{'ab' * 32}\n")
        self.assertEqual(from_json.objects, from_csv.objects)
        self.assertEqual(len(from_json), 1)  # the same object twice is one download
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "manifest.json")
            from_json.save(path)
            self.assertEqual(hilum.Manifest.read(path).objects, from_json.objects)
        self.assertEqual(from_json.table(as_frame=False), [row])

    def test_values_that_would_leave_the_download_folder_are_refused(self):
        for field, value in (("studyUid", "../../etc"), ("sopUid", "1.2/3"), ("sha256", "zz"), ("size", -1)):
            row = {"objectId": "hilum:1.2.3", "studyUid": "1.2", "seriesUid": "1.2.5", "sopUid": "1.2.3", "size": 4, "sha256": "ab" * 32}
            row[field] = value
            with self.subTest(field=field), self.assertRaises(hilum.ManifestError):
                hilum.Manifest.from_json({"objects": [row]})


if __name__ == "__main__":
    unittest.main()
