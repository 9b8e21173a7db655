"""Adaptive conformal intervals for the blend, tried on a study run's saved models (docs/model.md, sixth round).

    python bench/bench_adaptive_intervals.py RUN DATASET TEST_SPLIT      # e.g. runs/matr matr test1

RUN is an output folder of `python main.py --dataset DATASET --out RUN` (its `models/` and descriptor `cache/`).
For each window's `lightgbm_blend` life model: out-of-fold predictions on the training cells (5 stratified folds of
the tiers, seed 0, the saved parameters), and two difficulty scores per cell, the spread (std) of the pairwise part's
per-reference predictions and |single - pairwise|. Printed: how well each score ranks the out-of-fold errors
(Spearman), and the test split's coverage and mean half-width (log10) of the 80 % and 90 % intervals that are
plain split-conformal, normalised by each score (plus 0 or 0.5 x its median), and Mondrian in 2 or 3 bins of
predicted life; then the plain half-width from 10-fold and leave-one-out residuals (fold models nearer the final
model's 41 cells) and jackknife+ (Barber et al., Ann. Statist. 2021: the leave-one-out models' predictions of each test
cell ± their residuals). Nothing here is used by the study; it reads the test split only to report.
"""
import argparse
import numpy as np, pandas as pd
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold, LeaveOneOut
from battery_ssb.model import load_models, load_training_table, conformal_halfwidth, study_inputs
from battery_ssb.data import load_dataset

def measures(est, X):
    "(blend prediction, spread of the pairwise part's per-reference predictions, |single - pairwise|) in log10 life."
    pw = est.pairwise_; g = pw._reference_residuals(pw._frame(X))
    return est.predict(X), g.std(1), np.abs(est.single_.predict(X) - pw.predict(X))

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run"); ap.add_argument("dataset"); ap.add_argument("test_split")
    a = ap.parse_args()
    fitted = {f.name: f for f in load_models(f"{a.run}/models")}
    cohort = load_dataset(a.dataset)
    feats, labels, _ = study_inputs(cohort, windows=sorted({f.window for f in fitted.values()}), cache_dir=f"{a.run}/cache")
    for w in sorted(feats):
        f = fitted.get(f"cycle_life_w{w}_lightgbm_blend")
        if f is None or f.estimator.single_ is None or f.estimator.pairwise_ is None: print(f"window {w}: no two-part blend"); continue
        T = load_training_table(f"{a.run}/models", w); X = T[f.features]; t = np.log10(T["_cycle_life"].to_numpy(float))
        oof = {k: np.zeros(len(t)) for k in ("mu", "spread", "dis")}
        for tr, te in StratifiedKFold(5, shuffle=True, random_state=0).split(X, T["_tiers"]):
            for k, v in zip(oof, measures(clone(f.estimator).fit(X.iloc[tr], t[tr]), X.iloc[te])): oof[k][te] = v
        r = t - oof["mu"]
        Xt = feats[w].X; idx = Xt.index[cohort.cells.loc[Xt.index, "split"].eq(a.test_split)]
        idx = idx[np.isfinite(labels.loc[idx, "cycle_life"].astype(float))]
        mu, sp, dis = measures(f.estimator, Xt.loc[idx, f.features]); rt = np.log10(labels.loc[idx, "cycle_life"].to_numpy(float)) - mu
        sr = lambda a_, b_: pd.Series(np.abs(a_)).corr(pd.Series(b_), method="spearman")
        print(f"window {w}: weight {f.estimator.weight}, {len(t)} training cells, {len(idx)} {a.test_split} cells; "
              f"log10 RMSE out-of-fold {np.sqrt(np.mean(r ** 2)):.4f}, test {np.sqrt(np.mean(rt ** 2)):.4f}; "
              f"80/90 % quantiles of |residual| out-of-fold {np.quantile(np.abs(r), 0.8):.3f}/{np.quantile(np.abs(r), 0.9):.3f}, "
              f"test {np.quantile(np.abs(rt), 0.8):.3f}/{np.quantile(np.abs(rt), 0.9):.3f}")
        print(f"  Spearman |residual| vs spread: train {sr(r, oof['spread']):.2f}, test {sr(rt, sp):.2f}; "
              f"vs disagreement: train {sr(r, oof['dis']):.2f}, test {sr(rt, dis):.2f}")
        for lev in (0.8, 0.9):
            h = conformal_halfwidth(r, lev); out = [f"plain {np.mean(np.abs(rt) <= h):.3f} (hw {h:.3f})"]
            for name, s_tr, s_te in (("spread", oof["spread"], sp), ("disagreement", oof["dis"], dis)):
                for eps in (0.0, 0.5):
                    a_tr, a_te = s_tr + eps * np.median(s_tr), s_te + eps * np.median(s_tr)
                    q = conformal_halfwidth(r / a_tr, lev)
                    out.append(f"{name}+{eps:g}·median {np.mean(np.abs(rt) <= q * a_te):.3f} (hw {np.mean(q * a_te):.3f})")
            for nb in (2, 3):
                cuts = np.quantile(oof["mu"], np.linspace(0, 1, nb + 1)[1:-1])
                hs = np.array([conformal_halfwidth(r[np.searchsorted(cuts, oof["mu"]) == b], lev) for b in range(nb)])
                hb = hs[np.searchsorted(cuts, mu)]; out.append(f"Mondrian {nb} bins {np.mean(np.abs(rt) <= hb):.3f} (hw {np.mean(hb):.3f})")
            print(f"  {lev:.0%} coverage: " + "; ".join(out))
        fold = {"10-fold": StratifiedKFold(10, shuffle=True, random_state=0).split(X, T["_tiers"]), "leave-one-out": LeaveOneOut().split(X)}
        res, P = {}, []
        for name, cv in fold.items():   # residuals of fold models fitted on 9/10 and n - 1 of the training cells
            res[name] = np.zeros(len(t))
            for tr, te in cv:
                m = clone(f.estimator).fit(X.iloc[tr], t[tr]); res[name][te] = t[te] - m.predict(X.iloc[te])
                if name == "leave-one-out": P.append(m.predict(Xt.loc[idx, f.features]))
        P, R, n = np.array(P), np.abs(res["leave-one-out"])[:, None], len(t)   # P: (n, test) leave-one-out predictions
        tt = rt + mu
        for lev in (0.8, 0.9):
            out = [f"{k} {np.mean(np.abs(rt) <= conformal_halfwidth(r, lev)):.3f} (hw {conformal_halfwidth(r, lev):.3f})" for k, r in res.items()]
            lo = np.sort(P - R, 0)[max(int(np.floor((1 - lev) * (n + 1))) - 1, 0)]
            hi = np.sort(P + R, 0)[min(int(np.ceil(lev * (n + 1))) - 1, n - 1)]
            out.append(f"jackknife+ {np.mean((tt >= lo) & (tt <= hi)):.3f} (hw {np.mean(hi - lo) / 2:.3f})")
            print(f"  {lev:.0%} coverage: " + "; ".join(out))

if __name__ == "__main__": main()
