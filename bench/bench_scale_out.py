"""Benchmark: featurise 1,000 cells, hard-linked copies of real cycler exports, locally and on a Dask LocalCluster,
one task per cell, with the time and the peak memory of each worker process.

The cells: every single-file export of `$BATTERY_SSB_DATA/cycler-samples/` (real files from BEEP, cellpy,
battery-data-toolkit, BDF, BatteryABN and PyProBE test suites; MANIFEST.csv there) that battery_ssb reads (the
others are refused, with their reason, and left out here), hard-linked round-robin under 1,000 new names (one cell
each: `c0001_<file name>`), so that every cell is read and analysed on its own and nothing is shared through the
cache. Each mode runs cold (an empty cache: every file parsed) and warm (the same cache again). Descriptors of the
window are computed afterwards from the assembled cohort in the calling process (one vectorised pass, timed apart).
Modes: local processes (`--workers`, default 2), and a Dask LocalCluster of the same number of single-threaded
workers; with --serial also one process. Results of the modes are checked to be identical.
For a real cluster, give its scheduler's address instead of a LocalCluster (`--scheduler tcp://host:8786`); the
files and the cache folder must then be at the same paths on every worker (a shared file system).
Usage: python bench/bench_scale_out.py [--cells 1000] [--workers 2] [--window 10] [--serial] [--scheduler ADDR]"""
import argparse, os, shutil, sys, tempfile, time, warnings
from pathlib import Path
import numpy as np
import pandas as pd


def real_files(root):
    "The single-file exports of the shared samples that battery_ssb reads, with their sample counts."
    from battery_ssb.readers import read_cell
    from battery_ssb.data import DataError
    man = pd.read_csv(root / "MANIFEST.csv")
    out = []
    for rel in man.path:
        p = root / rel
        if not p.is_file() or "_Metadata" in p.name or "cycle_data" in p.name: continue
        try: r = read_cell(p)
        except (DataError, ImportError, Exception): continue
        if r.n_cycles >= 2: out.append((p, len(r.data)))
    return out


def run(mode, paths, cache, window, workers, scheduler=None):
    from battery_ssb.timeseries import cohort_from_paths
    from battery_ssb.features import featurize
    stats = []
    t0, c0 = time.perf_counter(), time.process_time()
    co = cohort_from_paths(paths, cache_dir=cache, max_cycle=window, workers=workers, scheduler=scheduler,
                           progress=False, stats=stats)
    t1 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        F = featurize(co, window)
    t2 = time.perf_counter()
    st = pd.DataFrame(stats)
    per = st.groupby(["host", "pid"]).agg(cells=("cell", "size"), peak_rss_MB=("peak_rss_MB", "max"), cpu_s=("cpu_s", "sum"))
    return dict(mode=mode, cells=len(paths), ok=int((st.status == "ok").sum()), samples=int(st.n_samples.fillna(0).sum()),
                analysis_s=t1 - t0, descriptors_s=t2 - t1, per_worker=per, X=F.X, client_cpu_s=time.process_time() - c0)


def show(r):
    w = r["per_worker"]
    print(f"  {r['mode']:34s} {r['ok']}/{r['cells']} cells, {r['samples']:,} samples: read+analyse {r['analysis_s']:7.1f} s "
          f"({r['samples'] / r['analysis_s']:,.0f} samples/s), descriptors {r['descriptors_s']:5.1f} s, "
          f"total {r['analysis_s'] + r['descriptors_s']:7.1f} s")
    print(f"    {len(w)} worker process(es): cells {w.cells.tolist()}, CPU s {[round(x, 1) for x in w.cpu_s]}, "
          f"peak RSS MB {[round(x) for x in w.peak_rss_MB]}; calling process peak RSS {_peak_rss_MB():.0f} MB")


if __name__ == "__main__":
    warnings.simplefilter("ignore"); os.environ["PYTHONWARNINGS"] = "ignore"   # the readers' date-format notices, workers too
    from battery_ssb.timeseries import _peak_rss_MB
    ap = argparse.ArgumentParser()
    ap.add_argument("--cells", type=int, default=1000); ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--window", type=int, default=10); ap.add_argument("--serial", action="store_true")
    ap.add_argument("--scheduler", default="local", help="'local' (a LocalCluster of --workers) or tcp://host:port")
    a = ap.parse_args()
    root = Path(os.environ.get("BATTERY_SSB_DATA", "../shared/data")) / "cycler-samples"
    if not root.is_dir(): sys.exit(f"{root} not found: set BATTERY_SSB_DATA")
    files = real_files(root)
    tmp = Path(tempfile.mkdtemp(prefix="bench_scale_"))
    cells = []
    for i in range(a.cells):
        f, _ = files[i % len(files)]
        d = tmp / "cells" / f"c{i:04d}_{f.name}"; d.parent.mkdir(exist_ok=True)
        try: os.link(f, d)                  # a hard link: no copy of the data
        except OSError: os.symlink(f, d)    # another file system: a symbolic link
        cells.append(d)
    n = sum(files[i % len(files)][1] for i in range(a.cells))
    print(f"{a.cells} cells: hard links to {len(files)} real exports ({n:,} samples in all), window {a.window}, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    modes = ([("local, 1 process", 1, None)] if a.serial else []) + [
        (f"local, {a.workers} processes", a.workers, None),
        (f"Dask {'LocalCluster' if a.scheduler == 'local' else a.scheduler}, {a.workers} workers", a.workers, a.scheduler)]
    ref = None
    for label, w, sch in modes:
        cache = tmp / f"cache-{w}-{sch is not None}"
        for phase in ("cold", "warm"):
            r = run(f"{label}, {phase}", cells, cache, a.window, w, sch); show(r)
            if ref is None: ref = r["X"]
            else: pd.testing.assert_frame_equal(r["X"], ref, check_exact=True)
    print(f"descriptors identical in every mode; load average {os.getloadavg()[0]:.2f}")
    shutil.rmtree(tmp, ignore_errors=True)
