"""The real MATR cells: the data path reproduces Severson et al.'s published baselines (skipped without the data)."""
from pathlib import Path
import numpy as np
import pytest
from sklearn.linear_model import LinearRegression
from battery_ssb.data import load_matr
from battery_ssb.features import featurize
from battery_ssb.labels import make_labels
from battery_ssb.model import fit_model
from battery_ssb.evaluation import regression_metrics, MATR_OUTLIER


@pytest.fixture(scope="module")
def matr(matr_dir):
    return load_matr(matr_dir, progress=False)


def test_layout_read_in_full(matr):
    counts = matr.cells.split.value_counts().to_dict()
    assert counts == {"train": 41, "test1": 43}
    assert matr.qv.q.shape == (84, 99, 1000)
    assert (matr.cells.barcode.str.startswith("EL")).all()          # every cell joined to its SI row
    assert matr.cells.charge_c_rate.notna().all()                   # every policy read as C1(Q1%)-C2
    assert matr.cells.loc["train/cell1", "protocol"] == "3.6C(80%)-3.6C" and matr.cells.loc["train/cell1", "charge_c_rate"] == 3.6
    assert matr.cells.charge_c_rate.between(3.6, 6.0).all() and matr.cells.charge_switch_soc.between(0.02, 0.8).all()
    assert matr.cells.cycle_life.min() == 148 and matr.cells.cycle_life.idxmin() == MATR_OUTLIER
    ex = matr.report.excluded()                                     # recording glitches, each with its reason
    assert len(ex) >= 1 and ex.reason.str.contains("outside the plausible").all()
    assert not matr.report.to_frame().reason.str.contains("look swapped").any()   # no real cell looks like a swap


def test_swap_of_cycles_10_and_100_detected_in_most_real_cells(matr_dir):
    """Swapping the columns of cycles 10 and 100 of each of the 84 real cells: 75 are errors, 4 notes (docs in 00_data)."""
    from battery_ssb.data import _curve_distances, _swapped_pair
    scores = []
    for f in sorted(Path(matr_dir).glob("*/cell*.csv")):
        q = np.loadtxt(f, delimiter=",")[:, np.r_[0:8, 98, 9:98, 8]]
        q = q[:, ~((q < -0.055) | (q > 1.32)).any(0)]
        scores.append(_swapped_pair(_curve_distances(q)))
    r = np.array([s[0] for s in scores])
    assert (r >= 4).sum() == 75 and ((r >= 3) & (r < 4)).sum() == 4, np.sort(r)[:12]


def test_variance_model_reproduces_severson_table1(matr):
    """log10 life linear in log10 var ΔQ100-10: RMSE 103 (train) / 138 (test1), Severson et al. 2019 Table 1."""
    X = featurize(matr, 100).X[["dq_100_10_var_log10"]]
    y = matr.cells.cycle_life
    tr = matr.cells.split == "train"
    fm = fit_model("severson_variance", "cycle_life", 100, X[tr], y[tr], (100, 10))
    for split, published in [("train", 103), ("test1", 138)]:
        m = regression_metrics(y[matr.cells.split == split], fm.predict(X[matr.cells.split == split]))
        assert abs(m["rmse"] - published) <= 3, (split, m)
    # the same with a plain least-squares fit, independent of our estimator classes
    lr = LinearRegression().fit(X[tr], np.log10(y[tr]))
    te = matr.cells.split == "test1"
    assert abs(np.sqrt(np.mean((10 ** lr.predict(X[te]) - y[te]) ** 2)) - 138) <= 3


def test_variance_classifier_reproduces_severson_table2_test(matr):
    """Logistic regression on log10 var ΔQ5-4: 78.6 % on the 42 primary-test cells (Table 2; outlier excluded)."""
    X = featurize(matr, 5).X[["dq_5_4_var_log10"]]
    y, _ = make_labels(matr.cells)
    tr = matr.cells.split == "train"
    fm = fit_model("severson_variance", "binary_550", 5, X[tr], y.binary_550[tr], (5, 4))
    te = (matr.cells.split == "test1") & (matr.cells.index != MATR_OUTLIER)
    acc = np.mean(fm.predict(X[te]) == y.binary_550[te])
    assert te.sum() == 42 and abs(acc - 0.786) <= 0.03, acc


def test_window_sees_no_later_cycle(matr):
    f5 = featurize(matr, 5).X
    late = matr.qv.cycles > 5
    saved = matr.qv.q[:, late].copy()
    try:
        matr.qv.q[:, late] = np.random.default_rng(1).uniform(0, 1.1, saved.shape)
        assert featurize(matr, 5).X.equals(f5)
    finally:
        matr.qv.q[:, late] = saved


def test_published_facts_of_the_cells(matr):
    """What the study notebooks used to assert on the real cells: capacities near 1.07 Ah, the main LFP discharge
    peak near 3.22 V, log var ΔQ100-10 strongly anti-correlated with log life (Severson et al.), terciles even."""
    from battery_ssb.cycling import dqdv, dqdv_peaks, discharge_capacity
    assert abs(matr.qv.q[:, 0, -1].mean() - 1.06) <= 0.03 and matr.cells.cycle_life.between(100, 2500).all()
    pk = dqdv_peaks(dqdv(matr.qv), matr.qv.voltage, v_range=(2.9, 3.4))
    assert abs(np.nanmedian(pk["position_V"]) - 3.22) <= 0.05
    assert abs(np.nanmedian(discharge_capacity(matr.qv)[:, 0]) - 1.07) <= 0.03
    x = featurize(matr, 100).X["dq_100_10_var_log10"]
    assert np.corrcoef(x, np.log10(matr.cells.cycle_life))[0, 1] < -0.85
    y, _ = make_labels(matr.cells)
    tiers = y.tiers[matr.cells.split == "train"].value_counts()
    assert tiers.max() - tiers.min() <= 1
