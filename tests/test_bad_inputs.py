"""A corpus of bad inputs made from real files, each through every entry point that reads it, with its expected outcome.

The generator below mutates slices of real shared files (CALCE CS2_35 written as an Arbin CSV, Maccor and Neware
exports from cycler-samples/, the MATR folder) and a raw batch in the documented layout, one fault at a time, into
tmp_path. Each kind says what must happen: a clear error (a `DataError` naming the file and the fragments listed: column,
row, what was expected; in a batch: the cell excluded with that reason in the report), acceptance with a named report
line, or acceptance with the same data as the clean file. Anything else is recorded as what it is, "silently wrong"
(no error, no line) or "traceback/unclear" (another exception, or a DataError without the file or the fragments), and
fails. The table of kinds x entry points x outcomes is written to tests/output/bad_inputs.csv (not committed) and printed
with -s. Skipped without $BATTERY_SSB_DATA."""
import re, shutil, warnings
from pathlib import Path
import numpy as np
import pandas as pd
import pytest
from conftest import REPO, shared_data
from battery_ssb.data import DataError, RunReport, load_matr
from battery_ssb.readers import read_cell

OUT = REPO / "tests" / "output" / "bad_inputs.csv"
WINDOW = 3              # descriptors of the first 3 cycles: the slices hold 5
ROWS: list = []         # (kind, entry, expected, outcome, detail): the table


# ---------------------------------------------------------------- the clean bases (small slices of real files)
@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return make_base(tmp_path_factory.mktemp("bases"))


def make_base(root: Path) -> dict:
    "The clean bases, written into `root` (also used by bench/bench_bad_inputs.py)."
    cs2 = shared_data("calce-cs2/CS2_35"); samples = shared_data("cycler-samples")
    xl = cs2 / "CS2_35_11_01_10.xlsx"                           # a short run: 10 cycles of 1C
    sheet = next(s for s in pd.ExcelFile(xl, engine="calamine").sheet_names if s.startswith("Channel"))
    a = pd.read_excel(xl, sheet_name=sheet, engine="calamine")
    a = a[a.Cycle_Index < a.Cycle_Index.min() + 5].reset_index(drop=True)   # its first 5 cycles: ~1600 samples
    a["Date_Time"] = pd.to_datetime(a.Date_Time).dt.strftime("%Y-%m-%d %H:%M:%S")
    b = dict(arbin=a, dir=root, maccor=samples / "beep/maccor/xTESLADIAG_000038con.078",
             neware=samples / "cellpy/neware/nw_regular_export_ife_example.csv", matr=_matr_small(root))
    clean = root / "clean.csv"; a.to_csv(clean, index=False)
    good = root / "good" / "CS2_35_slice.csv"; good.parent.mkdir(); a.to_csv(good, index=False)
    b.update(clean=clean, good=good, cache=root / "cache")
    b["memo"] = {}
    return b


def _clean(b, key):
    "(samples read, descriptors) of the clean base `key` ('clean': the Arbin slice, 'neware': the Neware sample)."
    if key not in b["memo"]:
        p = b[key]; cid = p.stem
        X = _featurize([b["good"], p], b["dir"] / f"clean-{key}", b["cache"])[0].set_index("cell").loc[cid]
        b["memo"][key] = (read_cell(p).data, X)
    return b["memo"][key]


def _matr_small(root) -> Path | None:
    "3 train and 2 test1 cells of the real MATR folder, with their lives (no SI table: noted)."
    try: src = shared_data("matr-severson")
    except pytest.skip.Exception: return None
    d = root / "matr"
    for s, n in (("train", 3), ("test1", 2)):
        (d / s).mkdir(parents=True)
        for i in range(1, n + 1): shutil.copy(src / s / f"cell{i}.csv", d / s / f"cell{i}.csv")
        (d / "cycle_lives").mkdir(exist_ok=True)
        lives = (src / "cycle_lives" / f"{s}_cycle_lives.csv").read_text().split()[:n]
        (d / "cycle_lives" / f"{s}_cycle_lives.csv").write_text("\n".join(lives) + "\n")
    return d


def _featurize(paths, out_dir, cache):
    "featurize_cells as the CLI runs it (one worker): (table, report)."
    from battery_ssb.cli import featurize_cells
    out_dir.mkdir(parents=True, exist_ok=True); out = out_dir / "X.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tab = featurize_cells([str(p) for p in paths], WINDOW, out, cache_dir=cache, workers=1)
    rep = out.with_name("X.report.csv")
    return tab, (pd.read_csv(rep) if rep.exists() else pd.DataFrame(columns=RunReport.columns))


# ---------------------------------------------------------------- mutations
def _arbin(b, d, df=None, name="bad.csv", text=None, raw=None):
    p = d / name
    if raw is not None: p.write_bytes(raw)
    elif text is not None: p.write_text(text)
    else: (b["arbin"] if df is None else df).to_csv(p, index=False)
    return p

def _set(b, col, i, v):
    df = b["arbin"].copy(); df[col] = df[col].astype(object); df.loc[i, col] = v; return df

def _flowing(b, k=0):
    "Index of the k-th sample with current flowing (mid-file)."
    I = b["arbin"]["Current(A)"].to_numpy(); return int(np.flatnonzero(np.abs(I) > 0.1)[len(I) // 4 + k])

def _rest(b):
    I = b["arbin"]["Current(A)"].to_numpy(); return np.flatnonzero(I == 0)[5:8]

def _text(b): return b["clean"].read_text()

def _cut(b, frac):
    t = _text(b).encode(); return t[:int(len(t) * frac)]

def _dup_times(b, frac, seed=0):
    "Rows repeated with the same time but other voltage and current (not exact copies)."
    a = b["arbin"]; rng = np.random.default_rng(seed)
    idx = np.sort(rng.choice(np.arange(10, len(a) - 10), int(frac * len(a)), replace=False))
    extra = a.loc[idx].copy(); extra["Voltage(V)"] += 0.05; extra["Current(A)"] *= 1.1
    return pd.concat([a, extra]).sort_index(kind="stable").reset_index(drop=True)

def _two_runs(b, d, second):
    "A folder with the slice as run 1 and `second(df)` as run 2, a week later."
    f = d / "cellX"; f.mkdir(); a = b["arbin"]
    a.to_csv(f / "cellX_8_18_10.csv", index=False)
    r2 = second(a.copy()); r2["Date_Time"] = (pd.to_datetime(r2.Date_Time) + pd.Timedelta(days=7)).dt.strftime("%Y-%m-%d %H:%M:%S")
    r2.to_csv(f / "cellX_8_25_10.csv", index=False)
    return f

def _channels(b, d):
    f = d / "cellY"; f.mkdir(); a = b["arbin"].drop(columns="Date_Time")
    for i, ch in ((1, 8), (2, 9)):
        a.to_csv(f / f"run{i}.csv", index=False)
        pd.DataFrame({"Test_ID": [i], "IV_Ch_ID": [ch], "First_Start_DateTime": [1.28e9 + i * 1e6]}).to_csv(f / f"run{i}_Metadata.csv")
    return f

def _overlap(b, d):
    f = d / "cellZ"; f.mkdir(); a = b["arbin"]
    a.to_csv(f / "cellZ_8_18_10.csv", index=False)
    r2 = a.copy(); r2["Voltage(V)"] += 0.01
    r2["Date_Time"] = (pd.to_datetime(r2.Date_Time) + pd.Timedelta(hours=1)).dt.strftime("%Y-%m-%d %H:%M:%S")
    r2.to_csv(f / "cellZ_8_19_10.csv", index=False)
    return f

def _twice(b, d):
    f = d / "cellW"; f.mkdir(); b["arbin"].to_csv(f / "a.csv", index=False); b["arbin"].to_csv(f / "b.csv", index=False)
    return f

def _maccor(b, d, fn):
    lines = b["maccor"].read_text(encoding="latin-1").splitlines(keepends=True)
    p = d / "bad.078"; p.write_text(fn(lines), encoding="latin-1"); return p

def _maccor_col(lines, col, f):
    "Apply `f` to column `col` of every data line of a Maccor text export."
    h = next(i for i, l in enumerate(lines) if l.startswith(("Rec#", "Rec\t")))
    names = lines[h].rstrip("\r\n").split("\t"); j = names.index(col)
    out = lines[:h + 1]
    for l in lines[h + 1:]:
        x = l.rstrip("\r\n").split("\t")
        if len(x) > j and x[j].strip(): x[j] = f(x[j])
        out.append("\t".join(x) + "\n")
    return "".join(out)

def _neware(b, d, raw):
    p = d / "bad.csv"; p.write_bytes(raw(b["neware"].read_bytes())); return p

def _neware_record(x: bytes, k: int, field: int, value: str) -> bytes:
    "The k-th record line (nested layout: two empty fields first) with `field` set to `value`."
    lines = x.split(b"\n"); rec = [i for i, l in enumerate(lines) if l.startswith(b",,") and i > 2]
    f = lines[rec[k]].split(b","); f[field] = value.encode(); lines[rec[k]] = b",".join(f)
    return b"\n".join(lines)

def _matr(b, d, fn):
    if b["matr"] is None: pytest.skip("the MATR folder (matr-severson/) is not in BATTERY_SSB_DATA")
    m = d / "matr"; shutil.copytree(b["matr"], m); fn(m); return m

def _mcell(m, split, i, f):
    p = m / split / f"cell{i}.csv"; q = np.loadtxt(p, delimiter=","); q = f(q)
    if isinstance(q, str): p.write_text(q)
    else: np.savetxt(p, q, delimiter=",", fmt="%.8g")

def _raw(b, d, fn):
    from battery_ssb.rawdata import write_raw_fixture
    r = write_raw_fixture(d / "batch", {"train": 3, "test1": 2}, n_cycles=4, seed=7, dt_s=600.0)
    fn(r); return r

def _cells(r, **col):
    t = pd.read_csv(r / "cells.csv")
    for k, (i, v) in col.items(): t[k] = t[k].astype(object); t.loc[i, k] = v
    t.to_csv(r / "cells.csv", index=False)


# kind: (what it is made from, how, expectation); expectation: ("error"|"stop", fragments) | ("note", regex) | ("same", base)
# file kinds run through read_cell and featurize_cells; 'matr' kinds through load_matr; 'raw' kinds through load_raw_dataset
E = lambda *f: ("error", f)     # read_cell: a DataError; a batch: that cell excluded with the reason, the rest goes on
S = lambda *f: ("stop", f)      # a batch stops with a DataError (labels or layout, checked before any cell is read)
N = lambda rx: ("note", rx)
SAME, SAME_NEWARE = ("same", "clean"), ("same", "neware")
KINDS = {
    "voltage_inf": ("file", lambda b, d: _arbin(b, d, _set(b, "Voltage(V)", _flowing(b), "inf")), E("'Voltage(V)'", "row", "finite")),
    "voltage_nan_mid_file": ("file", lambda b, d: _arbin(b, d, _set(b, "Voltage(V)", _flowing(b), np.nan)), E("'Voltage(V)'", "empty at row")),
    "voltage_1e30_flowing": ("file", lambda b, d: _arbin(b, d, _set(b, "Voltage(V)", _flowing(b), 1e30)), E("'Voltage(V)'", "row", "-1..10 V")),
    "voltage_in_mV_as_V": ("file", lambda b, d: _arbin(b, d, b["arbin"].assign(**{"Voltage(V)": 1000 * b["arbin"]["Voltage(V)"]})), E("'Voltage(V)'", "not a cell voltage", "mV")),
    "voltage_negative_rest_rows": ("file", lambda b, d: _arbin(b, d, _set(b, "Voltage(V)", _rest(b), -3.8)), N(r"at rest read a voltage outside")),
    "voltage_text": ("file", lambda b, d: _arbin(b, d, _set(b, "Voltage(V)", _flowing(b), "abc")), E("'Voltage(V)'", "row", "'abc'", "expected a number")),
    "voltage_all_empty": ("file", lambda b, d: _arbin(b, d, b["arbin"].assign(**{"Voltage(V)": np.nan})), E("'Voltage(V)'", "empty")),
    "current_inf": ("file", lambda b, d: _arbin(b, d, _set(b, "Current(A)", _flowing(b), "-inf")), E("'Current(A)'", "row", "finite")),
    "current_1e30_spike": ("file", lambda b, d: _arbin(b, d, _set(b, "Current(A)", _flowing(b), 1e30)), E("'Current(A)'", "row", "typical magnitude")),
    "current_mA_as_A": ("file", lambda b, d: _arbin(b, d, b["arbin"].assign(**{"Current(A)": 1000 * b["arbin"]["Current(A)"]})), E("'Charge_Capacity(Ah)'", "0.000999 x the integral of column 'Current(A)'", "expected about 1")),
    "current_sign_inverted": ("file", lambda b, d: _arbin(b, d, b["arbin"].assign(**{"Current(A)": -b["arbin"]["Current(A)"]})), E("'Current(A)'", "sign is inverted")),
    "current_zero_everywhere": ("file", lambda b, d: _arbin(b, d, b["arbin"].assign(**{"Current(A)": 0.0})), E("'Current(A)' reads 0 in all", "expected current flowing")),
    "capacity_mAh_as_Ah": ("file", lambda b, d: _arbin(b, d, b["arbin"].assign(**{"Charge_Capacity(Ah)": 1000 * b["arbin"]["Charge_Capacity(Ah)"]})), E("'Charge_Capacity(Ah)'", "999 x the integral of column 'Current(A)'", "expected about 1")),
    "capacity_1e30_spike": ("file", lambda b, d: _arbin(b, d, _set(b, "Discharge_Capacity(Ah)", _flowing(b, 3), 1e30)), E("'Discharge_Capacity(Ah)'", "row", "typical magnitude")),
    "time_inf": ("file", lambda b, d: _arbin(b, d, _set(b, "Test_Time(s)", 40, "inf")), E("'Test_Time(s)'", "row", "finite")),
    "time_1e30_last_row": ("file", lambda b, d: _arbin(b, d, _set(b, "Test_Time(s)", len(b["arbin"]) - 1, 1e30)), E("'Test_Time(s)'", "row", "test time")),
    "time_backwards": ("file", lambda b, d: _arbin(b, d, _set(b, "Test_Time(s)", 300, float(b["arbin"]["Test_Time(s)"][100]))), E("'Test_Time(s)'", "goes backwards at row")),
    "rows_shuffled_block": ("file", lambda b, d: _arbin(b, d, pd.concat([b["arbin"].iloc[:200], b["arbin"].iloc[200:260].sample(frac=1, random_state=1), b["arbin"].iloc[260:]])), E("goes backwards at row")),
    "timestamps_repeated_10pct": ("file", lambda b, d: _arbin(b, d, _dup_times(b, 0.10)), E("'Test_Time(s)'", "repeat the timestamp", "rows")),
    "timestamps_repeated_2_rows": ("file", lambda b, d: _arbin(b, d, _dup_times(b, 0.001)), N(r"repeat the timestamp of the row before")),
    "rows_written_twice_exactly": ("file", lambda b, d: _arbin(b, d, pd.concat([b["arbin"], b["arbin"].iloc[500:520]]).sort_index(kind="stable")), N(r"exact duplicate row")),
    "truncated_at_60pct": ("file", lambda b, d: _arbin(b, d, raw=_cut(b, 0.6)), N(r"truncated")),
    "truncated_in_last_field": ("file", lambda b, d: _arbin(b, d, raw=_text(b).rstrip("\n")[:-2].encode()), N(r"cut mid-number|truncated")),
    "header_only": ("file", lambda b, d: _arbin(b, d, text=_text(b).split("\n", 1)[0] + "\n"), E("header only")),
    "empty_file": ("file", lambda b, d: _arbin(b, d, raw=b""), E("empty")),
    "binary_garbage_csv": ("file", lambda b, d: _arbin(b, d, raw=np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8).tobytes()), E("not a known export")),
    "csv_named_xlsx": ("file", lambda b, d: _arbin(b, d, name="bad.xlsx", raw=_text(b).encode()), E("not a readable Excel file")),
    "missing_current_column": ("file", lambda b, d: _arbin(b, d, b["arbin"].drop(columns="Current(A)")), E("missing current column", "Current")),
    "missing_voltage_column": ("file", lambda b, d: _arbin(b, d, b["arbin"].drop(columns="Voltage(V)")), E("missing voltage column", "Voltage")),
    "missing_time_column": ("file", lambda b, d: _arbin(b, d, b["arbin"].drop(columns="Test_Time(s)")), E("missing time column", "Test_Time")),
    "utf8_bom": ("file", lambda b, d: _arbin(b, d, raw=b"\xef\xbb\xbf" + _text(b).encode()), SAME),
    "latin1_header": ("file", lambda b, d: _arbin(b, d, raw=b["arbin"].assign(**{"Remark(°)": "é"}).to_csv(index=False).encode("latin-1")), SAME),
    "crlf_line_ends": ("file", lambda b, d: _arbin(b, d, raw=_text(b).replace("\n", "\r\n").encode()), SAME),
    "cycle_index_falls": ("file", lambda b, d: _arbin(b, d, _set(b, "Cycle_Index", range(900, 910), 1)), E("'Cycle_Index'", "falls from", "row")),
    "cycle_index_fraction": ("file", lambda b, d: _arbin(b, d, _set(b, "Cycle_Index", 50, 1.5)), E("'Cycle_Index'", "row", "expected an integer")),
    "thinned_copy": ("file", lambda b, d: _arbin(b, d, b["arbin"].iloc[::3]), E("'Data_Point'", "records missing")),
    "temperature_sensor_garbage": ("file", lambda b, d: _arbin(b, d, b["arbin"].assign(**{"Aux_Temperature_1(C)": np.where(np.arange(len(b["arbin"])) % 50 == 0, 1e30, 25.0)})), N(r"outside -80\.\.300")),
    "two_cells_one_folder": ("file", lambda b, d: _two_runs(b, d, lambda r: r.assign(**{c: 0.4 * r[c] for c in ("Current(A)", "Charge_Capacity(Ah)", "Discharge_Capacity(Ah)", "Charge_Energy(Wh)", "Discharge_Energy(Wh)")})), E("cellX", "discharge capacity jumps")),
    "runs_on_two_channels": ("file", lambda b, d: _channels(b, d), E("cellY", "disagree on Channel")),
    "runs_overlapping": ("file", lambda b, d: _overlap(b, d), E("cellZ", "overlap")),
    "run_exported_twice": ("file", lambda b, d: _twice(b, d), N(r"exported twice")),
    "maccor_mV_as_V": ("file", lambda b, d: _maccor(b, d, lambda L: _maccor_col(L, "Volts", lambda x: str(1000 * float(x)))), E("'Volts'", "not a cell voltage")),
    "maccor_unknown_state": ("file", lambda b, d: _maccor(b, d, lambda L: _maccor_col(L, "State", lambda x: "X" if x == "C" else x)), E("'State'", "row", "expected one of")),
    "maccor_truncated_60pct": ("file", lambda b, d: _maccor(b, d, lambda L: "".join(L)[:int(0.6 * len("".join(L)))]), N(r"truncated|ends with current flowing")),
    "neware_inf_voltage": ("file", lambda b, d: _neware(b, d, lambda x: _neware_record(x, 400, 6, "inf")), E("'Voltage(V)'", "row", "finite")),
    "neware_utf8_bom": ("file", lambda b, d: _neware(b, d, lambda x: b"\xef\xbb\xbf" + x), SAME_NEWARE),
    "matr_cell_nan_run": ("matr", lambda b, d: _matr(b, d, lambda m: _mcell(m, "train", 2, lambda q: np.where(np.arange(q.shape[0])[:, None] < 40, np.nan, q))), E("train/cell2.csv", "NaN values")),
    "matr_cell_in_mAh": ("matr", lambda b, d: _matr(b, d, lambda m: _mcell(m, "test1", 1, lambda q: 1000 * q)), E("test1/cell1.csv", "look like mAh")),
    "matr_cell_text": ("matr", lambda b, d: _matr(b, d, lambda m: (m / "train/cell1.csv").write_text((m / "train/cell1.csv").read_text().replace(",", ",x", 1))), E("train/cell1.csv", "non-numeric value")),
    "matr_life_negative": ("matr", lambda b, d: _matr(b, d, lambda m: (m / "cycle_lives/train_cycle_lives.csv").write_text("-5\n700\n800\n")), S("train_cycle_lives.csv", "row 1", "positive")),
    "matr_life_row_missing": ("matr", lambda b, d: _matr(b, d, lambda m: (m / "cycle_lives/test1_cycle_lives.csv").write_text("700\n")), S("test1_cycle_lives.csv", "missing cycle-life row 2")),
    "matr_twin_files": ("matr", lambda b, d: _matr(b, d, lambda m: shutil.copy(m / "train/cell1.csv", m / "train/cell3.csv")), E("byte-identical", "one label is wrong")),
    "matr_twin_reformatted": ("matr", lambda b, d: _matr(b, d, lambda m: np.savetxt(m / "train/cell3.csv", np.loadtxt(m / "train/cell1.csv", delimiter=","), delimiter=",", fmt="%.17g")), E("identical Q(V) arrays", "one label is wrong")),
    "matr_cycles_shuffled": ("matr", lambda b, d: _matr(b, d, lambda m: _mcell(m, "train", 2, lambda q: q[:, np.random.default_rng(0).permutation(q.shape[1])])), E("train/cell2.csv", "columns not in cycle order")),
    "matr_cycles_10_100_swapped": ("matr", lambda b, d: _matr(b, d, lambda m: _mcell(m, "train", 2, lambda q: q[:, np.r_[0:8, 98, 9:98, 8]])), E("train/cell2.csv", "cycles 10 and 100 look swapped")),
    "matr_cycles_10_100_swapped_faint": ("matr", lambda b, d: _matr(b, d, lambda m: _mcell(m, "test1", 1, lambda q: q[:, np.r_[0:8, 98, 9:98, 8]])), N(r"cycles 10 and 100 look swapped.*kept")),
    "matr_voltage_rows_shuffled": ("matr", lambda b, d: _matr(b, d, lambda m: _mcell(m, "test1", 1, lambda q: q[np.r_[0, 1 + np.random.default_rng(0).permutation(q.shape[0] - 2), q.shape[0] - 1]])), E("test1/cell1.csv", "Q(V) falls as voltage falls")),
    "raw_split_Train": ("raw", lambda b, d: _raw(b, d, lambda r: _cells(r, split=(0, "Train"))), S("cells.csv", "row 2", "split 'Train'")),
    "raw_life_negative": ("raw", lambda b, d: _raw(b, d, lambda r: _cells(r, cycle_life=(1, -3))), S("cells.csv", "row 3", "positive finite")),
    "raw_life_zero": ("raw", lambda b, d: _raw(b, d, lambda r: _cells(r, cycle_life=(1, 0))), S("cells.csv", "row 3", "positive finite")),
    "raw_life_inf": ("raw", lambda b, d: _raw(b, d, lambda r: _cells(r, cycle_life=(2, "inf"))), S("cells.csv", "row 4", "positive finite")),
    "raw_id_absolute_path": ("raw", lambda b, d: _raw(b, d, lambda r: _cells(r, cell=(0, str(b["clean"])))), S("cells.csv", "row 2", "leaving the dataset folder")),
    "raw_id_dotdot": ("raw", lambda b, d: _raw(b, d, lambda r: _cells(r, cell=(0, "../outside/x"))), S("cells.csv", "row 2", "leaving the dataset folder")),
    "raw_twin_files_other_lives": ("raw", lambda b, d: _raw(b, d, lambda r: shutil.copy(r / "train-01.csv", r / "train-02.csv")), E("byte-identical", "one label is wrong")),
    "raw_broken_cell_header_only": ("raw", lambda b, d: _raw(b, d, lambda r: (r / "test1-01.csv").write_text((r / "test1-01.csv").read_text().split("\n", 1)[0] + "\n")), E("test1-01.csv", "header only")),
    "raw_cell_without_files": ("raw", lambda b, d: _raw(b, d, lambda r: (r / "train-03.csv").unlink()), E("no folder or file for cell 'train-03'")),
    "raw_unlisted_file": ("raw", lambda b, d: _raw(b, d, lambda r: shutil.copy(b["clean"], r / "stray.csv")), N(r"not listed in cells.csv")),
    "raw_no_split_column": ("raw", lambda b, d: _raw(b, d, lambda r: pd.read_csv(r / "cells.csv").drop(columns="split").to_csv(r / "cells.csv", index=False)), S("cells.csv", "['split'] missing")),
}


# ---------------------------------------------------------------- classification
def _named(path: Path, msg: str) -> bool:
    return path.name in msg or str(path) in msg

def _read_outcome(path, expect, base):
    "read_cell: the outcome class and a short detail."
    rep = RunReport()
    try: raw = read_cell(path, report=rep)
    except DataError as e:
        msg = str(e)
        ok = expect[0] in ("error", "stop") and _named(path, msg) and all(f in msg for f in expect[1]) and "\n" not in msg.strip()
        return ("clear error" if ok else "traceback/unclear"), msg[:160]
    except Exception as e: return "traceback/unclear", f"{type(e).__name__}: {e}"[:160]
    return _accepted(expect, rep.to_frame(), lambda: raw.data.equals(_clean(base, expect[1])[0]))

def _accepted(expect, rep: pd.DataFrame, same):
    lines = rep.reason.fillna("").astype(str)
    if expect[0] == "note":
        hit = lines[lines.str.contains(expect[1])]
        return ("accepted-with-note", hit.iloc[0][:160]) if len(hit) else ("silently wrong", "no report line")
    if expect[0] == "same" and same(): return "accepted (as the clean file)", ""
    return "silently wrong", f"accepted; report: {'; '.join(lines.tolist())[:140]}"

def _batch_outcome(expect, run, bad_cell):
    "A batch entry point: the bad cell excluded with the reason, a note, or a clear error for the whole batch."
    try: out, rep = run()
    except DataError as e:
        msg = str(e); ok = expect[0] in ("error", "stop") and all(f in msg for f in expect[1])
        return ("clear error (batch stopped)" if ok else "traceback/unclear"), msg[:160]
    except Exception as e: return "traceback/unclear", f"{type(e).__name__}: {e}"[:160]
    exc = rep[rep.level == "excluded"]
    if expect[0] in ("error", "stop"):
        why = exc.reason.fillna("").astype(str)
        hit = why[why.apply(lambda s: all(f in s for f in expect[1]))]
        gone = bad_cell is None or bad_cell not in out
        if len(hit) and gone: return "clear error (cell excluded)", f"excluded: {hit.iloc[0][:150]}"
        return ("silently wrong" if not len(exc) else "traceback/unclear"), f"kept={not gone}; report: {'; '.join(why)[:120]}"
    return _accepted(expect, rep, lambda: bad_cell in out and out[bad_cell]())


WANT = {"error": "clear error (cell excluded)", "stop": "clear error (batch stopped)", "note": "accepted-with-note",
        "same": "accepted (as the clean file)"}   # expected class of each KINDS entry, by its first field

def entry_outcomes(src, path, expect, base, work) -> tuple[dict, str|None]:
    "Outcome of each entry point a kind applies to (read_cell + featurize_cells, load_matr or load_raw_dataset); the bad cell."
    got = {}
    if src == "file":
        got["read_cell"] = _read_outcome(path, expect, base)
        cid = path.stem if path.is_file() else path.name
        def run():
            tab, rep = _featurize([base["good"], path], Path(work) / "feat", base["cache"])
            X = tab.set_index("cell")
            same = lambda: np.allclose(X.loc[cid].to_numpy(float), _clean(base, expect[1])[1].to_numpy(float), equal_nan=True)
            return ({cid: same} if cid in X.index else {}), rep
        got["featurize_cells"] = _batch_outcome(expect, run, cid)
        return got, cid
    if src == "matr":
        def run():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore"); co = load_matr(path, progress=False)
            return {c: (lambda: False) for c in co.cells.index}, co.report.to_frame()
        bad = next((f"{s}/cell{i}" for s, i in (("train", 2), ("test1", 1), ("train", 1))
                    if expect[0] == "error" and f"{s}/cell{i}.csv" in expect[1][0]), None)
        got["load_matr"] = _batch_outcome(expect, run, bad)
        return got, bad
    from battery_ssb.rawdata import load_raw_dataset
    def run():
        co = load_raw_dataset(path, progress=False, workers=1)
        return {c: (lambda: False) for c in co.cells.index}, co.report.to_frame()
    bad = next((m.group(1) for f in expect[1] if (m := re.search(r"(test1-01|train-03)", f))), None)
    got["load_raw_dataset"] = _batch_outcome(expect, run, bad)
    return got, bad


@pytest.mark.parametrize("kind", list(KINDS))
def test_bad_input(kind, base, tmp_path):
    src, make, expect = KINDS[kind]
    path = make(base, tmp_path)
    want = WANT[expect[0]]
    got, _ = entry_outcomes(src, path, expect, base, tmp_path)
    expected = {e: "clear error" if e == "read_cell" and want.startswith("clear error") else want for e in got}
    for entry, (outcome, detail) in got.items():
        ROWS.append(dict(kind=kind, entry=entry, expected=expected[entry], outcome=outcome, detail=detail))
    wrong = {e: o for e, o in got.items() if o[0] != expected[e]}
    assert not wrong, f"{kind}: expected '{want}', got {wrong}"


def test_write_table():
    "The kinds x entry points x outcomes table (after the corpus ran): tests/output/bad_inputs.csv, printed with -s."
    if not ROWS: pytest.skip("the corpus did not run (no BATTERY_SSB_DATA, or selected alone)")
    t = pd.DataFrame(ROWS); OUT.parent.mkdir(exist_ok=True); t.to_csv(OUT, index=False)
    wide = t.pivot(index="kind", columns="entry", values="outcome").fillna("")
    with pd.option_context("display.width", 250, "display.max_rows", 200, "display.max_colwidth", 40):
        print("\n" + wide.to_string() + "\n\n" + t.outcome.value_counts().to_string())
    assert len(KINDS) >= 40 and t.kind.nunique() == len(KINDS)
