"""Search and cohort pages are followed by their cursors; filters are built as the API takes them."""

from __future__ import annotations

import unittest

import hilum
from hilum.tables import pandas_available

from .local_http import LocalServer, Reply

STUDIES = [{"studyUid": f"1.2.3.{i}", "project": "p", "modalities": ["CT"]} for i in range(7)]
FACETS = {"modality": [{"value": "CT", "count": 7}], "sex": [{"value": "Female", "count": 4}, {"value": "Male", "count": 3}]}


def paged_search(request):
    """A search endpoint over STUDIES whose cursor is the index of the next study."""
    body = request.json()
    start = int(body.get("cursor", "0"))
    limit = body["limit"]
    page = STUDIES[start : start + limit]
    answer = {"total": len(STUDIES), "facets": FACETS, "studies": page, "snapshotVersion": "v1"}
    if start + limit < len(STUDIES):
        answer["cursor"] = str(start + limit)
    return Reply(200, answer)


class SearchPaginationTest(unittest.TestCase):
    def test_iter_studies_follows_each_cursor_with_the_same_filters_until_the_last_page(self):
        with LocalServer(paged_search) as server:
            commons = hilum.Client(server.url, "t")
            uids = [s["studyUid"] for s in commons.iter_studies(modality="CT", page_size=3)]
            bodies = [r.json() for r in server.requests]
        self.assertEqual(uids, [s["studyUid"] for s in STUDIES])
        self.assertEqual([b.get("cursor") for b in bodies], [None, "3", "6"])
        self.assertEqual({str(b["facets"]) for b in bodies}, {str({"modality": ["CT"]})})
        self.assertEqual({b["limit"] for b in bodies}, {3})

    def test_a_cursor_answered_twice_stops_with_an_error_instead_of_looping(self):
        stuck = {"total": 9, "facets": {}, "studies": STUDIES[:1], "cursor": "same"}
        with LocalServer(lambda r: Reply(200, stuck)) as server:
            with self.assertRaises(hilum.HilumError):
                list(hilum.Client(server.url, "t").iter_studies(page_size=1))
            self.assertEqual(len(server.requests), 2)

    def test_one_page_carries_total_facets_cursor_and_snapshot_version(self):
        with LocalServer(paged_search) as server:
            page = hilum.Client(server.url, "t").search(limit=2)
        self.assertEqual((page.total, page.cursor, page.snapshot_version, len(page.studies)), (7, "2", "v1", 2))
        self.assertEqual(
            page.facet_table(as_frame=False),
            [
                {"facet": "modality", "value": "CT", "count": 7},
                {"facet": "sex", "value": "Female", "count": 4},
                {"facet": "sex", "value": "Male", "count": 3},
            ],
        )

    def test_a_facet_this_client_does_not_know_is_kept_in_the_table(self):
        answer = {"total": 1, "facets": {"scanner": [{"value": "X", "count": 1}], "sex": [{"value": "Male", "count": 1}]}, "studies": []}
        with LocalServer(lambda r: Reply(200, answer)) as server:
            rows = hilum.Client(server.url, "t").facet_counts(as_frame=False)
        self.assertEqual([r["facet"] for r in rows], ["sex", "scanner"])

    def test_facet_counts_asks_for_no_studies(self):
        with LocalServer(paged_search) as server:
            hilum.Client(server.url, "t").facet_counts(as_frame=False)
            self.assertEqual(server.requests[0].json()["limit"], 0)

    def test_cohort_studies_follow_the_cohort_cursor(self):
        def cohort(request):
            start = int(request.query.get("cursor", "0"))
            limit = int(request.query["limit"])
            answer = {"cohortId": "c", "total": 7, "studies": STUDIES[start : start + limit]}
            if start + limit < len(STUDIES):
                answer["cursor"] = str(start + limit)
            return Reply(200, answer)

        with LocalServer(cohort) as server:
            rows = hilum.Client(server.url, "t").cohort_studies("c-1", page_size=4, as_frame=False)
            self.assertEqual(server.paths(), ["/cohorts/c-1", "/cohorts/c-1"])
        self.assertEqual(len(rows), 7)


class FiltersTest(unittest.TestCase):
    def test_keywords_become_the_apis_filter_set(self):
        self.assertEqual(
            hilum.build_filters(modality="CT", body_part=["CHEST", "LUNG"], release=2, age=(50, 64), year=(2020, None), description="chest"),
            {
                "facets": {"modality": ["CT"], "bodyPart": ["CHEST", "LUNG"], "release": ["2"]},
                "age": {"min": 50, "max": 64},
                "year": {"min": 2020},
                "descriptionPrefix": "chest",
            },
        )

    def test_a_saved_cohorts_filters_are_extended_not_replaced(self):
        saved = {"facets": {"sex": ["Female"]}, "age": {"min": 40}}
        self.assertEqual(
            hilum.build_filters(saved, modality=["DX"]),
            {"facets": {"sex": ["Female"], "modality": ["DX"]}, "age": {"min": 40}},
        )
        self.assertEqual(saved, {"facets": {"sex": ["Female"]}, "age": {"min": 40}})

    def test_an_unknown_facet_is_refused_before_any_request(self):
        with LocalServer(paged_search) as server:
            with self.assertRaises(TypeError) as caught:
                hilum.Client(server.url, "t").search(modalty="CT")
            self.assertEqual(server.requests, [])
        self.assertIn("modality", str(caught.exception))


class TablesTest(unittest.TestCase):
    def test_as_frame_false_gives_plain_rows(self):
        with LocalServer(paged_search) as server:
            rows = hilum.Client(server.url, "t").studies(as_frame=False, page_size=5)
        self.assertEqual(rows, STUDIES)

    @unittest.skipIf(pandas_available(), "pandas is installed here")
    def test_without_pandas_the_default_is_plain_rows_and_as_frame_true_says_what_is_missing(self):
        with LocalServer(paged_search) as server:
            commons = hilum.Client(server.url, "t")
            self.assertEqual(commons.studies(page_size=5), STUDIES)
            with self.assertRaises(ImportError) as caught:
                commons.studies(as_frame=True)
        self.assertIn("pip install pandas", str(caught.exception))

    @unittest.skipUnless(pandas_available(), "pandas is not installed")
    def test_with_pandas_the_default_is_a_dataframe(self):
        with LocalServer(paged_search) as server:
            frame = hilum.Client(server.url, "t").studies(page_size=5)
        self.assertEqual(list(frame["studyUid"]), [s["studyUid"] for s in STUDIES])


if __name__ == "__main__":
    unittest.main()
