"""BEEP's side of bench/bench_featurize.py: TRI's BEEP (installed only in a benchmark venv, never a dependency of
battery_ssb) reads an Arbin CSV, structures it and computes its early-life features of cycles <= N, timed.

What runs is what a BEEP user runs for early-life features: `ArbinDatapath.from_file`, the raw data cut to cycles
<= N + 1 (the cut battery_ssb makes, plus the one cycle DeltaQFastCharge's check wants beyond N; without a cut BEEP
would structure every cycle of the file), `structure()`
(per-cycle interpolation), then `CycleSummaryStats` (cycles 10 and N) and `DeltaQFastCharge` (Severson's ΔQ
features, cycles 10, N-9, N). Prints one JSON line: seconds per stage, CPU seconds, features computed.
Usage (BEEP's venv): python bench/beep_featurize.py FILE.csv [--window 100] [--no-cut]"""
import argparse, json, resource, sys, time

t_start, c_start = time.perf_counter(), time.process_time()
import pandas as pd
from beep.structure.arbin import ArbinDatapath
from beep.features.core import CycleSummaryStats, DeltaQFastCharge

ap = argparse.ArgumentParser(); ap.add_argument("path"); ap.add_argument("--window", type=int, default=100)
ap.add_argument("--no-cut", action="store_true", help="structure every cycle of the file")
a = ap.parse_args()
out = dict(tool="beep", import_s=time.perf_counter() - t_start)
t = time.perf_counter(); dp = ArbinDatapath.from_file(a.path); out["read_s"] = time.perf_counter() - t
out["samples"] = len(dp.raw_data)
if not a.no_cut: dp.raw_data = dp.raw_data[dp.raw_data.cycle_index <= a.window + 1].reset_index(drop=True)
t = time.perf_counter(); dp.structure(); out["structure_s"] = time.perf_counter() - t
t = time.perf_counter(); feats = {}
for F, hp in ((CycleSummaryStats, dict(cycle_comp_num=[10, a.window], statistics=["var", "min", "mean", "skew", "kurtosis", "abs", "square"])),
              (DeltaQFastCharge, dict(init_pred_cycle=10, mid_pred_cycle=a.window - 9, final_pred_cycle=a.window, n_nominal_cycles=40))):
    f = F(dp, hp); ok, why = f.validate()
    if not ok: feats[F.__name__] = f"not valid: {why}"; continue
    try: f.create_features(); feats[F.__name__] = int(f.features.shape[1])
    except Exception as e: feats[F.__name__] = f"failed: {type(e).__name__}: {str(e)[:120]}"   # BEEP's own error, recorded
out["features_s"] = time.perf_counter() - t
out.update(features=feats, wall_s=time.perf_counter() - t_start, cpu_s=time.process_time() - c_start,
           peak_rss_MB=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
print(json.dumps(out))
