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
