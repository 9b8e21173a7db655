"""Shared pytest fixtures: the repository root and the real MATR data (skipped, with the reason, when absent)."""
import os
from pathlib import Path
import pytest

REPO = Path(__file__).resolve().parent.parent


def matr_path():
    "The MATR folder under $BATTERY_SSB_DATA, or None."
    root = os.environ.get("BATTERY_SSB_DATA")
    p = Path(root) / "matr-severson" if root else None
    return p if p is not None and p.is_dir() else None


@pytest.fixture(scope="session")
def matr_dir():
    p = matr_path()
    if p is None:
        pytest.skip("real MATR data not available: set BATTERY_SSB_DATA to a folder containing matr-severson/ "
                    "(CI sets it to ../shared/data)")
    return p
