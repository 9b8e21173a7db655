"""The loaders of notebook 00c on the real shared datasets: one small check per dataset (seconds each).

Each test skips, saying how to provide the data, where $BATTERY_SSB_DATA does not hold the dataset."""
import numpy as np
import pytest
from conftest import shared_data
from battery_ssb.data import load_dataset
from battery_ssb.features import featurize


def _load(name, folder):
    return load_dataset(name, shared_data(folder), **({} if name in ("fast-formation", "isu-ilcc") else {"progress": False}))


def test_hust_labels_split_and_layout():
    co = _load("hust", "hust")
    c = co.cells
    assert len(c) == 77 and (c.split == "train").sum() == 55            # BatteryML's split
    assert c.censored.sum() == 4 and set(c.index[c.censored]) == {"3-4", "4-1", "5-2", "10-3"}
    assert c.cycle_life["1-1"] == 1487 and c.cycle_life_first5["1-1"] == 1344
    first = co.cycles.query("cycle == 1").set_index("cell")
    # the PINN4SOH columns mean what we say: CC charge = 1C (1.1 A) x time in the window, CV charge = mean current x time
    assert np.allclose(first.ccw_charge_Ah, 1.1 * first.ccw_time_s / 3600, rtol=0.02)
    assert np.allclose(first.cvw_charge_Ah, first.cvw_current_mean_A * first.cvw_time_s / 3600, rtol=0.05)


def test_tju_glitches_excluded_and_censoring_reported():
    co = _load("tju", "tju")
    assert co.cells.subset.value_counts().to_dict() == {"NCA": 66, "NCM": 55, "NCM+NCA": 9}
    assert co.cells.censored.sum() == 56
    ex = co.report.excluded()
    assert len(ex) == 4 and (ex.reason.str.contains("recording glitch")).all()
    assert co.cells.cycle_life["NCA/CY45-05_1-#19"] == 576        # not the single-cycle dip at 176
    rep = co.report.to_frame()
    assert rep.reason.str.contains("censored").sum() == 56


def test_xjtu_declared_end_of_life():
    c = _load("xjtu", "xjtu").cells
    assert len(c) == 55 and c.cycle_life_80.notna().sum() == 1 and c.censored.sum() == 2
    assert (c.eol_definition == "capacity < 90% of the mean of the first 5 cycles").all()


def test_tbsi_sunwoda():
    co = _load("tbsi-sunwoda", "tbsi-sunwoda")
    assert len(co) == 32 and co.cells.censored.sum() == 0
    assert sorted(co.cells.temperature_C.unique()) == [25, 35, 45, 55]
    assert featurize(co, 100).X.shape == (32, 13)


def test_fast_formation_windows_do_not_leak():
    co = _load("fast-formation", "fast-formation")
    assert len(co) == 39 and co.cells.cycle_life.between(300, 480).all()
    X0, X3 = featurize(co, 0).X, featurize(co, 3).X
    assert not any(c.startswith(("dcr_", "esoh_", "eol_")) for c in X0.columns)
    assert "dcr_dch_10s_5soc_ohm" in X3 and "esoh_n_li_mol" in X3
    notes = co.report.to_frame().reason
    assert notes.str.contains("computed by the authors from aging cycles 4-8").any()   # initial_capacity etc. not read


def test_isu_ilcc_authors_split():
    co = _load("isu-ilcc", "isu-ilcc")
    assert co.cells.split.value_counts().to_dict() == {"train": 116, "test_in": 60, "test_out": 49}
    X0, X3 = featurize(co, 0).X, featurize(co, 3).X
    assert X0.shape == (225, 12) and X3.shape == (225, 35)
    assert np.isclose(co.cells.cycle_life["G1C1"], 48.42)
