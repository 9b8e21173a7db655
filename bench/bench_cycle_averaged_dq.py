"""Cycle-averaged ΔQ(V) against single-cycle ΔQ(V) (issue 9 item 2: "e.g. mean of cycles 98-100 minus 9-11").

Severson's variance model is where noise in Q(V) would show first: log10 life = a + b · log10 var ΔQ_b-a(V), one
descriptor, least squares. Each row replaces the single cycles b and a by the mean Q(V) of a block of k cycles (the k ending
at b and the k starting at a, or centred on a; a cycle missing from a block is skipped) and reports the correlation with log10 life on train, the RMSE (cycles) of repeated 5-fold CV on train
(3 repeats) and of the model fitted on train on every other split (MATR: also test1 without its outlier cell).
Every row is scored on the same cells: those where every block's cycles are recorded (listed when some are not).

Usage: BATTERY_SSB_DATA=/work/shared/data python bench/bench_cycle_averaged_dq.py --dataset matr
"""
import argparse, warnings
import numpy as np, pandas as pd
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import KFold, cross_val_predict
from battery_ssb.data import study_cohort
from battery_ssb.evaluation import MATR_OUTLIER

ap = argparse.ArgumentParser()
ap.add_argument("--dataset", default="matr"); ap.add_argument("--seed", type=int, default=0)
a = ap.parse_args()
co = study_cohort(a.dataset, None, seed=a.seed, fixture=True)
qv, cells = co.qv, co.cells
if qv is None: raise SystemExit(f"{a.dataset}: no Q(V) curves, so no ΔQ(V) to average")
life = np.log10(cells.cycle_life.to_numpy(float))
have = set(int(c) for c in qv.cycles)
R = lambda lo, hi: list(range(lo, hi + 1))
BLOCKS = [("ΔQ_100-10, single cycles", [100], [10]),
          ("k=3: mean 98-100 minus mean 10-12", R(98, 100), R(10, 12)), ("k=5: mean 96-100 minus mean 10-14", R(96, 100), R(10, 14)),
          ("k=10: mean 91-100 minus mean 10-19", R(91, 100), R(10, 19)), ("k=20: mean 81-100 minus mean 10-29", R(81, 100), R(10, 29)),
          ("centred k=3: mean 98-100 minus mean 9-11", R(98, 100), R(9, 11)), ("centred k=5: mean 96-100 minus mean 8-12", R(96, 100), R(8, 12)),
          ("ΔQ_96-14, single cycles", [96], [14]), ("ΔQ_5-4, single cycles", [5], [4]), ("k=2: mean 4-5 minus mean 2-3", [4, 5], [2, 3])]
sets = {s: (cells.split == s).to_numpy() for s in dict.fromkeys(cells.split) if s != "train"}
if a.dataset == "matr" and MATR_OUTLIER in cells.index:
    sets["test1 excl. outlier"] = sets["test1"] & (cells.index != MATR_OUTLIER)
feats = {}
for name, b, c in BLOCKS:
    if not set(b + c) <= have: continue
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # a cell with none of a block's cycles: NaN, left out below
        feats[name] = np.log10((np.nanmean([qv.at(k) for k in b], 0) - np.nanmean([qv.at(k) for k in c], 0)).var(1))
ok = np.isfinite(life) & np.all([np.isfinite(x) for x in feats.values()], axis=0)   # every row scored on the same cells
if (~ok).any(): print(f"left out of every row ({int((~ok).sum())} cells: a cycle of some block missing, or no life):",
                      ", ".join(cells.index[~ok]))
tr = ok & (cells.split == "train").to_numpy()
rmse = lambda p, m: float(np.sqrt(np.mean((10 ** p[m] - 10 ** life[m]) ** 2)))
rows = []
for name, x in feats.items():
    X = np.where(ok, x, 0)[:, None]
    cv = np.concatenate([cross_val_predict(LinearRegression(), X[tr], life[tr], cv=KFold(5, shuffle=True, random_state=a.seed + r))
                         for r in range(3)])
    p = LinearRegression().fit(X[tr], life[tr]).predict(X)
    row = {"ΔQ": name, "n train": int(tr.sum()), "corr (train)": round(float(np.corrcoef(x[tr], life[tr])[0, 1]), 3),
           "CV rmse": round(float(np.sqrt(np.mean((10 ** cv - 10 ** np.tile(life[tr], 3)) ** 2))), 1)}
    row.update({f"{s} rmse (n={int((m & ok).sum())})": round(rmse(p, m & ok), 1) for s, m in sets.items() if (m & ok).any()})
    rows.append(row)
print(f"{a.dataset}: log10 life ~ log10 var ΔQ(V), least squares (Severson's variance model)")
print(pd.DataFrame(rows).to_string(index=False))
