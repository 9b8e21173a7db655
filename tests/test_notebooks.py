"""Every notebook executed as a test, serially, with nbdev's `test_nb` (as `nbdev-test` would, one at a time).

With $BATTERY_SSB_DATA set, the notebooks' real-data sections run on the real MATR cells; without it they say so
and the study sections run on the synthetic MATR-layout fixture."""
import pytest
from nbdev import test as nbdev_test   # module import: pytest must not collect nbdev's test_nb itself
from conftest import REPO

NOTEBOOKS = sorted((REPO / "nbs").glob("*.ipynb"))


def test_notebooks_found():
    names = {p.stem for p in NOTEBOOKS}
    assert {"index", "00_data", "01_cycling", "02_features", "03_labels", "04_model", "05_evaluation"} <= names


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook(nb, monkeypatch):
    monkeypatch.chdir(nb.parent)
    ok, secs = nbdev_test.test_nb(nb, skip_flags=["notest"], showerr=True)
    assert ok, f"{nb.name} failed (see the traceback above)"
