"""Benchmark: the cycle analysis of raw time series (`cohort_from_raw`: steps, cycle table, GITT, CV and resistance
tables, Q(V)) on N simulated cells and on the real CALCE cell CS2_35, in samples per second.

The cells are made once (`battery_ssb.simulate.simulate_cohort(n_cells=N, n_cycles=100)`, only through its raw
output; CS2_35 through `read_cell`) and saved as Parquet; each timing then runs in a fresh process on those files,
for the working tree's code ("after") and, with --ref REV, for the code of a git revision ("before": its
`battery_ssb/` extracted with `git archive` and put first on PYTHONPATH). Wall and CPU seconds are printed (best of
--repeat), with the load average: the machine may be shared.
Usage: python bench/bench_cohort_from_raw.py [--cells 100] [--ref ee526dc] [--repeat 3] [--no-calce]
(CS2_35 from $BATTERY_SSB_DATA/calce-cs2/CS2_35; skipped, saying so, when absent)"""
import argparse, json, os, shutil, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent


def save(raws, cells, path):
    "Raw cells to one Parquet (a `cell` column) + the cell table beside it."
    pd.concat([r.data.assign(cell=r.cell) for r in raws], ignore_index=True).to_parquet(path)
    cells.reset_index().to_parquet(str(path) + ".cells")


def load(path):
    from battery_ssb.data import RawCell
    d = pd.read_parquet(path); cells = pd.read_parquet(str(path) + ".cells").set_index("cell")
    return [RawCell(c, g.drop(columns="cell").reset_index(drop=True)) for c, g in d.groupby("cell", sort=False)], cells


def time_it(path, repeat):
    "Best wall and CPU seconds of `cohort_from_raw` on the cells saved at `path` (run in this process)."
    import battery_ssb
    from battery_ssb.timeseries import cohort_from_raw
    raws, cells = load(path)
    n = sum(len(r.data) for r in raws); wall, cpu = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        co = cohort_from_raw(raws, cells, "bench")
        wall.append(time.perf_counter() - w); cpu.append(time.process_time() - c)
    return dict(samples=n, cells=len(raws), wall=min(wall), cpu=min(cpu), code=str(Path(battery_ssb.__file__).parent),
                cv_steps=len(co.tables["cv"]), steps=len(co.tables["steps"]))


def run(path, repeat, pythonpath=None):
    env = dict(os.environ, **({"PYTHONPATH": pythonpath} if pythonpath else {}))
    out = subprocess.run([sys.executable, __file__, "--time-only", str(path), "--repeat", str(repeat)], env=env,
                         capture_output=True, text=True, cwd=tempfile.gettempdir())
    if out.returncode: sys.exit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def show(label, r):
    print(f"  {label:7s} {r['cells']:4d} cells, {r['samples']:>10,} samples: wall {r['wall']:7.2f} s "
          f"({r['samples'] / r['wall']:>10,.0f} samples/s), CPU {r['cpu']:7.2f} s ({r['samples'] / r['cpu']:>10,.0f} samples/s)"
          f"   [{r['steps']} steps, {r['cv_steps']} CV fits; code {r['code']}]")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--cells", type=int, default=100); ap.add_argument("--cycles", type=int, default=100)
    ap.add_argument("--ref", default=None, help="git revision to time as 'before'")
    ap.add_argument("--repeat", type=int, default=3); ap.add_argument("--no-calce", action="store_true")
    ap.add_argument("--time-only", default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.time_only:
        print(json.dumps(time_it(a.time_only, a.repeat))); sys.exit()
    tmp = Path(tempfile.mkdtemp(prefix="bench_cfr_"))
    data = []
    from battery_ssb.simulate import simulate_cohort
    t = time.perf_counter(); raws, cells = simulate_cohort(n_cells=a.cells, n_cycles=a.cycles)
    print(f"simulated {a.cells} cells x {a.cycles} cycles in {time.perf_counter() - t:.0f} s")
    save(raws, cells, tmp / "sim.parquet"); data.append(("simulated", tmp / "sim.parquet"))
    root = os.environ.get("BATTERY_SSB_DATA"); folder = Path(root or ".") / "calce-cs2" / "CS2_35"
    if a.no_calce: pass
    elif not root or not folder.is_dir(): print(f"CS2_35 skipped: {folder} not found (set BATTERY_SSB_DATA)")
    else:
        from battery_ssb.readers import read_cell
        raw = read_cell(folder)
        c = pd.DataFrame(dict(split="new", source="CALCE", chemistry="LCO/graphite", protocol="CC-CV",
                              nominal_capacity_Ah=1.1, cycle_life=np.nan), index=pd.Index([raw.cell], name="cell"))
        save([raw], c, tmp / "cs2_35.parquet"); data.append(("CS2_35", tmp / "cs2_35.parquet"))
    before = None
    if a.ref:
        before = tmp / "ref"; before.mkdir()
        arch = subprocess.run(["git", "archive", a.ref, "battery_ssb"], cwd=REPO, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(before)], input=arch, check=True)
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    for name, path in data:
        print(f"{name}:")
        res = {}
        if before is not None: res["before"] = run(path, 1, str(before)); show(f"{a.ref}", res["before"])
        res["after"] = run(path, a.repeat); show("after", res["after"])
        if before is not None:
            print(f"  speed-up: wall {res['before']['wall'] / res['after']['wall']:.1f}x, CPU "
                  f"{res['before']['cpu'] / res['after']['cpu']:.1f}x")
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    shutil.rmtree(tmp, ignore_errors=True)
