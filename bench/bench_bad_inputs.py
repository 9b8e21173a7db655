"""The bad-input corpus of tests/test_bad_inputs.py (real files mutated one fault at a time) through every entry point
that reads each kind, and the table of kinds x entry points x outcomes, with counts.

Beyond the test (read_cell, featurize_cells, load_matr, load_raw_dataset) it runs `battery-ssb predict` on every file
kind (models trained once on the synthetic raw fixture, window 3) and `python main.py --dataset raw` on every raw kind
(a whole study in a fresh process per kind: a few minutes each on two cores; --no-main skips them). Outcomes, as in
the test: "clear error" (a DataError naming file and fragments; in a batch the cell excluded with the reason, or the
batch stopped with it), "accepted-with-note" (a named report line), "accepted (as the clean file)", "silently wrong"
(no error, no line), "traceback/unclear" (another exception, a message without the fragments, several lines), and for
main.py "abort" (killed by a signal). The in-process entry points share this process: an abort there ends the script.
Usage: python bench/bench_bad_inputs.py [--no-main] [--kinds K ...] [--out bench/bench_bad_inputs.csv]   (needs $BATTERY_SSB_DATA)"""
import argparse, os, shutil, subprocess, sys, tempfile, time, warnings
from pathlib import Path
import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
import test_bad_inputs as C                     # the corpus: KINDS, the bases, the outcome classes
from battery_ssb.data import RunReport

WINDOW = C.WINDOW


def train_models_once(root: Path) -> Path:
    "LightGBM and baselines of window WINDOW trained on the synthetic raw fixture (16 train cells): what predict screens with."
    from battery_ssb.rawdata import write_raw_fixture, load_raw_dataset
    from battery_ssb.model import study_inputs, train_models
    fx = write_raw_fixture(root / "train-batch", {"train": 16}, n_cycles=6, seed=11, dt_s=600.0)
    co = load_raw_dataset(fx, progress=False, workers=1)
    feats, yl, edges = study_inputs(co, (WINDOW,))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        train_models(feats, yl, co.cells, edges, cv_repeats=1, progress=False, out_dir=root / "models", voltage_grid=co.qv.voltage)
    return root / "models"


def predict_run(models, paths, out):
    "predict_cells as the command runs it (one worker, nominal capacity 1.1 Ah): (table indexed by cell, report)."
    from battery_ssb.cli import predict_cells
    out.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tab = predict_cells(models, [str(p) for p in paths], out, WINDOW, nominal_Ah=1.1, workers=1)
    rep = out.with_name(out.stem + ".report.csv")
    return tab.set_index("cell"), (pd.read_csv(rep) if rep.exists() else pd.DataFrame(columns=RunReport.columns))


PRED_COLS = ["predicted_cycle_life", "life_low", "life_high", "p_short", "p_medium", "p_long"]


def predict_outcome(b, models, path, expect, d, clean_pred):
    cid = path.stem if path.is_file() else path.name
    def run():
        tab, rep = predict_run(models, [b["good"], path], d / "pred" / "p.csv")
        ref = clean_pred.get(expect[1]) if expect[0] == "same" else None
        same = lambda: ref is not None and np.allclose(tab.loc[cid, PRED_COLS].to_numpy(float), ref, equal_nan=True)
        return ({cid: same} if cid in tab.index else {}), rep
    return C._batch_outcome(expect, run, cid)


def main_outcome(path, expect, d, bad):
    "`python main.py --dataset raw` on the batch: exit code, stderr and the run's report.csv classified."
    out = d / "run"
    t = time.time()
    r = subprocess.run([sys.executable, "main.py", "--dataset", "raw", "--data-dir", str(path), "--out", str(out), "--quiet",
                        "--windows", str(WINDOW), "--n-jobs", "1", "--workers", "1"], cwd=REPO, capture_output=True, text=True)
    dt = time.time() - t
    if r.returncode < 0: return "abort", f"signal {-r.returncode}; {r.stderr[-120:]}", dt
    lines = [l for l in r.stderr.strip().splitlines() if l.strip()]
    if r.returncode == 2:
        msg = lines[-1] if lines else ""
        ok = (len(lines) == 1 and "Traceback" not in r.stderr and expect[0] in ("error", "stop")
              and all(f in msg for f in expect[1]))
        return ("clear error (batch stopped)" if ok else "traceback/unclear"), msg[:160], dt
    if r.returncode != 0: return "traceback/unclear", f"exit {r.returncode}: {r.stderr[-160:]}", dt
    rep = pd.read_csv(out / "report.csv")
    cells = pd.read_csv(out / "splits.csv", index_col=0).index
    outcome, detail = C._batch_outcome(expect, lambda: ({c: (lambda: False) for c in cells}, rep), bad)
    return outcome, detail, dt


def _raw_bigger(b, d, fn):
    "The corpus's raw batch with 9 training and 3 test cells instead of 3 and 2: a study can fit models on it (on 3 it cannot, and says so)."
    from battery_ssb.rawdata import write_raw_fixture
    r = write_raw_fixture(d / "batch", {"train": 9, "test1": 3}, n_cycles=4, seed=7, dt_s=600.0)
    fn(r); return r


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--no-main", action="store_true", help="skip python main.py --dataset raw (minutes per raw kind)")
    ap.add_argument("--kinds", nargs="+", default=None, help="only these kinds")
    ap.add_argument("--out", default="bench/bench_bad_inputs.csv", help="the long table (kind, entry, expected, outcome, detail)")
    args = ap.parse_args(argv)
    if not os.environ.get("BATTERY_SSB_DATA"): sys.exit("set BATTERY_SSB_DATA (the corpus mutates real shared files)")
    print(f"load average at start: {os.getloadavg()}", flush=True)
    root = Path(tempfile.mkdtemp(prefix="bench_bad_inputs-"))
    C._raw = _raw_bigger                        # the raw kinds' mutations name cells and rows present in both sizes
    rows, t0 = [], time.time()
    try:
        b = C.make_base(root / "bases")
        models = train_models_once(root)
        clean_pred = {}
        for key in ("clean", "neware"):
            tab, _ = predict_run(models, [b["good"], b[key]], root / f"clean-{key}" / "p.csv")
            cid = Path(b[key]).stem
            if cid in tab.index: clean_pred[key] = tab.loc[cid, PRED_COLS].to_numpy(float)
        want = C.WANT
        for kind in args.kinds or list(C.KINDS):
            src, make, expect = C.KINDS[kind]
            d = root / kind; d.mkdir()
            path = make(b, d)
            got, bad = C.entry_outcomes(src, path, expect, b, d)
            if src == "file":
                got["featurize"] = got.pop("featurize_cells")
                got["predict"] = predict_outcome(b, models, path, expect, d, clean_pred)
            elif src != "matr" and not args.no_main:
                o, detail, dt = main_outcome(path, expect, d, bad)
                got["main.py --dataset raw"] = (o, f"{detail} [{dt:.0f} s]")
            for entry, (outcome, detail) in got.items():
                exp = "clear error" if entry == "read_cell" and want[expect[0]].startswith("clear error") else want[expect[0]]
                rows.append(dict(kind=kind, entry=entry, expected=exp, outcome=outcome, detail=detail))
                flag = "" if outcome == exp else "   <-- not as expected"
                print(f"{kind:32s} {entry:22s} {outcome}{flag}", flush=True)
            shutil.rmtree(d, ignore_errors=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    t = pd.DataFrame(rows); t.to_csv(args.out, index=False)
    def cls(o):
        for k in ("clear error", "accepted-with-note", "accepted (as the clean file)", "silently wrong", "traceback", "abort"):
            if o.startswith(k): return k
        return o
    t["class"] = t.outcome.map(cls)
    wide = t.pivot(index="kind", columns="entry", values="outcome").fillna("")
    with pd.option_context("display.width", 250, "display.max_rows", 300, "display.max_colwidth", 30):
        print("\n" + wide.to_string())
        print("\ncounts (entry x outcome class):\n" + pd.crosstab(t.entry, t["class"], margins=True).to_string())
    off = t[t.outcome != t.expected]
    print(f"\n{len(t)} runs of {t.kind.nunique()} kinds; {len(off)} not as expected; "
          f"{time.time() - t0:.0f} s; load average at end: {os.getloadavg()}")
    if len(off): print(off[["kind", "entry", "expected", "outcome", "detail"]].to_string())
    return 0 if not len(off) else 1


if __name__ == "__main__":
    sys.exit(main())
