"""Averaging the best few CV candidates instead of picking one: tier (or binary) classifiers, on a study run's models.

    python bench/bench_topk_average.py RUN DATASET TEST_SPLIT [--task tiers] [--seed S]   # e.g. runs/matr matr test1

RUN is an output folder of `python main.py --dataset DATASET --seed S --out RUN` (its `models/` and descriptor `cache/`).
For each window's `lightgbm` classifier of TASK: the same search `fit_model` runs (its grid, 5-fold x 3 repeats
stratified on the classes, seed S) on the descriptors the saved model uses; the best candidate refitted (it must give
the saved model's test score: printed as a check) and the mean probabilities of the best 3, 5 and 7 candidates.
Printed: the candidates' CV scores and the TEST_SPLIT macro-F1 (tiers) or accuracy (binary) of each. Nothing here is
used by the study (docs/model.md, seventh round); it reads the test split only to report.
"""
import argparse, warnings
import numpy as np
from sklearn.base import clone
from sklearn.metrics import f1_score, accuracy_score
from sklearn.model_selection import ParameterGrid
from battery_ssb.model import load_models, study_inputs, model_spec, cv_folds, grid_search, scorer, LifeThresholdClassifier
from battery_ssb.data import load_dataset

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run"); ap.add_argument("dataset"); ap.add_argument("test_split")
    ap.add_argument("--task", default="tiers"); ap.add_argument("--seed", type=int, default=0, help="the run's --seed")
    a = ap.parse_args(); warnings.filterwarnings("ignore")
    fitted = {f.name: f for f in load_models(f"{a.run}/models")}
    cohort = load_dataset(a.dataset)
    feats, labels, _ = study_inputs(cohort, windows=sorted({f.window for f in fitted.values()}), cache_dir=f"{a.run}/cache")
    for w in sorted(feats):
        f = fitted.get(f"{a.task}_w{w}_lightgbm")
        if f is None or isinstance(f.estimator, LifeThresholdClassifier): print(f"window {w}: no direct lightgbm classifier"); continue
        F = feats[w]; split = cohort.cells.loc[F.X.index, "split"]
        tr, te = F.X.index[split.eq("train")], F.X.index[split.eq(a.test_split)]
        y, yt = labels.loc[tr, a.task].to_numpy(int), labels.loc[te, a.task].to_numpy(int)
        est, _, grid = model_spec("lightgbm", a.task, w, list(F.X.columns), F.pairs[0] if F.pairs else None, y, a.seed)
        X, Xt = F.X.loc[tr, f.features], F.X.loc[te, f.features]
        cv, _ = cv_folds(y, len(X), 5, 3, a.seed)
        est = est.set_params(calibrate=False)   # as fit_model searches: calibration on the final fit only
        _, _, means = grid_search(est, grid, X, y, cv, scorer(a.task))
        cands = list(ParameterGrid(grid)); order = np.argsort(-np.where(np.isnan(means), -np.inf, means), kind="stable")
        P = np.array([clone(est).set_params(**cands[i], calibrate=True).fit(X, y).predict_proba(Xt) for i in order[:7]])
        score = (lambda p: f1_score(yt, p.argmax(1), average="macro")) if a.task == "tiers" else (lambda p: accuracy_score(yt, p.argmax(1)))
        print(f"window {w}: {len(cands)} candidates, best CV scores {np.round(means[order[:7]], 3).tolist()}; {a.test_split}: "
              f"saved model {score(f.estimator.predict_proba(Xt)):.3f}, best {score(P[0]):.3f}, "
              + ", ".join(f"mean of best {k} {score(P[:k].mean(0)):.3f}" for k in (3, 5, 7)))

if __name__ == "__main__": main()
