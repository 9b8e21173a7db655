"""Every real cycler export in $BATTERY_SSB_DATA/cycler-samples/ is read by `read_cell` with per-cycle capacities within
1 % of an independent coulomb count, or refused with one line naming the file and the reason.

The coulomb counts are computed here, independently of battery_ssb's readers: each file is opened with plain pandas, csv,
or the vendor's own parser package (galvani, NewareNDA, access-parser), through the table SPECS below, written by hand
from looking at each file (its time column and unit, its current and sign convention, its own cycle column). Charge is
current x time per interval; at a change of step (or of current direction) the interval before the first sample of
the new step is counted at the previous current (the new step starts at that sample).
A file added to the folder without a line in SPECS fails the test: say what it is and what should happen to it."""
import csv, re, time
from pathlib import Path
import numpy as np
import pandas as pd
import pytest
from battery_ssb.data import DataError, RunReport
from battery_ssb.readers import read_cell

REL_TOL = 0.01     # per-cycle capacity within 1 % of the coulomb count ...
SMALL = 0.01       # ... for cycles that carry >= 1 % of the file's largest cycle; smaller ones within 1e-4 x that largest


# ---------------------------------------------------------------- independent raw readers (no battery_ssb code)
def _hms(s):
    "Seconds from 'hh:mm:ss[.f]' (hours may pass 24) or Maccor's 'Nd hh:mm:ss[.f]'."
    m = s.astype(str).str.extract(r"^\s*(?:(\d+)d\s*)?(\d+):(\d+):([\d.]+)\s*$").astype(float).fillna(0)
    return (m[0] * 86400 + m[1] * 3600 + m[2] * 60 + m[3]).to_numpy()

def _csv(path, **kw):
    return pd.read_csv(path, encoding="latin-1", low_memory=False, **kw)

def _after(path, marker):
    "Line index after the first line that starts with `marker`."
    with open(path, encoding="latin-1") as f:
        for i, line in enumerate(f):
            if line.strip().strip('"').startswith(marker): return i
    raise AssertionError(f"{path}: no line starting {marker!r}")

def _novonix(path):
    lines = Path(path).read_text(encoding="latin-1").splitlines()
    i = lines.index("[Data]") + 1
    import io
    return pd.read_csv(io.StringIO("\n".join(l.strip().strip('"') for l in lines[i:])))

def _neware_nested(path):
    "Records of the nested layout, each with the cycle of the cycle row above it."
    rows = list(csv.reader(open(path, encoding="utf-8", errors="replace", newline="")))
    head = rows[2][2:]; recs, cyc = [], []
    c = None
    for r in rows[3:]:
        if r and r[0] != "": c = int(r[0])
        elif len(r) > 2 and r[0] == "" and r[1] == "": recs.append(r[2:2 + len(head)]); cyc.append(c)
    df = pd.DataFrame(recs, columns=head); df["cycle"] = cyc
    return df

def _galvani(path):
    from galvani import BioLogic
    return pd.DataFrame(BioLogic.MPRfile(str(path)).data)

def _nda(path):
    import NewareNDA
    return NewareNDA.read(str(path))

def _res(path):
    from access_parser import AccessParser
    return pd.DataFrame(AccessParser(str(path)).parse_table("Channel_Normal_Table")).sort_values("Data_Point")

def _excel(path, sheet):
    return pd.read_excel(path, sheet_name=sheet, engine="calamine")


# ------------------------------------------------- what each file is: (raw reader, time, current, sign, cycle, step)
# time: (column, seconds per unit) | (column, "hms") | (column, "datetime"); current: (column, amps per unit);
# sign: None (signed, charge positive), -1 (signed, discharge positive), or (state column, {code: sign});
# cycle/step: the file's own columns (cycle None: the file has none; the whole file is compared in total)
def P(read, t, I, sign=None, cyc=None, step=None, drop=None, needs=None, st=None, q_res=0.0):
    return dict(kind="parse", read=read, t=t, I=I, sign=sign, cyc=cyc, step=step, drop=drop, needs=needs, step_time=st,
                q_res=q_res)
def R(reason, needs=None): return dict(kind="refuse", reason=reason, needs=needs)
SIDE = dict(kind="side")     # read with its run, not a cell of its own
MACCOR_STATE = ("State", {"C": 1, "D": -1})

SPECS = {
    "battdat/arbin/arbin_example.csv": P(lambda p: _csv(p), ("Test_Time", 1), ("Current", 1), None, "Cycle_Index", "Step_Index", st="Step_Time"),
    "battdat/battery_archive/CALCE_CX2-33_prism_LCO_25C_0-100_0.5-0.5C_d_cycle_data.csv": SIDE,
    "battdat/battery_archive/CALCE_CX2-33_prism_LCO_25C_0-100_0.5-0.5C_d_timeseries.csv":
        P(lambda p: _csv(p), ("Test_Time (s)", 1), ("Current (A)", 1), None, "Cycle_Index"),
    "battdat/batterydata/p492-13-raw.csv": P(lambda p: _csv(p), ("Time_s", 1), ("Current_A", 1), None, "Cycle_Index", "Step"),
    "battdat/maccor/maccor_example.001": R("current is 0 in all"),
    "battdat/maccor/maccor_example.002": R("current is 0 in all"),
    "batteryabn/biologic/GMJuly2022_CELL089_EIS_2_P25C_5P0PSI_20230118_R0_CH005_02_BCD_CA5.mpr":
        P(_galvani, ("time/s", 1), ("I/mA", 1e-3), None, lambda d: d["half cycle"] // 2, needs="galvani", st="step time/s"),
    "batteryabn/biologic/GMJuly2022_CELL089_EIS_2_P25C_5P0PSI_20230118_R1_CH005_01_MB_CA5.mpr":
        R("current is 0 in all", needs="galvani"),
    "batteryabn/neware/GMJuly2022_CELL002_RPT_1_P0C_5P0PSI_20221011_R0_CH041.csv": R("current is 0 in all"),
    "batteryabn/neware/GMJuly2022_CELL002_RPT_1_P0C_5P0PSI_20221011_R1_CH041.csv": R("current is 0 in all"),
    "batteryabn/neware/GMJuly2022_CELL002_RPT_3_P0C_5P0PSI_20230110_R0_CH041_20230110143333_37_2_1_2818580185.xlsx":
        P(lambda p: _excel(p, "record"), ("Total Time", "hms"), ("Current(A)", 1), None, "Cycle Index", "Step Index", st="Time"),
    "batteryabn/neware/GMJuly2022_CELL002_Test3_1_P0C_5P0PSI_20221115_R0_CH041_20221115074501_37_2_1_2818580175_1.xlsx":
        P(lambda p: _excel(p, "record"), ("Total Time", "hms"), ("Current(A)", 1), None, "Cycle Index", "Step Index", st="Time"),
    "bdf/biologic/GCPL-0.mpr": R("current is 0 in all", needs="galvani"),
    "bdf/biologic/MB-0.mpr": R("no current column", needs="galvani"),
    # MB-1: no current column; the instrument's charge per sample (dq) over the interval is the current
    "bdf/biologic/MB-1.mpr": P(_galvani, ("time/s", 1), ("dq/mA.h", "dq"), None, None, "Ns", needs="galvani"),
    "bdf/landt/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv":
        P(lambda p: _csv(p, skiprows=6, index_col=False), ("test_time_s", 1), ("current_A", 1), None, "cycle_index", "step_index", st="step_time_s",
          q_res=0.5e-4),   # capacity printed to 0.1 mAh
    "bdf/neware/filetype14-0.ndax": R("current is 0 in all", needs="NewareNDA"),
    "beep/arbin/2017-05-09_test-TC-contact_CH33.csv": P(lambda p: _csv(p), ("Test_Time", 1), ("Current", 1), None, None),
    "beep/arbin/2017-05-09_test-TC-contact_CH33_Metadata.csv": SIDE,
    "beep/arbin/FastCharge_000025_CH8.csv": R("current is 0 in all"),
    "beep/arbin/FastCharge_000025_CH8_Metadata.csv": SIDE,
    "beep/biologic/test_loopsnewoutput_MB_CE1_short10k.csv":
        P(lambda p: _csv(p, sep=";"), ("time/s", "datetime"), ("I/mA", 1e-3), None, "cycle number", "Ns"),
    "beep/indigo/indigo_test_sample.h5": R("HDF5"),
    "beep/maccor/PreDiag_000229_000229_truncated.034":
        P(lambda p: _csv(p, sep="\t", skiprows=1), ("Test (Sec)", 1), ("Amps", 1), MACCOR_STATE, "Cyc#", "Step", st="Step (Sec)"),
    # a thinned copy: Rec# runs 1..868279 but 10344 rows remain (often one per step): what passed between them is unknown
    "beep/maccor/PreDiag_000412_00008Fshort.022": R("records missing"),
    "beep/maccor/PredictionDiagnostics_000109_tztest.010":
        P(lambda p: _csv(p, sep="\t", skiprows=1), ("Test (Sec)", 1), ("Amps", 1), MACCOR_STATE, "Cyc#", "Step", st="Step (Sec)"),
    "beep/maccor/PredictionDiagnostics_000151_paused.052":
        P(lambda p: _csv(p, sep="\t", skiprows=1), ("Test (Sec)", 1), ("Amps", 1), MACCOR_STATE, "Cyc#", "Step", st="Step (Sec)"),
    "beep/maccor/PredictionDiagnostics_000151_test.052":
        P(lambda p: _csv(p, sep="\t", skiprows=1), ("Test (Sec)", 1), ("Amps", 1), MACCOR_STATE, "Cyc#", "Step", st="Step (Sec)"),
    "beep/maccor/maccor_test_file_4267-66-6519.041": R("impedance (EIS)"),
    "beep/maccor/maccor_test_file_4267-66-6519.EDA0001.041": R("impedance (EIS)"),
    "beep/maccor/xTESLADIAG_000019_CH70.070":
        P(lambda p: _csv(p, sep="\t", skiprows=1), ("Test (Sec)", 1), ("Amps", 1), MACCOR_STATE, "Cyc#", "Step", st="Step (Sec)"),
    "beep/maccor/xTESLADIAG_000038.078":
        P(lambda p: _csv(p, sep="\t", skiprows=1), ("Test (Sec)", 1), ("Amps", 1), MACCOR_STATE, "Cyc#", "Step", st="Step (Sec)"),
    "beep/maccor/xTESLADIAG_000038con.078":
        P(lambda p: _csv(p, sep="\t", skiprows=1), ("Test (Sec)", 1), ("Amps", 1), MACCOR_STATE, "Cyc#", "Step", st="Step (Sec)"),
    "beep/maccor/xTESLADIAG_000038test.078":
        P(lambda p: _csv(p, sep="\t", skiprows=1), ("Test (Sec)", 1), ("Amps", 1), MACCOR_STATE, "Cyc#", "Step", st="Step (Sec)"),
    "beep/novonix/test_Nova_Form-CH01-01_short.csv":
        P(_novonix, ("Run Time (h)", 3600), ("Current (A)", 1), None, "Cycle Number", "Step Number", st="Step Time (h)"),
    "cellpy/arbin/20160805_test001_45_cc_01.res":
        P(_res, ("Test_Time", 1), ("Current", 1), None, "Cycle_Index", "Step_Index", needs="access_parser", st="Step_Time"),
    "cellpy/arbin/aux_one_x_dx.res":
        P(_res, ("Test_Time", 1), ("Current", 1), None, "Cycle_Index", "Step_Index", needs="access_parser", st="Step_Time"),
    # BattMo's BDF file writes discharge positive: its 'Step Type' says 'discharge' where the current is positive
    "cellpy/bdf/batmo_bdf.csv": P(lambda p: _csv(p), ("Test Time / h", 3600), ("Current / A", 1), -1, "Cycle Count / 1", "Step Index / 1"),
    # biol.mpr: impedance rows (freq > 0) carry an AC current that charges nothing: left out of the count
    "cellpy/biologic/biol.mpr": P(_galvani, ("time/s", 1), ("I/mA", 1e-3), None, lambda d: d["half cycle"] // 2, "Ns",
                                  drop=lambda d: d["freq/Hz"] > 0, needs="galvani"),
    "cellpy/custom/custom_data_001.csv": R("not a known export"),
    "cellpy/maccor/maccor_001.txt":
        P(lambda p: _csv(p, sep="\t", skiprows=3, index_col=False), ("TestTime", "hms"), ("Amps", 1), MACCOR_STATE, "Cyc#", "Step", st="StepTime"),
    # maccor_002: 'TestTime' without a unit; the DPT Time wall clock advances 60 s per unit: minutes
    "cellpy/maccor/maccor_002.txt":
        P(lambda p: _csv(p, sep="\t", skiprows=13, index_col=False), ("TestTime", 60), ("Current [A]", 1),
          ("Md", {"C": 1, "D": -1}), "Cycle C", "Step", st="StepTime"),
    "cellpy/maccor/maccor_three.txt": R("not a cell voltage"),     # 'Volts' reads 1853-4200: mV under a volt header
    "cellpy/maccor/maccor_two.txt": R("current is 0 in all"),
    "cellpy/neware/20260302_IFE_BTS85_2_9_8_1.ndax": P(_nda, ("Time", "per_step"), ("Current(mA)", 1e-3), None, "Cycle", "Step",
                                                       needs="NewareNDA", st="Time"),
    "cellpy/neware/neware_uio.csv": P(lambda p: _csv(p), ("Cumulative Time", "hms"), ("Current(A)", 1), None, "Cycle Index", "Step Index", st="Time"),
    "cellpy/neware/nw_regular_export_ife_example.csv": P(_neware_nested, ("Total Time", "hms"), ("Current(A)", 1), None, "cycle"),
    "cellpy/pec/pec.csv": P(lambda p: _csv(p, skiprows=_after(p, "Test,Cell,"), index_col=False), ("Total Time (Seconds)", 1),
                            ("Current (mA)", 1e-3), None, "Cycle", "Step", st="Step Time (Seconds)"),
    "pyprobe/arbin/sample_data_arbin.csv": P(lambda p: _csv(p, encoding_errors="ignore"), ("Test Time (s)", 1), ("Current (A)", 1),
                                             None, "Cycle Index", "Step Index", st="Step Time (s)"),
    "pyprobe/basytec/sample_data_basytec.txt": P(lambda p: _csv(p, sep="\t", skiprows=12), ("~Time[s]", 1), ("I[A]", 1), None,
                                                 "Cyc-Count", "Line", st="t-Step[s]"),
    "pyprobe/biologic/Sample_data_biologic_CA1.txt":
        P(lambda p: _csv(p, sep="\t", skiprows=102), ("time/s", 1), ("I/mA", 1e-3), None, "cycle number", "Ns"),
    "pyprobe/biologic/Sample_data_biologic_no_header.mpt": R("current is 0 in all"),
    "pyprobe/biologic/Sample_data_biologic_timestamped.txt":
        P(lambda p: _csv(p, sep="\t", skiprows=97), ("time/s", "datetime"), ("I/mA", 1e-3), None, "cycle number", "Ns"),
    "pyprobe/maccor/sample_data_maccor.csv": P(lambda p: _csv(p, skiprows=2), ("Test Time (sec)", 1), ("Current", 1), None,
                                               "Cycle C", "Step", st="Step Time (sec)",
                                               q_res=0.5e-3),   # capacity printed to 1 mAh
    "pyprobe/neware/Experiment_Record.xlsx": R("no samples"),
    "pyprobe/novonix/sample_data_novonix.csv": P(_novonix, ("Run Time (h)", 3600), ("Current (A)", 1), None, "Cycle Number",
                                                 "Step Number", st="Step Time (h)"),
}
# multi-file cells: a folder read as one cell
CELLS = {
    "cells/battdat_CALCE_CX2-33": ("battdat/battery_archive/CALCE_CX2-33_prism_LCO_25C_0-100_0.5-0.5C_d_timeseries.csv",),
    "cells/batteryabn_CELL002_RPT_1_vdf": R("current is 0 in all"),
    "cells/beep_CH33_with_metadata": ("beep/arbin/2017-05-09_test-TC-contact_CH33.csv",),
}


def _seconds(df, col, how):
    "A step-time column in seconds, in the unit of the test time (`how` as for the test time)."
    unit = how[1]
    if unit == "hms": return _hms(df[col])
    return pd.to_numeric(df[col]).to_numpy(float) * (unit if isinstance(unit, (int, float)) else 1)

def coulomb_count(df:pd.DataFrame, spec:dict) -> pd.DataFrame:
    "Charge and discharge (Ah) per cycle of the file's own cycle column (one row 'all' without one), from current x time."
    if spec["drop"] is not None: df = df[~spec["drop"](df).to_numpy()].reset_index(drop=True)
    tcol, tu = spec["t"]
    if tu == "hms": t = _hms(df[tcol])
    elif tu == "datetime":
        d = pd.to_datetime(df[tcol], format="mixed"); t = (d - d.iloc[0]).dt.total_seconds().to_numpy()
    elif tu == "per_step":        # NewareNDA: Time restarts at each step
        t0 = df[tcol].to_numpy(float); new = np.r_[False, df[spec["step"]].to_numpy()[1:] != df[spec["step"]].to_numpy()[:-1]]
        t = t0 + np.cumsum(np.where(new, np.r_[0, t0[:-1]], 0))
    else: t = pd.to_numeric(df[tcol]).to_numpy(float) * tu
    dt = np.diff(t, prepend=t[0])
    icol, iu = spec["I"]
    if iu == "dq":   # charge per sample, mA.h: the mean current of each interval
        I = np.where(dt > 0, pd.to_numeric(df[icol]).to_numpy(float) * 3.6 / np.where(dt > 0, dt, 1), 0.0)
    else: I = pd.to_numeric(df[icol]).to_numpy(float) * iu
    sign = spec["sign"]
    if isinstance(sign, tuple):
        s = df[sign[0]].astype(str).str.strip().map(sign[1]).fillna(0).to_numpy(); I = np.abs(I) * s
    elif sign == -1: I = -I
    step = df[spec["step"]].to_numpy() if spec["step"] else np.sign(np.round(I, 12))
    new_step = np.r_[False, step[1:] != step[:-1]]
    prev = np.r_[I[:1], I[:-1]]
    q = (I + prev) / 2 * dt                             # trapezoid within a step
    # before a step's first sample: the new current ran for its step time (half the interval without one), the previous
    # current for the rest, which belongs to the previous sample's step and cycle
    s = np.clip(_seconds(df, spec["step_time"], spec["t"]), 0, dt) if spec["step_time"] else dt / 2
    q = np.where(new_step, I * s, q)
    q_prev_step = np.where(new_step, prev * (dt - s), 0.0)
    q = q + np.r_[q_prev_step[1:], 0.0]
    # what sampled data cannot tell: where in an interval the current jumped (+- half the interval at the jump), and
    # the current's printed resolution (+- half a digit over the time it flows)
    jump = np.abs(I - prev) > 0.2 * np.maximum(np.abs(I), np.abs(prev))
    raw_I = pd.to_numeric(df[icol]).to_numpy(float)
    k = next((k for k in range(10) if np.all(np.abs(raw_I * 10**k - np.round(raw_I * 10**k)) < 1e-6)), 10)
    res = 10.0**-k * (abs(iu) if iu != "dq" else 0)     # printed to k decimals, in A
    u = np.where(jump, np.abs(I - prev) * dt / 2, 0.0) + np.where(I != 0, res / 2 * dt, 0.0)
    if iu == "dq": q, u = I * dt, np.zeros(len(I))      # the instrument's own charge per sample
    q, u = q / 3600, u / 3600
    cyc = df[spec["cyc"]].to_numpy() if isinstance(spec["cyc"], str) else np.zeros(len(df))
    if callable(spec["cyc"]): cyc = spec["cyc"](df)
    out = pd.DataFrame({"cyc": cyc, "chg": np.clip(q, 0, None), "dis": np.clip(-q, 0, None), "u": u}
                       ).groupby("cyc", sort=False).sum()
    return out


def _data_root():
    import os
    root = os.environ.get("BATTERY_SSB_DATA")
    p = Path(root) / "cycler-samples" if root else None
    if p is None or not p.is_dir():
        pytest.skip("real data not available: set BATTERY_SSB_DATA to a folder containing cycler-samples/ "
                    "(CI sets it to ../shared/data)")
    return p


def _needs(spec):
    import importlib
    if spec.get("needs"):
        try: importlib.import_module(spec["needs"])
        except ImportError:
            pytest.skip(f"optional parser {spec['needs']} not installed (pip install -e '.[dev,biologic-gpl]'); CI installs it")


def test_every_file_has_a_spec():
    root = _data_root()
    on_disk = {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and p.name != "MANIFEST.csv"}
    outside = {f for f in on_disk if not f.startswith("cells/")}
    assert outside == set(SPECS), (f"files without a spec: {sorted(outside - set(SPECS))}; "
                                   f"specs without a file: {sorted(set(SPECS) - outside)}")
    folders = {str(Path(f).parent) for f in on_disk if f.startswith("cells/")}
    assert folders == set(CELLS)


def _compare(raw, counts, name, spec_q_res=0.0) -> float:
    "Max relative deviation of the reader's per-cycle capacities from the coulomb count (asserting the tolerance)."
    g = raw.data.groupby("cycle_index")
    got = pd.DataFrame({"chg": g.charge_capacity_Ah.max(), "dis": g.discharge_capacity_Ah.max()})
    if len(counts) == 1 and len(got) > 1: got = got.sum().to_frame().T    # no cycle column in the file: totals
    # a cycle that passed no charge may be absent when every one of its rows was excluded as a fault (an impossible
    # voltage at rest, say): the reader's report names those rows (test_sample_file checks it)
    empty = (counts[["chg", "dis"]] == 0).all(axis=1) & ~counts.index.isin(got.index)
    if len(got) < len(counts) and empty.any(): counts = counts[~empty]
    got.index = counts.index if len(got) == len(counts) else got.index
    assert len(got) == len(counts), f"{name}: {len(got)} cycles read, the file's cycle column has {len(counts)}"
    worst = 0.0
    a_all, b_all = got[["chg", "dis"]].to_numpy(), counts[["chg", "dis"]].to_numpy()
    big = max(a_all.max(), b_all.max())
    if big <= 0: return 0.0
    u = counts["u"].to_numpy() + spec_q_res
    for k, col in enumerate(("chg", "dis")):
        a, b = a_all[:, k], b_all[:, k]
        sig = np.maximum(a, b) >= SMALL * big
        dev = np.abs(a - b) / np.maximum(np.maximum(a, b), 1e-300)
        ok = np.abs(a - b) <= REL_TOL * np.maximum(a, b) + u
        bad = sig & ~ok
        assert not bad.any(), (f"{name} {col}: cycles {np.flatnonzero(bad) + 1} off by {dev[bad].max():.3%} (reader "
                               f"{a[bad][:3]}, coulomb count {b[bad][:3]} +- {u[bad][:3]})")
        assert (np.abs(a - b)[~sig] <= 1e-4 * big + u[~sig]).all(), f"{name} {col}: small cycles off"
        if sig.any(): worst = max(worst, float(dev[sig].max()))
    return worst


@pytest.mark.parametrize("name", sorted(SPECS))
def test_sample_file(name, record_property):
    root = _data_root(); spec = SPECS[name]; path = root / name
    _needs(spec)
    t0 = time.perf_counter()
    if spec["kind"] == "side":       # consumed with its run: reading it alone points to the run
        with pytest.raises(DataError) as e: read_cell(path)
        assert str(path) in str(e.value) and ("read with its run" in str(e.value) or "timeseries" in str(e.value))
        return
    if spec["kind"] == "refuse":
        with pytest.raises(DataError) as e: read_cell(path)
        msg = str(e.value)
        assert "\n" not in msg.strip() and str(path) in msg and spec["reason"] in msg, msg
        record_property("outcome", f"refused: {msg[len(str(path)) + 2:]}")
        return
    rep = RunReport()
    raw = read_cell(path, report=rep)
    counts = coulomb_count(spec["read"](path), spec)
    if 1 < raw.n_cycles < len(counts):   # cycles the reader left out entirely: only rows it excluded, with the reason
        assert (rep.to_frame().level == "excluded").any(), f"{name}: {len(counts) - raw.n_cycles} cycle(s) absent without a report line"
    worst = _compare(raw, counts, name, spec["q_res"])
    record_property("outcome", f"parsed: {raw.n_cycles} cycles, max deviation {worst:.4%}, {time.perf_counter() - t0:.2f} s")


@pytest.mark.parametrize("name", sorted(CELLS))
def test_sample_cell_folder(name):
    root = _data_root(); what = CELLS[name]; path = root / name
    if isinstance(what, dict):
        with pytest.raises(DataError) as e: read_cell(path)
        assert what["reason"] in str(e.value)
        return
    raw = read_cell(path, report=RunReport())
    spec = SPECS[what[0]]
    _compare(raw, coulomb_count(spec["read"](root / what[0]), spec), name)
    assert len(raw.meta["source_files"]) == 1        # the side file (metadata, cycle table) is not a run


def test_arbin_metadata_is_read_with_its_run():
    root = _data_root()
    raw = read_cell(root / "cells/beep_CH33_with_metadata")
    meta = pd.read_csv(root / "cells/beep_CH33_with_metadata/2017-05-09_test-TC-contact_CH33_Metadata.csv")
    run = raw.meta["runs"][0]
    assert run["metadata_file"] == "2017-05-09_test-TC-contact_CH33_Metadata.csv"
    assert run["Test_ID"] == str(meta.Test_ID.iloc[0]) and run["Channel"] == str(meta.IV_Ch_ID.iloc[0])
    # the run's start is the metadata's First_Start_DateTime (Unix seconds): the samples' own DateTime agrees
    assert abs(pd.Timestamp(run["start"]) - pd.to_datetime(meta.First_Start_DateTime.iloc[0], unit="s")) < pd.Timedelta("1s")


def test_maccor_step_counter_is_summed_per_cycle():
    """xTESLADIAG_000019: Amp-hr restarts at every step (C, D, R) and cycle 1 holds many charge/discharge loops. Taken as
    a per-cycle counter it gave the last step's value; summed over the steps it matches the charge passed."""
    root = _data_root(); name = "beep/maccor/xTESLADIAG_000019_CH70.070"
    df = _csv(root / name, sep="\t", skiprows=1)
    q, st, step = df["Amp-hr"].to_numpy(), df.State.str.strip().to_numpy(), df.Step.to_numpy()
    last = np.r_[step[1:] != step[:-1], True]
    # independent: the sum of each charge step's final Amp-hr in Cyc# 1
    expect = q[last & (st == "C") & (df["Cyc#"].to_numpy() == 1)].sum()
    raw = read_cell(root / name)
    got = raw.data[raw.data.cycle_index == 2].charge_capacity_Ah.max()    # Cyc# 1 is cycle 2 (the export counts from 0)
    assert abs(got - expect) < 1e-6 * expect and expect > 20 * q[st == "C"].max()
    assert "restarts at every step" in raw.meta["notes"]["charge_capacity_Ah"]


def test_galvani_not_implemented_is_named(tmp_path, monkeypatch):
    "galvani's NotImplementedError (an .mpr column it does not know) becomes one DataError naming the file and the cause."
    import sys, types
    fake = types.ModuleType("galvani.BioLogic")
    def MPRfile(path): raise NotImplementedError("Column ID 215 after column (Q-Qo)/mA.h is unknown")
    fake.MPRfile = MPRfile
    monkeypatch.setitem(sys.modules, "galvani", types.ModuleType("galvani"))
    monkeypatch.setitem(sys.modules, "galvani.BioLogic", fake)
    f = tmp_path / "x.mpr"; f.write_bytes(b"BIO-LOGIC MODULAR FILE\x1a" + bytes(40))
    with pytest.raises(DataError) as e: read_cell(f)
    msg = str(e.value)
    assert str(f) in msg and "galvani cannot read" in msg and "Column ID 215" in msg and ".mpt" in msg


def test_missing_optional_parser_names_the_extra(tmp_path, monkeypatch):
    "An Arbin .res without access-parser installed: the error names the optional extra to install."
    import sys
    monkeypatch.setitem(sys.modules, "access_parser", None)      # import fails as if not installed
    f = tmp_path / "run.res"; f.write_bytes(b"\x00\x01\x00\x00Standard Jet DB" + bytes(100))
    with pytest.raises(DataError) as e: read_cell(f)
    assert "battery_ssb[arbin-res]" in str(e.value) and "access-parser" in str(e.value)
