# %% [markdown]
# # From search to verified DICOM files, in Python
#
# A notebook in percent format: Jupyter (with jupytext), VS Code and PyCharm run it cell by
# cell; `python3 explore_cohort.py` runs it whole. It needs only the standard library and the
# `hilum` package (`pip install ./clients/python`, or `PYTHONPATH=clients/python`); with pandas
# installed the tables are DataFrames, and with pydicom the last cell reads a downloaded file.
#
# Against the local commons (`npm start` publishes a sample CT series):
#
#     export HILUM_API_URL=http://127.0.0.1:3000
#     export HILUM_TOKEN=$(npx hilum token --group researcher)
#
# Against a deployed one, HILUM_API_URL is the stack's ApiUrl output (it ends in /v1) and
# HILUM_TOKEN an ID token of a user in the `researcher` group.

# %%
import os
from pathlib import Path

import hilum

commons = hilum.Client()  # HILUM_API_URL, HILUM_TOKEN
out = Path(os.environ.get("HILUM_EXAMPLE_OUT", Path.home() / "hilum-example"))
print(f"commons: {commons.api_url}; files go to {out}")


def show(table, rows=10):
    """A DataFrame prints itself; a list of dicts one row per line."""
    if isinstance(table, list):
        for row in table[:rows]:
            print(row)
        if len(table) > rows:
            print(f"... {len(table) - rows} more")
    else:
        print(table.head(rows))


# %% [markdown]
# ## What is there
# Counts per facet value, for every study you may see, without listing one.

# %%
show(commons.facet_counts(), rows=40)

# %% [markdown]
# ## Narrow it down
# Facets combine: OR within one (`modality=["CT", "MR"]`), AND across them. Each facet's
# counts leave out its own filter, so they show what else you could pick. Ranges:
# `age=(50, 64)`, `year=(2020, None)`; `description="chest"` matches a description's start.

# %%
page = commons.search(modality="CT", limit=5)
print(f"{page.total} CT studies; first page:")
show(page.study_table())
ct_studies = commons.studies(modality="CT")  # every page, following the cursor
print(f"listed {len(ct_studies)} CT studies")

# %% [markdown]
# ## Save the selection as a cohort
# A cohort is pinned to a release (the latest unless you name one), so its members and its
# manifest stay the same when more is published later.

# %%
cohort = commons.create_cohort("CT studies (example)", modality="CT")
print(f"cohort {cohort['cohortId']}: {cohort['studyCount']} studies in release {cohort['releaseNumber']}")

# %%
manifest = commons.manifest(cohort["cohortId"])
print(f"{len(manifest)} objects, {manifest.total_bytes / 1e6:.1f} MB; {manifest.withheld_studies} studies need access you do not have")
show(manifest.table(), rows=5)
out.mkdir(parents=True, exist_ok=True)
manifest.save(out / "manifest.json")  # `npx hilum download` reads the same file

# %% [markdown]
# ## Download, verified
# Each file lands as `<study>/<series>/<sop>.dcm` only after its SHA-256 matched the manifest.
# Interrupted? Run the cell again: finished files are kept, partial ones continue where they stopped.

# %%
summary = commons.download(manifest, out / "data", jobs=4, progress=True)
print(
    f"downloaded {summary.downloaded}, resumed {summary.resumed}, already there {summary.already_there}: "
    f"{len(summary.paths)} files verified against their SHA-256"
)

# %% [markdown]
# ## One object through GA4GH DRS
# The manifest's object ids are DRS ids: any DRS client can resolve them too.

# %%
first = manifest.objects[0]
drs = commons.drs_object(first.object_id)
print(drs["self_uri"], drs["size"], drs["checksums"][0]["checksum"][:16] + "...")

# %%
try:
    import pydicom
except ImportError:
    print("pydicom is not installed: pip install pydicom to read the files")
else:
    dataset = pydicom.dcmread(summary.paths[first.object_id])
    print(dataset.Modality, dataset.get("Rows"), dataset.get("Columns"), "PatientIdentityRemoved:", dataset.get("PatientIdentityRemoved"))
