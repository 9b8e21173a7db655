"""Benchmark: `battery-ssb featurize --window 100` on the real CALCE cell CS2_35, as a user runs it (a fresh process
per run, imports included), before (a git revision) and after (the working tree), cold (parsing the export) and
warm (from the cache), beside TRI's BEEP on the same file; then a batch of hard-linked copies on one and on two
cores.

Samples/s count the samples of the export (every sample read, 260,931 for CS2_35), per CPU second of the process
tree (user + system of the command and its worker processes): "per core". The same cell is given in two forms:
its 25 Arbin `.xlsx` runs as CALCE published them, and one Arbin CSV in BEEP's layout (`Data_Point, Test_Time,
DateTime, ..., Temperature`, written here from the stitched cell) because BEEP reads Arbin CSV, not `.xlsx`. BEEP runs
in its own venv (`--beep-python`, e.g. `.venv-beep/bin/python` after `python -m venv .venv-beep &&
.venv-beep/bin/pip install beep`), never in battery_ssb's: see bench/beep_featurize.py for what it computes.
Both code trees are byte-compiled first (`compileall`), as `pip install` leaves a package: an environment with
PYTHONDONTWRITEBYTECODE would otherwise recompile battery_ssb's modules in every run (~0.05-0.1 s each).
The load average is printed: the machine may be shared; take the best of --repeat. With --beep-python, BEEP is
timed interleaved with battery_ssb's cold and warm runs on the same CSV (--repeat rounds; best and median).
Sections (--only, repeatable): one (one cell, before/after, cold/warm), beep, batch (cold batches of 4), warm
(--copies copies from their caches), floor (a fresh process with numpy and pandas imported and nothing done: the
cap it puts on one cell's samples/s). With --work DIR the copies and caches persist, and --prefill fills the warm
section's caches without timing anything (e.g. niced, before a quiet window).
Usage: python bench/bench_featurize.py [--ref ee526dc] [--beep-python PY] [--copies 16] [--repeat 2] [--window 100]
       [--only one|beep|batch|warm|floor] [--work DIR [--prefill]]
(data: $BATTERY_SSB_DATA/calce-cs2/CS2_35)"""
import argparse, json, os, shutil, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
RUN = "import sys; from battery_ssb.cli import main; sys.exit(main(sys.argv[1:]))"


def timed(cmd, env=None):
    "Wall and CPU (user + system of the process and its children) seconds of one command; its stderr on failure."
    t = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tempfile.gettempdir())
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    out, err = p.stdout.read(), p.stderr.read(); p.returncode = os.waitstatus_to_exitcode(status)
    # children of the command (worker processes) are in the command's own RUSAGE_CHILDREN, which wait4 includes
    return dict(wall=wall, cpu=ru.ru_utime + ru.ru_stime, ok=p.returncode == 0, out=out, err=err[-1500:])


def featurize(code, paths, out, cache, window, workers=1, repeat=1):
    "Best of `repeat` runs of the featurize command of `code` (None: the working tree), cache reused between runs."
    env = dict(os.environ, **({"PYTHONPATH": str(code)} if code else {}))
    cmd = [sys.executable, "-c", RUN, "featurize", *map(str, paths), "--window", str(window), "--nominal-capacity", "1.1",
           "--out", str(out), "--cache-dir", str(cache)]
    if code is None: cmd += ["--workers", str(workers)]
    runs = [timed(cmd, env) for _ in range(repeat)]
    bad = [r for r in runs if not r["ok"]]
    return bad[0] if bad else min(runs, key=lambda r: r["cpu"])


def beep_csv(raw, path):
    "The stitched cell as one Arbin CSV in BEEP's layout (DateTime: a start epoch plus the test time)."
    d = raw.data
    step = (d.step_index.ne(d.step_index.shift()) | d.cycle_index.ne(d.cycle_index.shift())).cumsum()
    t = d.test_time_s.to_numpy()
    pd.DataFrame({"Data_Point": np.arange(len(d)), "Test_Time": t, "DateTime": 1.2871e9 + t,
                  "Step_Time": t - d.test_time_s.groupby(step).transform("first").to_numpy(),
                  "Step_Index": d.step_index, "Cycle_Index": d.cycle_index, "Current": d.current_A, "Voltage": d.voltage_V,
                  "Charge_Capacity": d.charge_capacity_Ah, "Discharge_Capacity": d.discharge_capacity_Ah,
                  "Charge_Energy": d.charge_energy_Wh.fillna(0), "Discharge_Energy": d.discharge_energy_Wh.fillna(0),
                  "dV/dt": 0.0, "Internal_Resistance": 0.0, "Temperature": 25.0}).to_csv(path, index=False)


def link_copies(folder, root, k):
    "k hard-linked copies of a CALCE cell folder, each named as a cell of its own (CS2_35c01_10_15_10.xlsx ...)."
    out = []
    for i in range(k):
        d = root / f"{folder.name}c{i:02d}"; d.mkdir(parents=True, exist_ok=True)
        for f in folder.iterdir():
            if not (d / f.name.replace(folder.name, d.name, 1)).exists(): os.link(f, d / f.name.replace(folder.name, d.name, 1))
        out.append(d)
    return out


def line(label, n, r):
    if not r["ok"]: return f"  {label:44s} FAILED: {r['err'].strip().splitlines()[-1] if r['err'].strip() else '?'}"
    return (f"  {label:44s} wall {r['wall']:7.2f} s  CPU {r['cpu']:7.2f} s  -> {n / r['cpu']:>10,.0f} samples/s per core"
            f"  (CPU/wall {r['cpu'] / r['wall']:.2f})")


def cold_batches(a, n, tmp, cells, csv):
    "4 copies parsed (caches emptied first), in one and in two processes; 4 copies of the CSV in one."
    print(f"batch of 4 hard-linked copies of CS2_35 ({4 * n:,} samples), xlsx, cold:")
    for w in (1, 2):
        shutil.rmtree(tmp / f"cache-cold{w}", ignore_errors=True)
        print(line(f"after cold, {w} process{'es' if w > 1 else ''}", 4 * n,
                   featurize(None, cells[:4], tmp / "b.csv", tmp / f"cache-cold{w}", a.window, workers=w)))
    csvs = []
    for i in range(4):
        d = tmp / "csv-copies" / f"CS2_35c{i:02d}.csv"; d.parent.mkdir(exist_ok=True)
        if not d.exists(): os.link(csv, d)
        csvs.append(d)
    shutil.rmtree(tmp / "cache-csv", ignore_errors=True)
    print(line("after cold, 1 process, 4 copies of the CSV", 4 * n, featurize(None, csvs, tmp / "b.csv", tmp / "cache-csv", a.window)))


def warm_batches(a, n, tmp, cells, rev):
    "The copies from their caches (filled first if empty), in one and two processes, and before in one."
    N = n * a.copies
    print(f"batch of {a.copies} hard-linked copies ({N:,} samples), warm (each cache filled by a first run):")
    featurize(None, cells, tmp / "b.csv", tmp / "cache-batch", a.window, workers=2)
    for w in (1, 2):
        print(line(f"after warm, {w} process{'es' if w > 1 else ''}", N,
                   featurize(None, cells, tmp / "b.csv", tmp / "cache-batch", a.window, workers=w, repeat=a.repeat)))
    featurize(rev, cells, tmp / "b.csv", tmp / f"cache-batch-before-{a.ref}", a.window)
    print(line("before warm (one process, its only mode)", N,
               featurize(rev, cells, tmp / "b.csv", tmp / f"cache-batch-before-{a.ref}", a.window, repeat=a.repeat)))


def floor(a, n):
    """What a fresh process costs before any work: Python, then numpy, then numpy + pandas (+ pyarrow, which pandas loads),
    with the CLI's settings (one OpenBLAS thread, objects frozen at exit); the cap this puts on one cell's samples/s."""
    print(f"floor of a fresh process (best of {max(a.repeat, 3)}; one BLAS thread, gc frozen at exit, as the CLI runs):")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    for label, code in (("python", "pass"), ("python + numpy", "import numpy"),
                        ("python + numpy + pandas", "import atexit, gc, numpy, pandas; atexit.register(gc.freeze)")):
        r = min((timed([sys.executable, "-c", code], env) for _ in range(max(a.repeat, 3))), key=lambda r: r["cpu"])
        print(line(label, n, r) + "  (samples/s: the cap for one cell)")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--ref", default="ee526dc", help="git revision timed as 'before' (default: the code the issue timed)")
    ap.add_argument("--beep-python", default=None, help="python of a venv with BEEP installed")
    ap.add_argument("--copies", type=int, default=16); ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--window", type=int, default=100)
    ap.add_argument("--only", action="append", choices=["one", "beep", "batch", "warm", "floor"], help="run only these sections")
    ap.add_argument("--work", default=None, help="working folder kept between runs (copies, caches); default: a temporary one")
    ap.add_argument("--prefill", action="store_true", help="only fill the warm section's caches (untimed), then stop")
    a = ap.parse_args()
    secs = [] if a.prefill else a.only or ["one", "beep", "batch", "warm", "floor"]   # --prefill: nothing timed
    folder = Path(os.environ.get("BATTERY_SSB_DATA", "../shared/data")) / "calce-cs2" / "CS2_35"
    if not folder.is_dir(): sys.exit(f"{folder} not found: set BATTERY_SSB_DATA")
    tmp = Path(a.work) if a.work else Path(tempfile.mkdtemp(prefix="bench_feat_")); tmp.mkdir(parents=True, exist_ok=True)
    from battery_ssb.readers import read_cell
    raw = read_cell(folder); n = len(raw.data)
    csv = tmp / "csv" / "CS2_35.csv"; csv.parent.mkdir(exist_ok=True)
    if not csv.exists(): beep_csv(raw, csv)
    rev = tmp / f"rev-{a.ref}"; rev.mkdir(exist_ok=True)
    subprocess.run(f"git -C {REPO} archive {a.ref} battery_ssb | tar -x -C {rev}", shell=True, check=True)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "battery_ssb"), str(rev / "battery_ssb")], check=True)
    print(f"CS2_35: {n:,} samples, {raw.n_cycles} cycles; window {a.window}; before = {a.ref}, after = working tree; "
          f"load average {os.getloadavg()[0]:.2f}")
    res = {}
    for form, paths in ((("xlsx (25 Arbin runs)", [folder]), ("Arbin CSV, BEEP layout", [csv])) if "one" in secs else ()):
        print(f"one cell, {form}:")
        for label, code in (("before", rev), ("after", None)):
            cache = tmp / f"cache-{label}-{form[:4]}"; shutil.rmtree(cache, ignore_errors=True)
            cold = featurize(code, paths, tmp / "f.csv", cache, a.window)      # first run: parses the export
            warm = featurize(code, paths, tmp / "f.csv", cache, a.window, repeat=a.repeat)
            res[(form, label)] = (cold, warm)
            print(line(f"{label} cold (parse the export)", n, cold)); print(line(f"{label} warm (from its cache)", n, warm))
        b, c = res[(form, "before")], res[(form, "after")]
        if b[1]["ok"] and c[1]["ok"]:
            print(f"  after / before, samples/s per core: cold {b[0]['cpu'] / c[0]['cpu']:.1f}x, warm {b[1]['cpu'] / c[1]['cpu']:.1f}x"
                  f" (warm after vs cold before {b[0]['cpu'] / c[1]['cpu']:.1f}x)")
    if "beep" in secs and a.beep_python:
        beep_cmd = [str(Path(a.beep_python).absolute()), str(REPO / "bench" / "beep_featurize.py"), str(csv), "--window", str(a.window)]
        runs = dict(cold=[], warm=[], beep=[])
        for r in range(a.repeat):       # interleaved: a slow spell of the machine hits both tools
            cache = tmp / f"cache-beep-{r}"; shutil.rmtree(cache, ignore_errors=True)
            runs["cold"].append(featurize(None, [csv], tmp / "f.csv", cache, a.window))
            runs["warm"].append(featurize(None, [csv], tmp / "f.csv", cache, a.window))
            runs["beep"].append(timed(beep_cmd))
        bad = [r for v in runs.values() for r in v if not r["ok"]]
        if bad: print(f"BEEP section failed: {bad[0]['err']}")
        else:
            bj = json.loads(runs["beep"][0]["out"].strip().splitlines()[-1])
            print(f"BEEP on the same CSV ({a.repeat} rounds interleaved with battery_ssb; features: {bj['features']}; first "
                  f"round: import {bj['import_s']:.1f} s, read {bj['read_s']:.1f} s, structure {bj['structure_s']:.1f} s, "
                  f"features {bj['features_s']:.2f} s):")
            med = lambda v, k: float(np.median([r[k] for r in v]))
            for k, v in runs.items():
                label = {"cold": "battery_ssb cold", "warm": "battery_ssb warm", "beep": "BEEP"}[k]
                print(f"  {label:18s} wall best {min(r['wall'] for r in v):6.2f} s, median {med(v, 'wall'):6.2f} s;"
                      f" CPU best {min(r['cpu'] for r in v):6.2f} s, median {med(v, 'cpu'):6.2f} s")
            for k in ("cold", "warm"):
                print(f"  BEEP / battery_ssb {k}: wall {min(r['wall'] for r in runs['beep']) / min(r['wall'] for r in runs[k]):.1f}x"
                      f" (medians {med(runs['beep'], 'wall') / med(runs[k], 'wall'):.1f}x), CPU "
                      f"{min(r['cpu'] for r in runs['beep']) / min(r['cpu'] for r in runs[k]):.1f}x"
                      f" (medians {med(runs['beep'], 'cpu') / med(runs[k], 'cpu'):.1f}x)")
    elif "beep" in secs: print("BEEP: not timed (no --beep-python); BEEP reads Arbin CSV, not the .xlsx runs")
    # batches of hard-linked copies: imports paid once per process, cells spread over the cores
    cells = link_copies(folder, tmp / "copies", max(a.copies, 4))
    if a.prefill:     # the warm section's caches, untimed
        featurize(None, cells[:a.copies], tmp / "b.csv", tmp / "cache-batch", a.window, workers=2)
        featurize(rev, cells[:a.copies], tmp / "b.csv", tmp / f"cache-batch-before-{a.ref}", a.window)
        print(f"caches of {a.copies} copies filled in {tmp}"); sys.exit(0)
    if "floor" in secs: floor(a, n)
    if "batch" in secs: cold_batches(a, n, tmp, cells, csv)
    if "warm" in secs: warm_batches(a, n, tmp, cells[:a.copies], rev)
    print(f"load average {os.getloadavg()[0]:.2f}")
    if not a.work: shutil.rmtree(tmp, ignore_errors=True)

