"""Cohort manifests: one row per released object (object id, UIDs, size, SHA-256).

The same formats as the API's ``GET /cohorts/{id}/manifest`` and ``hilum download``:
JSON ``hilum-manifest/1`` or CSV ``object_id,study_uid,series_uid,sop_uid,size,sha256``.
Values become file paths (``<out>/<study>/<series>/<sop>.dcm``), so they are checked.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from .errors import ManifestError
from .tables import to_table

FORMAT = "hilum-manifest/1"
COLUMNS = ("objectId", "studyUid", "seriesUid", "sopUid", "size", "sha256")
CSV_COLUMNS = ("object_id", "study_uid", "series_uid", "sop_uid", "size", "sha256")

_UID = re.compile(r"^[0-9]+(\.[0-9]+)*$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class ManifestObject:
    object_id: str
    study_uid: str
    series_uid: str
    sop_uid: str
    size: int
    sha256: str

    def relative_path(self) -> str:
        """Where a download puts it under its folder, as ``hilum download`` does."""
        return os.path.join(self.study_uid, self.series_uid, f"{self.sop_uid}.dcm")

    def as_dict(self) -> dict[str, Any]:
        return dict(zip(COLUMNS, (self.object_id, self.study_uid, self.series_uid, self.sop_uid, self.size, self.sha256)))


@dataclass(frozen=True)
class Manifest:
    objects: tuple[ManifestObject, ...]
    cohort_id: str | None = None
    name: str | None = None
    release: int | None = None
    study_count: int | None = None
    withheld_studies: int = 0
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def total_bytes(self) -> int:
        return sum(o.size for o in self.objects)

    def __len__(self) -> int:
        return len(self.objects)

    def __iter__(self):
        return iter(self.objects)

    def table(self, as_frame: bool | None = None) -> Any:
        """One row per object (DataFrame when pandas is there)."""
        return to_table((o.as_dict() for o in self.objects), as_frame, COLUMNS)

    def to_json(self) -> dict[str, Any]:
        """The ``hilum-manifest/1`` document (what ``hilum download manifest.json`` reads)."""
        return {
            "format": FORMAT,
            **({"cohortId": self.cohort_id} if self.cohort_id else {}),
            **({"name": self.name} if self.name else {}),
            **({"release": self.release} if self.release is not None else {}),
            **({"studyCount": self.study_count} if self.study_count is not None else {}),
            "withheldStudies": self.withheld_studies,
            "objectCount": len(self.objects),
            "totalBytes": self.total_bytes,
            "objects": [o.as_dict() for o in self.objects],
        }

    def save(self, path: str | os.PathLike[str]) -> None:
        with open(os.path.expanduser(os.fspath(path)), "w", encoding="utf-8") as out:
            json.dump(self.to_json(), out, indent=2)
            out.write("\n")

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> "Manifest":
        objects = document.get("objects")
        if not isinstance(objects, list):
            raise ManifestError(f"the manifest has no objects list (expected {FORMAT})")
        return cls(
            objects=_checked(
                (
                    ManifestObject(
                        object_id=o.get("objectId", ""),
                        study_uid=o.get("studyUid", ""),
                        series_uid=o.get("seriesUid", ""),
                        sop_uid=o.get("sopUid", ""),
                        size=o.get("size", -1),
                        sha256=o.get("sha256", ""),
                    )
                    if isinstance(o, Mapping)
                    else None
                )
                for o in objects
            ),
            cohort_id=document.get("cohortId"),
            name=document.get("name"),
            release=document.get("release"),
            study_count=document.get("studyCount"),
            withheld_studies=int(document.get("withheldStudies", 0) or 0),
            raw=document,
        )

    @classmethod
    def from_csv(cls, text: str) -> "Manifest":
        reader = csv.DictReader(io.StringIO(text))
        missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ManifestError(f"the CSV manifest has no {missing[0]} column")
        rows = list(reader)

        def size_of(value: str | None) -> int:
            try:
                return int(value or "")
            except ValueError:
                return -1

        return cls(
            objects=_checked(
                ManifestObject(
                    object_id=(r.get("object_id") or "").strip(),
                    study_uid=(r.get("study_uid") or "").strip(),
                    series_uid=(r.get("series_uid") or "").strip(),
                    sop_uid=(r.get("sop_uid") or "").strip(),
                    size=size_of(r.get("size")),
                    sha256=(r.get("sha256") or "").strip(),
                )
                for r in rows
            )
        )

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> "Manifest":
        """A manifest file, JSON or CSV (told apart by its first character)."""
        with open(os.path.expanduser(os.fspath(path)), encoding="utf-8") as source:
            text = source.read()
        if text.lstrip().startswith("{"):
            try:
                document = json.loads(text)
            except json.JSONDecodeError:
                raise ManifestError("the manifest is not valid JSON") from None
            return cls.from_json(document)
        return cls.from_csv(text)


def as_manifest(source: Any) -> Manifest:
    """A Manifest from a Manifest, a ``hilum-manifest/1`` dict, a list of object dicts, or a file path."""
    if isinstance(source, Manifest):
        return source
    if isinstance(source, (str, os.PathLike)):
        return Manifest.read(source)
    if isinstance(source, Mapping):
        return Manifest.from_json(source)
    if isinstance(source, Iterable):
        return Manifest.from_json({"objects": list(source)})
    raise TypeError("expected a Manifest, a manifest dict, a list of objects or a manifest file's path")


def _checked(objects: Iterable[ManifestObject | None]) -> tuple[ManifestObject, ...]:
    seen: set[str] = set()
    out: list[ManifestObject] = []
    for index, o in enumerate(objects, start=1):
        where = f"manifest object {index}"
        if o is None:
            raise ManifestError(f"{where}: not an object")
        if not all(isinstance(u, str) and len(u) <= 64 and _UID.match(u) for u in (o.study_uid, o.series_uid, o.sop_uid)):
            raise ManifestError(f"{where}: UIDs must be dotted digits")
        if not isinstance(o.object_id, str) or not o.object_id:
            raise ManifestError(f"{where}: no object id")
        if isinstance(o.size, bool) or not isinstance(o.size, int) or o.size < 0:
            raise ManifestError(f"{where}: size must be a whole number")
        if not isinstance(o.sha256, str) or not _SHA256.match(o.sha256):
            raise ManifestError(f"{where}: sha256 must be 64 hex digits")
        if o.object_id not in seen:  # the same object twice is downloaded once
            seen.add(o.object_id)
            out.append(o)
    return tuple(out)
