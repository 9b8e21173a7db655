"""The elastic net's tier probabilities as a third member of the joint answer's pool (tried in issue 9's eighth round).

The joint answer pools the LightGBM tier classifier c and the life model's tier masses r as p ∝ c^t · r^t, t fitted
on the training cells' out-of-fold answers (05_evaluation, `fit_pooling(tied=True)`). Here p ∝ c^t · r^t · e^u, with
e the elastic net's tier probabilities and (t, u) fitted the same way (out-of-fold log loss on train; the elastic net's
out-of-fold probabilities are saved with it). Prints, per run folder, window and test split: macro-F1 and log loss of
the joint answer as it is and with the elastic net pooled in, the fitted u, and the elastic net alone.

Usage: BATTERY_SSB_DATA=/work/shared/data python bench/bench_joint_en_pool.py RUN [RUN ...]
(RUN: the --out folder of a `python main.py --dataset D` run, models inside.)
"""
import argparse, json
from pathlib import Path
import numpy as np
from scipy.optimize import minimize
from scipy.special import log_softmax
from sklearn.metrics import f1_score
from battery_ssb.data import DATASETS, study_cohort
from battery_ssb.model import load_models, study_inputs, dataset_settings
from battery_ssb import evaluation as E

ap = argparse.ArgumentParser(); ap.add_argument("runs", nargs="+"); a = ap.parse_args()
lg = lambda P: np.log(np.maximum(np.asarray(P, float), 1e-12))
print(f"{'run':28s} {'w':>4s} {'split':>9s} {'n':>3s} | {'joint F1':>8s} {'logloss':>7s} | {'+EN F1':>7s} {'logloss':>7s} {'u':>5s} | {'EN F1':>6s}")
for run in map(Path, a.runs):
    rj = json.loads((run / "run.json").read_text()); ds = rj["dataset"]
    co = study_cohort(ds, rj["data_dir"], fixture=True, seed=rj["seed"], cache_dir=run / "cache",
                      **(dict(n_cells=rj["n_cells"]) if DATASETS[ds].get("folder") is None else {}))
    st = dataset_settings(ds)
    features, labels, _ = study_inputs(co, rj["windows"], DATASETS.get(ds, {}).get("peak_range_V"),
                                       binary_threshold=st["binary_threshold"], cache_dir=run / "cache")
    fitted = load_models(run / "models")
    for w in sorted(features):
        pick = lambda m: next((f for f in fitted if (f.task, f.window, f.model) == ("tiers", w, m)), None)
        ft, fe, fl = pick("lightgbm"), pick("elastic_net"), E.joint_life_model(fitted, w)
        if ft is None or fe is None or fl is None: continue
        ot, oe, ol = ft.meta["oof"], fe.meta["oof"], fl.meta["oof"]
        life, pe = dict(zip(ol["cells"], ol["log10_life"])), dict(zip(oe["cells"], oe["proba"]))
        keep = [i for i, c in enumerate(ot["cells"]) if c in life and c in pe]
        y = np.asarray(ot["tier"], int)[keep]; sig = ol.get("log10_rmse", fl.meta["log10_life_oof_rmse"])
        L = [lg(np.asarray(ot["proba"], float)[keep]),
             lg(E.tier_masses(np.array([life[ot["cells"][i]] for i in keep]), sig, ft.meta["tier_edges"])),
             lg([pe[ot["cells"][i]] for i in keep])]
        nll = lambda t, u: -log_softmax(t * L[0] + t * L[1] + u * L[2], axis=1)[np.arange(len(y)), y].mean()
        t0 = E.joint_pooling(ft, fl)["a"]   # the study's pool (tied exponents)
        t1, u1 = minimize(lambda v: nll(*v), [0.5, 0.1], method="L-BFGS-B", bounds=[(0, 4)] * 2).x
        X = features[w].X
        M = [lg(ft.estimator.predict_proba(X[ft.features])), lg(E.tier_masses(np.log10(fl.predict(X)), sig, ft.meta["tier_edges"])),
             lg(fe.estimator.predict_proba(X[fe.features]))]
        yt = labels.loc[X.index, "tiers"].astype(int).to_numpy(); split = co.cells.loc[X.index, "split"].to_numpy()
        for s in dict.fromkeys(split):
            if s == rj.get("train_split", "train"): continue
            m = split == s; Z = lambda t, u: (t * M[0] + t * M[1] + u * M[2])[m]
            f1 = lambda t, u: f1_score(yt[m], Z(t, u).argmax(1), average="macro")
            ll = lambda t, u: -log_softmax(Z(t, u), axis=1)[np.arange(m.sum()), yt[m]].mean()
            print(f"{str(run)[-28:]:28s} {w:4d} {s:>9s} {m.sum():3d} | {f1(t0, 0):8.3f} {ll(t0, 0):7.3f} | {f1(t1, u1):7.3f} "
                  f"{ll(t1, u1):7.3f} {u1:5.2f} | {f1(0, 1):6.3f}")
