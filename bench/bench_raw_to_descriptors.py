"""Benchmark: raw cycler files -> descriptors on the real CALCE cell CS2_35, in samples per second.

Two passes: parsing the 25 Arbin .xlsx exports (cold Parquet cache), then reading the same cell from the cache.
Each pass runs the whole path: read + stitch, segmentation, per-cycle summary, Q(V), GITT/CV tables, descriptors;
the third analyses only the window's cycles, as `battery-ssb featurize` does. Samples/s count every sample read.
Usage: python bench/bench_raw_to_descriptors.py [--window 100]   (data: $BATTERY_SSB_DATA/calce-cs2/CS2_35)"""
import argparse, os, tempfile, time
from dataclasses import replace
from pathlib import Path
import pandas as pd
from battery_ssb.readers import read_cell
from battery_ssb.timeseries import cohort_from_raw
from battery_ssb.features import featurize


def one_pass(folder, cache, window, window_only=False):
    t0 = time.perf_counter()
    raw = read_cell(folder, cache_dir=cache)
    if window_only: raw = replace(raw, data=raw.data[raw.data.cycle_index <= window].reset_index(drop=True))
    t1 = time.perf_counter()
    cells = pd.DataFrame(dict(split="new", source="CALCE", chemistry="LCO/graphite", protocol="1C CC-CV / 1C",
                              nominal_capacity_Ah=1.1, cycle_life=float("nan")), index=pd.Index([raw.cell], name="cell"))
    co = cohort_from_raw([raw], cells, "calce")
    t2 = time.perf_counter()
    F = featurize(co, window)
    t3 = time.perf_counter()
    return len(raw.data), t1 - t0, t2 - t1, t3 - t2, F


if __name__ == "__main__":
    ap = argparse.ArgumentParser(); ap.add_argument("--window", type=int, default=100); a = ap.parse_args()
    folder = Path(os.environ.get("BATTERY_SSB_DATA", "../shared/data")) / "calce-cs2" / "CS2_35"
    cache = Path(tempfile.mkdtemp())
    for label, wo in (("parse (cold cache)", False), ("from Parquet cache", False), ("cache, window only", True)):
        n, tr, ta, tf, F = one_pass(folder, cache, a.window, wo)
        tot = tr + ta + tf
        print(f"{label:20s}: {n} samples, read {tr:.2f} s + cycle analysis {ta:.2f} s + descriptors {tf:.2f} s "
              f"= {tot:.2f} s -> {n / tot:,.0f} samples/s")
    print(f"descriptors computed: {F.X.shape[1]} of window {a.window}; skipped (with reasons): {len(F.skipped)}")
