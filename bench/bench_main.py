"""Benchmark: wall time of `python main.py --dataset matr` end to end (a printed figure, not a test).

Usage: python bench/bench_main.py [--data-dir DIR]   (default: $BATTERY_SSB_DATA/matr-severson)"""
import argparse, json, os, subprocess, sys, tempfile, time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    ap = argparse.ArgumentParser(); ap.add_argument("--data-dir", default=None); a = ap.parse_args()
    out = Path(tempfile.mkdtemp()) / "run"
    cmd = [sys.executable, "main.py", "--dataset", "matr", "--out", str(out)] + (["--data-dir", a.data_dir] if a.data_dir else [])
    t = time.perf_counter()
    r = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if r.returncode: sys.exit(r.stderr[-2000:])
    run = json.loads((out / "run.json").read_text())
    print(f"python main.py --dataset matr: {wall:.1f} s wall on {os.cpu_count()} cores")
    for nb, s in run["timings_s"].items(): print(f"  {nb:15s} {s:7.1f} s")
