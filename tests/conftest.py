"""Shared pytest fixtures: the repository root and the real datasets (skipped, with the reason, when absent)."""
import os
from pathlib import Path
import pytest

REPO = Path(__file__).resolve().parent.parent


def shared_data(rel: str) -> Path:
    "The folder `rel` under $BATTERY_SSB_DATA, or a pytest skip saying how to provide it."
    root = os.environ.get("BATTERY_SSB_DATA")
    p = Path(root) / rel if root else None
    if p is None or not p.is_dir():
        pytest.skip(f"real data not available: set BATTERY_SSB_DATA to a folder containing {rel}/ "
                    "(CI sets it to ../shared/data)")
    return p


@pytest.fixture(scope="session")
def matr_dir():
    return shared_data("matr-severson")


@pytest.fixture(scope="session")
def cs2_35():
    return shared_data("calce-cs2/CS2_35")


@pytest.fixture(scope="session", autouse=True)
def _temporary_folder_of_the_session(tmp_path_factory):
    """Whatever the tests, the notebooks they execute and the processes they start (main.py, kernels, workers) put
    in the temporary folder goes into one folder, removed at the end: a test run leaves nothing behind."""
    import shutil, tempfile
    tmp_path_factory.getbasetemp()                       # pytest's own tmp_path folders stay where pytest keeps them
    d = tempfile.mkdtemp(prefix="battery_ssb-tests-")
    saved = os.environ.get("TMPDIR"), tempfile.tempdir
    os.environ["TMPDIR"], tempfile.tempdir = d, d
    yield d
    tempfile.tempdir = saved[1]
    if saved[0] is None: os.environ.pop("TMPDIR", None)
    else: os.environ["TMPDIR"] = saved[0]
    shutil.rmtree(d, ignore_errors=True)
