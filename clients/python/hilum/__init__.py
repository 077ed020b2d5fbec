"""Python client of a hilum imaging data commons (standard library only; pandas optional).

    import hilum
    commons = hilum.Client()                     # $HILUM_API_URL, $HILUM_TOKEN
    page = commons.search(modality="CT", sex="Female")
    cohort = commons.create_cohort("female CT", modality="CT", sex="Female")
    manifest = commons.manifest(cohort["cohortId"])
    commons.download(manifest, "data", progress=True)
"""

from .client import FACETS, Client, SearchPage, build_filters
from .download import DownloadSummary, FailedObject, Progress
from .errors import (
    ApiError,
    BadRequest,
    ChecksumMismatch,
    Conflict,
    DownloadError,
    DownloadIncomplete,
    Forbidden,
    HilumConnectionError,
    HilumError,
    ManifestError,
    NotFound,
    RateLimited,
    ServerError,
    Unauthorized,
)
from .manifest import Manifest, ManifestObject

__version__ = "0.1.0"

__all__ = [
    "FACETS",
    "ApiError",
    "BadRequest",
    "ChecksumMismatch",
    "Client",
    "Conflict",
    "DownloadError",
    "DownloadIncomplete",
    "DownloadSummary",
    "FailedObject",
    "Forbidden",
    "HilumConnectionError",
    "HilumError",
    "Manifest",
    "ManifestError",
    "ManifestObject",
    "NotFound",
    "Progress",
    "RateLimited",
    "SearchPage",
    "ServerError",
    "Unauthorized",
    "build_filters",
]
