"""The real CALCE cell CS2_35 end to end: read, stitch, segment, summarise, featurise (skipped without the data).

Expected values are computed here from the raw samples, independently of the pipeline's own bookkeeping."""
import subprocess, sys
from pathlib import Path
import numpy as np
import pandas as pd
import pytest
from conftest import REPO

CLI = [str(Path(sys.executable).parent / "battery-ssb")]   # the console command, as users run it


@pytest.fixture(scope="module")
def summary(cs2_35, tmp_path_factory):
    out = tmp_path_factory.mktemp("calce") / "cs2_35.csv"
    r = subprocess.run([*CLI, "summarize", str(cs2_35), "--out", str(out)],
                       cwd=REPO, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    return pd.read_csv(out), out


def test_summarize_cli_on_cs2_35(summary):
    tab, out = summary
    assert {"cycle", "charge_capacity_Ah", "discharge_capacity_Ah", "coulombic_efficiency"} <= set(tab.columns)
    # cycles are 1-based and continuous across the 24 stitched runs (886 in all, see tests/test_readers_real.py)
    assert tab.cycle.tolist() == list(range(1, len(tab) + 1)) and len(tab) == 886
    report = pd.read_csv(out.with_name(out.stem + ".report.csv"))
    assert report[report.stage == "stitch"].reason.str.contains("exactly the same").any()   # the re-exported run, recorded


def test_discharge_capacity_is_the_coulomb_count_of_the_samples(cs2_35, summary):
    from battery_ssb.readers import read_cell
    raw = read_cell(cs2_35).data
    t, i = raw.test_time_s.to_numpy(), raw.current_A.to_numpy()
    c, st = raw.cycle_index.to_numpy(), raw.step_index.to_numpy()
    dt = np.diff(t)
    # within a step: trapezoids; the interval that starts a new step is charged at the new step's current (the
    # cycler switched right after the previous sample, as its own counters assume); gaps over an hour: not counted
    new_step = (st[1:] != st[:-1]) | (c[1:] != c[:-1])
    dq = np.where(dt < 3600, -np.where(new_step, i[1:], (i[1:] + i[:-1]) / 2) * dt / 3600, 0.0)   # discharge > 0
    counted = pd.Series(np.clip(dq, 0, None)).groupby(c[1:]).sum()
    tab = summary[0].set_index("cycle")
    full = tab.index[tab.discharge_capacity_Ah > 0.05]
    rel = np.abs(tab.loc[full, "discharge_capacity_Ah"] - counted.reindex(full)) / counted.reindex(full)
    assert rel.max() < 0.01, rel.sort_values().tail()
    # and the capacity fades, as a 1.1 Ah LCO cell cycled to the end should
    assert tab.discharge_capacity_Ah.iloc[:10].median() > 1.0 > 0.5 > tab.discharge_capacity_Ah.iloc[-20:].median()


def test_featurize_cs2_35(cs2_35, tmp_path):
    out = tmp_path / "f.csv"
    r = subprocess.run([*CLI, "featurize", str(cs2_35), "--window", "100",
                        "--nominal-capacity", "1.1", "--out", str(out)], cwd=REPO, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    f = pd.read_csv(out)
    assert f.cell.tolist() == ["CS2_35"] and f.shape[1] - 1 >= 100
    skipped = pd.read_csv(out.with_name("f.skipped.csv"))
    assert skipped.reason.notna().all() and len(skipped) > 0          # e.g. GITT: no pulses in this protocol
    assert abs(f.protocol_discharge_c_rate.iloc[0] - 1.0) < 0.05      # CS2 cells: 1C discharge (1.1 A on 1.1 Ah)


def test_numpy_savgol_is_scipys_on_cs2_35(cs2_35, monkeypatch):
    "The numpy Savitzky-Golay behind dQ/dV and dV/dQ equals scipy.signal.savgol_filter on the real curves (1e-12 of the peak)."
    from scipy.signal import savgol_filter as scipy_savgol
    from battery_ssb.cycling import savgol_filter, savgol_points, dqdv
    from battery_ssb.timeseries import cohort_from_paths, dvdq_qv
    qv = cohort_from_paths([cs2_35], max_cycle=100, workers=1).qv
    q = np.where(np.isnan(qv.q).any(-1, keepdims=True), 0.0, qv.q); dv = qv.voltage[1] - qv.voltage[0]
    assert q.shape[1] >= 90 and np.isfinite(qv.q).all(-1).sum() >= 90          # real discharge curves, not NaN rows
    for w in (savgol_points(qv.voltage, 0.04), 5, 101):
        for po, de in ((3, 1), (2, 0), (3, 2)):
            ref = scipy_savgol(q, w, po, deriv=de, delta=dv, axis=-1)
            assert np.abs(savgol_filter(q, w, po, deriv=de, delta=dv) - ref).max() <= 1e-12 * np.abs(ref).max(), (w, po, de)
    gap = np.isnan(qv.q).any(-1, keepdims=True)
    ref = np.where(gap, np.nan, np.abs(scipy_savgol(q, savgol_points(qv.voltage, 0.04), 3, deriv=1, delta=dv, axis=-1)))
    np.testing.assert_allclose(dqdv(qv), ref, rtol=0, atol=1e-12 * np.nanmax(ref))
    qg, d = dvdq_qv(qv)                                                        # dV/dQ on each curve's charge grid
    monkeypatch.setattr("battery_ssb.cycling.savgol_filter",                   # the same, through scipy's filter
                        lambda x, w, po, deriv=0, delta=1.0: scipy_savgol(x, w, po, deriv=deriv, delta=delta, axis=-1))
    qg_ref, d_ref = dvdq_qv(qv)
    assert np.isfinite(d).sum() > 0.9 * d.size and np.array_equal(qg, qg_ref)
    np.testing.assert_allclose(d, d_ref, rtol=0, atol=1e-12 * np.nanmax(d_ref))
