"""The client against a real local commons: search, cohorts, manifests, verified resumable downloads, DRS, errors."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import urllib.request

import hilum
from hilum.download import target_path

from .commons import LocalCommons

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "examples", "explore_cohort.py")

commons = LocalCommons()
info: dict = {}


def setUpModule() -> None:
    info.update(commons.start())


def tearDownModule() -> None:
    commons.close()


def as_role(role: str, **options) -> hilum.Client:
    return hilum.Client(info["apiUrl"], info["tokens"][role], **options)


class SearchTest(unittest.TestCase):
    def test_a_researcher_counts_and_lists_only_the_open_projects_studies(self):
        page = as_role("researcher").search()
        self.assertEqual(page.total, info["open"]["studies"])
        self.assertEqual(page.facets["project"], [{"value": info["open"]["project"], "count": info["open"]["studies"]}])
        counts = {row["value"]: row["count"] for row in page.facets["modality"]}
        self.assertEqual(counts, info["open"]["modalities"])
        self.assertTrue(page.snapshot_version)

    def test_pages_of_one_study_are_followed_by_cursor_to_every_study(self):
        researcher = as_role("researcher")
        paged = [s["studyUid"] for s in researcher.iter_studies(page_size=1)]
        whole = [s["studyUid"] for s in researcher.search(limit=100).studies]
        self.assertEqual(paged, whole)
        self.assertEqual(len(set(paged)), info["open"]["studies"])

    def test_a_facet_filter_narrows_the_total_but_not_its_own_facet(self):
        page = as_role("researcher").search(modality="DX")
        self.assertEqual(page.total, info["open"]["modalities"]["DX"])
        self.assertEqual({s["modalities"][0] for s in page.studies}, {"DX"})
        self.assertEqual({row["value"] for row in page.facets["modality"]}, {"CT", "DX"})

    def test_tables_of_studies_and_facets(self):
        researcher = as_role("researcher")
        rows = researcher.studies(as_frame=False, modality="CT")
        self.assertEqual(len(rows), info["open"]["modalities"]["CT"])
        facets = researcher.facet_counts(as_frame=False)
        self.assertIn({"facet": "modality", "value": "DX", "count": info["open"]["modalities"]["DX"]}, facets)


class CohortDownloadTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.researcher = as_role("researcher")
        cls.cohort = cls.researcher.create_cohort("python CT", modality="CT")
        cls.manifest = cls.researcher.manifest(cls.cohort["cohortId"])
        cls.folder = tempfile.mkdtemp(prefix="hilum-python-download-")

    @classmethod
    def tearDownClass(cls) -> None:
        shutil.rmtree(cls.folder, ignore_errors=True)

    def test_a_cohort_is_saved_on_the_release_with_its_counts_and_studies(self):
        ct = info["open"]["modalities"]["CT"]
        self.assertEqual((self.cohort["releaseNumber"], self.cohort["studyCount"]), (1, ct))
        again = self.researcher.cohort(self.cohort["cohortId"])
        self.assertEqual((again["total"], again["filters"]), (ct, {"facets": {"modality": ["CT"]}}))
        studies = self.researcher.cohort_studies(self.cohort["cohortId"], as_frame=False, page_size=1)
        self.assertEqual(len(studies), ct)

    def test_the_manifest_lists_every_object_of_the_cohort_in_json_and_csv_alike(self):
        self.assertEqual(self.manifest.study_count, info["open"]["modalities"]["CT"])
        self.assertEqual(self.manifest.release, 1)
        self.assertEqual(len(self.manifest), 3)  # the CT studies' instances: two and one
        self.assertEqual(hilum.Manifest.from_csv(self.researcher.manifest_csv(self.cohort["cohortId"])).objects, self.manifest.objects)

    def test_downloads_every_object_verified_then_resumes_an_interrupted_one(self):
        summary = self.researcher.download(self.manifest, self.folder, jobs=2)
        self.assertEqual((summary.downloaded, summary.bytes), (3, self.manifest.total_bytes))
        for o in self.manifest:
            with open(target_path(self.folder, o), "rb") as f:
                data = f.read()
            self.assertEqual(data[128:132], b"DICM")
            self.assertEqual(hashlib.sha256(data).hexdigest(), o.sha256)

        # As an interrupted run leaves it: one file half received, one never started.
        half, gone, kept = self.manifest.objects
        with open(target_path(self.folder, half), "rb") as f:
            first_half = f.read()[: half.size // 2]
        os.remove(target_path(self.folder, half))
        with open(target_path(self.folder, half) + ".part", "wb") as f:
            f.write(first_half)
        os.remove(target_path(self.folder, gone))
        again = self.researcher.download(self.manifest, self.folder)
        self.assertEqual((again.resumed, again.downloaded, again.already_there), (1, 1, 1))
        self.assertEqual(again.bytes, half.size - len(first_half) + gone.size)
        for o in (half, gone, kept):
            with open(target_path(self.folder, o), "rb") as f:
                self.assertEqual(hashlib.sha256(f.read()).hexdigest(), o.sha256)

    def test_drs_describes_each_object_as_the_manifest_does_and_serves_its_bytes(self):
        o = self.manifest.objects[0]
        drs = self.researcher.drs_object(o.object_id)
        self.assertEqual((drs["id"], drs["size"]), (o.object_id, o.size))
        self.assertEqual(drs["checksums"], [{"type": "sha-256", "checksum": o.sha256}])
        self.assertEqual(self.researcher.drs_object(drs["self_uri"])["id"], o.object_id)
        with urllib.request.urlopen(self.researcher.drs_access_url(o.object_id)) as answer:
            self.assertEqual(hashlib.sha256(answer.read()).hexdigest(), o.sha256)
        self.assertEqual(self.researcher.drs_service_info()["type"]["artifact"], "drs")


class ErrorsTest(unittest.TestCase):
    def test_a_restricted_object_is_not_found_for_a_researcher_without_a_grant(self):
        with self.assertRaises(hilum.NotFound) as caught:
            as_role("researcher").drs_object(info["restrictedObjectId"])
        self.assertIn("request access", caught.exception.hint)
        self.assertEqual(as_role("curator").drs_object(info["restrictedObjectId"])["id"], info["restrictedObjectId"])

    def test_a_role_that_may_not_search_is_refused_with_its_groups_named(self):
        with self.assertRaises(hilum.Forbidden) as caught:
            as_role("dac").search()
        self.assertIn("(dac)", caught.exception.hint)

    def test_a_token_the_commons_did_not_issue_is_unauthorized_with_how_to_get_one(self):
        with self.assertRaises(hilum.Unauthorized) as caught:
            hilum.Client(info["apiUrl"], "not-a-token").search()
        self.assertIn("npx hilum token", caught.exception.hint)

    def test_a_v1_suffix_on_the_local_url_is_explained(self):
        with self.assertRaises(hilum.NotFound) as caught:
            hilum.Client(info["apiUrl"] + "/v1", info["tokens"]["researcher"]).search()
        self.assertIn("no /v1 prefix", caught.exception.hint)

    def test_an_invalid_request_names_the_field(self):
        with self.assertRaises(hilum.BadRequest) as caught:
            as_role("researcher").search(limit=501)
        self.assertEqual([d["field"] for d in caught.exception.details], ["body.limit"])

    def test_a_cohort_on_a_release_that_does_not_exist_is_not_found(self):
        with self.assertRaises(hilum.NotFound) as caught:
            as_role("researcher").create_cohort("nothing", release=99)
        self.assertEqual(caught.exception.message, "no release 99")


class ExampleTest(unittest.TestCase):
    def test_the_notebook_example_runs_from_search_to_verified_files(self):
        with tempfile.TemporaryDirectory() as out:
            env = {
                **os.environ,
                "HILUM_API_URL": info["apiUrl"],
                "HILUM_TOKEN": info["tokens"]["researcher"],
                "HILUM_EXAMPLE_OUT": out,
                "PYTHONPATH": os.path.join(os.path.dirname(__file__), ".."),
            }
            run = subprocess.run([sys.executable, EXAMPLE], env=env, capture_output=True, text=True, timeout=120)
            self.assertEqual(run.returncode, 0, run.stderr)
            manifest = hilum.Manifest.read(os.path.join(out, "manifest.json"))
            self.assertTrue(all(os.path.exists(target_path(os.path.join(out, "data"), o)) for o in manifest))
        self.assertIn(f"{len(manifest)} files verified against their SHA-256", run.stdout)


if __name__ == "__main__":
    unittest.main()
