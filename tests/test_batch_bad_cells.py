"""A raw batch of 25 cells with 2 broken ones loads and featurizes to the end, both reported with their reason, and a
rerun gives bit-identical descriptors (the synthetic raw fixture of notebook 01b: needs no data)."""
import hashlib
import numpy as np
import pandas as pd
import pytest
from battery_ssb.data import DataError
from battery_ssb.rawdata import write_raw_fixture, load_raw_dataset
from battery_ssb.features import featurize

WINDOW = 5


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = write_raw_fixture(tmp_path_factory.mktemp("b") / "batch", {"train": 17, "test1": 8}, n_cycles=8, seed=4, dt_s=600.0)
    head = (root / "train-05.csv").read_text().split("\n", 1)[0]
    (root / "train-05.csv").write_text(head + "\n")                     # broken 1: header only
    d = pd.read_csv(root / "test1-03.csv")
    d.loc[200:260, "Voltage(V)"] = np.nan                               # broken 2: a run of missing voltages
    d.to_csv(root / "test1-03.csv", index=False)
    return root


def _run(root):
    co = load_raw_dataset(root, progress=False, workers=1)
    return co, featurize(co, WINDOW)


def test_batch_with_two_broken_cells_goes_to_the_end(batch):
    co, F = _run(batch)
    assert len(co) == 23 and len(F.X) == 23
    assert not {"train-05", "test1-03"} & set(F.X.index)
    ex = co.report.excluded().set_index("cell").reason
    assert "header only" in ex["train-05"]
    assert "'Voltage(V)' is empty at row 202" in ex["test1-03"]     # file line of the first missing value
    with pytest.raises(DataError, match="cell train-05 .* failed"):     # strict: stops at the first, in cell order
        load_raw_dataset(batch, progress=False, workers=1, strict=True)


def test_rerun_is_bit_identical(batch):
    _, F1 = _run(batch)
    _, F2 = _run(batch)
    pd.testing.assert_frame_equal(F1.X, F2.X, check_exact=True)
    h = lambda X: hashlib.sha256(np.ascontiguousarray(X.to_numpy(float)).tobytes() + "|".join(X.columns).encode()).hexdigest()
    assert h(F1.X) == h(F2.X)
