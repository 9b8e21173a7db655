"""The real CALCE cell CS2_35 (25 Arbin MITS Pro Excel runs) read and stitched by `read_cell` (skipped without the data).

The expected numbers are computed here independently of the readers: the sheets are read with python-calamine's own
API (not pandas, not battery_ssb), the run order from the file names with a separate regex."""
import hashlib, re
from pathlib import Path
import numpy as np
import pytest
from battery_ssb.data import RunReport
from battery_ssb.readers import read_cell

SHEET = "Channel_1-008"
DUP, ORIG = "CS2_35_2_10_11.xlsx", "CS2_35_2_4_11.xlsx"


@pytest.fixture(scope="module")
def calce(cs2_35):
    return cs2_35


@pytest.fixture(scope="module")
def sheets(calce):
    "Each file's sample sheet as (header, rows), read with python-calamine directly."
    from python_calamine import CalamineWorkbook
    out = {}
    for f in sorted(calce.glob("*.xlsx")):
        rows = CalamineWorkbook.from_path(str(f)).get_sheet_by_name(SHEET).to_python()
        out[f.name] = (rows[0], rows[1:])
    return out


@pytest.fixture(scope="module")
def cell(calce):
    rep = RunReport()
    return read_cell(calce, report=rep), rep


def _date_key(name):
    m, d, y = map(int, re.fullmatch(r"CS2_35_(\d+)_(\d+)_(\d+)\.xlsx", name).groups())
    return (2000 + y, m, d)


def test_runs_in_file_name_date_order(cell, calce):
    raw, _ = cell
    names = [r["file"] for r in raw.meta["runs"]]
    assert len(names) == 25
    assert names == sorted((f.name for f in calce.glob("*.xlsx")), key=_date_key)
    assert names[0] == "CS2_35_8_17_10.xlsx" and names[-2:] == [ORIG, DUP]


def test_duplicate_run_is_excluded_visibly(cell, sheets, calce):
    raw, rep = cell
    # independent check that it is a duplicate: different bytes, identical samples
    sha = lambda n: hashlib.sha256((calce / n).read_bytes()).hexdigest()
    assert sha(DUP) != sha(ORIG)
    assert sheets[DUP][1] == sheets[ORIG][1]
    status = {r["file"]: r["status"] for r in raw.meta["runs"]}
    assert status[DUP] == f"duplicate of {ORIG}"
    assert all(s == "used" for f, s in status.items() if f != DUP)
    ex = rep.excluded()
    assert len(ex) == 1 and ex.file.iloc[0].endswith(DUP) and "same" in ex.reason.iloc[0]
    assert raw.meta["n_runs"] == 24 and not any(s.endswith(DUP) for s in raw.meta["source_files"])


def test_sample_counts_per_run(cell, sheets):
    raw, rep = cell
    excluded_files = {Path(f).name for f in rep.excluded().file}
    for r in raw.meta["runs"]:
        n_sheet = len(sheets[r["file"]][1])
        assert r["rows_read"] == n_sheet, r["file"]
        # the only recorded exclusion is the whole duplicate run; every other run keeps every row
        assert r["rows_kept"] == (0 if r["file"] in excluded_files else n_sheet), r["file"]
    assert sum(r["rows_kept"] for r in raw.meta["runs"]) == len(raw.data)
    assert len(raw.data) == sum(len(s[1]) for n, s in sheets.items() if n != DUP) == 260931


def test_time_continuous_across_runs(cell):
    raw, _ = cell
    t = raw.data.test_time_s.to_numpy()
    assert (np.diff(t) >= 0).all()
    used = [r for r in raw.meta["runs"] if r["status"] == "used"]
    # each run starts after the previous run's end by its wall-clock gap (Date_Time), never before
    assert all(r["gap_s"] >= 0 for r in used)
    # total span ~ wall clock from the first run's start to the last run's end (2010-08-16 .. 2011-02-03). Not exact:
    # inside each run Test_Time runs ~1e-4 slower than the Date_Time clock (~60 s per 7-day run, 18 min in all)
    from datetime import datetime
    span = (datetime(2011, 2, 3, 18, 10, 51) - datetime(2010, 8, 16, 13, 44, 47)).total_seconds()
    assert 0 < span - t[-1] < 2e-4 * span


def test_cycle_count(cell, sheets, calce):
    """Cycles: each run's Cycle_Index runs 1..max with no gap; stitched, the cycles are numbered 1..sum of the maxima.
    Cross-checked against the per-cycle Statistics sheets, where the export has one."""
    raw, _ = cell
    maxima = {}
    for name, (head, rows) in sheets.items():
        if name == DUP: continue
        ci = np.array([r[head.index("Cycle_Index")] for r in rows], dtype=int)
        assert set(ci) == set(range(1, ci.max() + 1)), name
        maxima[name] = ci.max()
    expected = sum(maxima.values())
    assert expected == 886
    assert raw.n_cycles == expected
    assert raw.data.cycle_index.min() == 1 and raw.data.cycle_index.max() == expected
    assert (np.diff(raw.data.cycle_index.to_numpy()) >= 0).all()
    from python_calamine import CalamineWorkbook
    checked = 0
    for name, n in maxima.items():
        wb = CalamineWorkbook.from_path(str(calce / name))
        if "Statistics_1-008" in wb.sheet_names:
            # one statistics row per cycle the run finished: a run stopped mid-cycle has no row for its last cycle
            assert len(wb.get_sheet_by_name("Statistics_1-008").to_python()) - 1 in (n - 1, n), name
            checked += 1
    assert checked == 14
    # cycles flagged partial (kept, noted) are each the last cycle of a run
    last = np.cumsum([maxima[n] for n in sorted(maxima, key=_date_key)])
    assert set(raw.meta["partial_cycles"]) <= set(last)


def test_current_sign_charge_positive(cell):
    raw, _ = cell
    d = raw.data
    same = np.r_[False, d.cycle_index.to_numpy()[1:] == d.cycle_index.to_numpy()[:-1]]
    qc_up = same & (np.r_[0, np.diff(d.charge_capacity_Ah)] > 1e-6)
    qd_up = same & (np.r_[0, np.diff(d.discharge_capacity_Ah)] > 1e-6)
    assert qc_up.sum() > 50000 and qd_up.sum() > 50000
    assert (d.current_A[qc_up] > 0).mean() > 0.999
    assert (d.current_A[qd_up] < 0).mean() > 0.999
    # per-cycle counters (the export's run-cumulative ones are converted): 1.1 Ah cell
    qd = d.groupby("cycle_index").discharge_capacity_Ah.max()
    assert 1.05 < qd.iloc[0] < 1.2 and qd.max() < 1.2


def test_cache_round_trip(calce, cell, tmp_path):
    raw, rep = cell
    r1 = RunReport(); a = read_cell(calce, report=r1, cache_dir=tmp_path)
    r2 = RunReport(); b = read_cell(calce, report=r2, cache_dir=tmp_path)
    assert "cache_file" in b.meta and "cache_file" not in a.meta
    assert a.data.equals(b.data) and a.data.equals(raw.data)
    assert r1.to_frame().equals(r2.to_frame()) and len(r2) == len(rep)
