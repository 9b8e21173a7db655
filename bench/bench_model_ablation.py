"""Ablation of the model's pieces (issue 9): each piece on/off, chosen by cross-validation on the training split only,
scored on every other split (and, for MATR, test1 without Severson's outlier cell).

Variants of the LightGBM model, each a part of `model_spec('lightgbm_curve')`'s grid, searched with `fit_model`'s rule
(`cv_folds`: repeated stratified K-fold on train, 3 repeats below LARGE_N cells, a seeded sample of MAX_CANDIDATES
configurations from LARGE_N cells on):
  plain        LightGBM without any prior
  var_prior    + the one-descriptor prior (log10 var ΔQ): the `lightgbm` model before issue 9
  stacked      trees on the residuals of an elastic net (logistic for classes) of Severson's discharge descriptors
  curve        trees on the residuals of a PCR: PCA scores of the ΔQ(V) curve (CurveScores, fitted in each training fold)
  lightgbm     the study's `lightgbm` as configured (CV chooses among plain, var_prior and, if on, stacked / curve)
  all          CV chooses among all four priors
and the pieces of issue 9's second round, each a CV choice on train (what CV makes of them decides, not test):
  bagged       `lightgbm`'s grid x n_seeds in {1, 5} (seed bagging: 5 LightGBM seeds averaged); from LARGE_N cells the
               same 8 sampled configurations as `lightgbm`, each with and without the option (sample_grid)
  monotone     `lightgbm`'s grid x monotone in {False, True} (MONOTONE_LIFE signs; not for tiers: a softmax has no one sign)
  bag_mono     both
  blend        cycle life: BlendRegressor of `lightgbm`'s and `pairwise`'s CV-chosen configurations, the weight of the
               pairwise part from BLEND_WEIGHTS by cv_blend on the same folds (0: `lightgbm`, 1: `pairwise`)
  threshold    classes: LifeThresholdClassifier, the life regressor's grid (`lightgbm`'s) searched for the task's own
               score on the classifier's folds; its probabilities from the OOF residual spread
and `pairwise` (PairwiseRegressor; cycle life only, not in the study) and the linear `elastic_net` baseline. For
cycle_life: coverage of the 80 % life interval on each split, conformal (`life_interval`: training out-of-fold
quantile) and normal (± 1.2816 × out-of-fold RMSE, what the joint answer uses).

`cv_chosen` at the end: per task and window, the variant with the best CV score among lightgbm, bagged, monotone,
bag_mono, blend and threshold (what a study offering all of them would use), with its test numbers.
Classifiers: `logloss` of their probabilities on each split (calibrated LightGBM; threshold: normal OOF spread).

Prints a table and writes JSON lines. Usage:
  BATTERY_SSB_DATA=/work/shared/data python bench/bench_model_ablation.py --dataset matr [--out FILE.jsonl]
"""
import argparse, json, tempfile, time
from pathlib import Path
import numpy as np, pandas as pd
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, ParameterGrid, ParameterSampler
from battery_ssb.data import DATASETS, study_cohort
from battery_ssb import model as M
from battery_ssb.features import is_curve
from battery_ssb.evaluation import MATR_OUTLIER, regression_metrics, classification_metrics

ap = argparse.ArgumentParser()
ap.add_argument("--dataset", default="matr"); ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--tasks", default="cycle_life,tiers,binary"); ap.add_argument("--windows", default=None, help="e.g. 5,100 (default: the dataset's)")
ap.add_argument("--variants", default="plain,var_prior,stacked,curve,lightgbm,all,pairwise,elastic_net,bagged,monotone,bag_mono,blend,threshold",
                help="pairwise costs n_train^2 pair rows per fit: minutes from ~200 training cells"); ap.add_argument("--out", default=None)
ap.add_argument("--n-jobs", type=int, default=1)
ap.add_argument("--task-windows", default=None, help="e.g. cycle_life:100,binary:5,tiers:5+100 (default: every task at every window)")
ap.add_argument("--stacked", action="store_true", help="set STACKED_PRIOR = True (the `lightgbm` variant and what builds on it)")
ap.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "battery_ssb_ablation_cache"))
a = ap.parse_args()

if a.stacked: M.STACKED_PRIOR = True
t0 = time.perf_counter()
co = study_cohort(a.dataset, None, seed=a.seed, cache_dir=Path(a.cache) / a.dataset)
st = M.dataset_settings(a.dataset)
windows = tuple(map(int, a.windows.split(","))) if a.windows else st["windows"]
features, labels, edges = M.study_inputs(co, windows, DATASETS.get(a.dataset, {}).get("peak_range_V"),
                                         binary_threshold=st["binary_threshold"], cache_dir=Path(a.cache) / a.dataset,
                                         curve_points=M.CURVE_POINTS)
cells = co.cells; tr_idx = cells.index[cells.split == "train"]
splits = [s for s in dict.fromkeys(cells.split) if s != "train"]
subsets = {s: cells.index[cells.split == s] for s in splits}
if a.dataset == "matr" and MATR_OUTLIER in cells.index:
    subsets["test1 excl. outlier"] = subsets["test1"].drop(MATR_OUTLIER)
binary = next(c for c in labels.columns if c.startswith("binary_"))
tasks = [binary if t == "binary" else t for t in a.tasks.split(",")]
task_windows = None if a.task_windows is None else {
    (binary if k == "binary" else k): set(map(int, v.split("+"))) for k, v in (kv.split(":") for kv in a.task_windows.split(","))}
EXTRA = {"bagged": dict(n_seeds=[1, 5]), "monotone": dict(monotone=[False, True]), "bag_mono": dict(n_seeds=[1, 5], monotone=[False, True])}


def part(g):
    "Which prior a part of the grid offers."
    if g.get("curve_pcs"): return "curve"
    if any(isinstance(p, list) for p in g["prior_feature"]): return "stacked"
    return "one"


def variant_grid(grid, variant):
    "The part of `model_spec('lightgbm_curve')`'s grid that `variant` may choose from (None: that piece does not apply)."
    parts = grid if isinstance(grid, list) else [grid]
    one = next(g for g in parts if part(g) == "one")
    if variant == "all": return parts
    if variant in EXTRA: return [dict(g, **EXTRA[variant]) for g in variant_grid(grid, "lightgbm")]
    if variant == "lightgbm":
        return [g for g in parts if part(g) == "one" or (part(g) == "stacked" and M.STACKED_PRIOR) or (part(g) == "curve" and M.CURVE_PRIOR)]
    if variant in ("stacked", "curve"): return [g for g in parts if part(g) == variant] or None
    if variant == "plain": return [dict(one, prior_feature=[None])]
    if variant == "var_prior": return [dict(one, prior_feature=[f for f in one["prior_feature"] if f is not None])] if len(one["prior_feature"]) > 1 else None


def folds(task, target, strata, n):
    "fit_model's folds: repeated stratified K-fold (classes; terciles or the given strata for life)."
    s = np.asarray(strata if strata is not None else (target if task != "cycle_life" else np.digitize(target, np.quantile(target, [1 / 3, 2 / 3]))))
    return M.cv_folds(s, n, 5, 3 if n < M.LARGE_N else 1, a.seed, regression=task == "cycle_life")[0]


def sampled(grid, n):
    "fit_model's rule: from LARGE_N cells on, a seeded sample of MAX_CANDIDATES configurations (crossed with bagging / monotone options)."
    return M.sample_grid(grid, a.seed) if n >= M.LARGE_N else grid


fitted = {}   # (task, window, variant) -> (estimator, params, cv score, descriptors): blend builds on lightgbm and pairwise


def fit_threshold(task, w, X, y):
    "LifeThresholdClassifier: the life regressor's grid searched for the task's score on the classifier's folds."
    pair = features[w].pairs[0] if features[w].pairs else None
    life = labels.loc[X.index, "cycle_life"].to_numpy(float); target = y.to_numpy(int)
    spec = M.model_spec("lightgbm", "cycle_life", w, list(X.columns), pair, None, a.seed)
    if spec is None: return (None,) * 4
    reg, feats, grid = spec
    Xm = X[feats]; e = tuple(edges) if task == "tiers" else (float(st["binary_threshold"]),)
    grid = sampled(grid, len(Xm))
    grid = [{f"regressor__{k}": v for k, v in g.items()} for g in (grid if isinstance(grid, list) else [grid])]
    est = M.LifeThresholdClassifier(reg, edges=e, calibrate=False, random_state=a.seed)
    gs = GridSearchCV(est, grid, cv=folds(task, target, None, len(Xm)), scoring=M.scorer(task), refit=False,
                      error_score="raise", n_jobs=a.n_jobs).fit(Xm, target, life=life)
    best = gs.best_params_
    final = clone(est).set_params(**best, calibrate=True).fit(Xm, target, life=life)
    return final, {k.removeprefix("regressor__"): v for k, v in best.items()}, float(gs.best_score_), feats


def fit_blend(w, X, y, strata):
    "BlendRegressor of lightgbm's and pairwise's CV-chosen configurations; the weight by cv_blend on the same folds."
    one, two = fitted.get(("cycle_life", w, "lightgbm")), fitted.get(("cycle_life", w, "pairwise"))
    if one is None or two is None or one[0] is None or two[0] is None:
        raise SystemExit("blend needs the lightgbm and pairwise variants first (in --variants, before blend)")
    if one[3] != two[3]: raise SystemExit(f"blend: lightgbm and pairwise descriptors differ ({len(one[3])} vs {len(two[3])})")
    t = np.log10(y.to_numpy(float)); Xm = X[one[3]]
    cvs = M.cv_blend(clone(one[0]), clone(two[0]), Xm, t, folds("cycle_life", t, strata, len(Xm)), n_jobs=a.n_jobs)
    wbest = min(cvs, key=lambda k: (round(cvs[k], 9), k))   # ties: the smaller pairwise weight
    final = M.BlendRegressor(clone(one[0]), clone(two[0]), wbest).fit(Xm, t)
    return final, dict(weight=wbest, cv_by_weight={str(k): round(v, 2) for k, v in cvs.items()}), cvs[wbest], one[3]


def fit_variant(variant, task, w, X, y, strata):
    "fit_model's search (same folds, sampling rule and scorer) restricted to `variant`'s grid; (estimator, params, cv score, descriptors)."
    pair = features[w].pairs[0] if features[w].pairs else None
    target = np.log10(y.to_numpy(float)) if task == "cycle_life" else y.to_numpy(int)
    if variant == "threshold": return fit_threshold(task, w, X, y) if task != "cycle_life" else (None,) * 4
    if variant == "blend": return fit_blend(w, X, y, strata) if task == "cycle_life" else (None,) * 4
    if variant in ("monotone", "bag_mono") and task == "tiers": return (None,) * 4   # a softmax: no constraint applies
    if variant in ("elastic_net", "pairwise"):
        fm = M.fit_model(variant, task, w, X[[c for c in X.columns if not is_curve(c)]], y, pair, strata, a.seed, n_jobs=a.n_jobs)
        return (None,) * 4 if fm is None else (fm.estimator, fm.best_params, fm.cv_score, fm.features)
    spec = M.model_spec("lightgbm_curve", task, w, list(X.columns), pair, None if task == "cycle_life" else target, a.seed)
    if spec is None: return (None,) * 4
    est, feats, grid = spec
    grid = variant_grid(grid, variant)
    if not grid: return (None,) * 4
    if not any(part(g) == "curve" for g in grid): feats = [c for c in feats if not is_curve(c)]
    Xm = X[feats]
    cv = folds(task, target, strata, len(Xm))
    grid = sampled(grid, len(Xm))
    if isinstance(est, M.PriorBoostClassifier): est = est.set_params(calibrate=False)
    gs = GridSearchCV(est, grid, cv=cv, scoring=M.scorer(task), refit=False, error_score="raise", n_jobs=a.n_jobs).fit(Xm, target)
    best = gs.best_params_
    if not best.get("curve_pcs"): feats = [c for c in feats if not is_curve(c)]; Xm = X[feats]
    final = clone(est).set_params(**best)
    if isinstance(final, M.PriorBoostClassifier): final.set_params(calibrate=True)
    return final.fit(Xm, target), best, float(gs.best_score_) * (-1 if task == "cycle_life" else 1), feats


def chosen(params):
    "What CV chose, in a few words."
    if params is None: return ""
    if "weight" in params: return f"pairwise weight {params['weight']:g}; CV by weight {params['cv_by_weight']}"
    p = params.get("prior_feature")
    prior = ("curve PCA x%d" % params["curve_pcs"] if params.get("curve_pcs") else
             "stacked" + (f" a={params['prior_alpha']}" if params.get("prior_alpha") else "") if isinstance(p, list) else
             "var" if p else "none")
    trees = ",".join(f"{k[:3]}={v}" for k, v in params.items() if k in ("num_leaves", "min_child_samples", "n_estimators", "reg_lambda", "n_seeds", "monotone"))
    return f"{prior}; {trees}"


rows = []
for task in tasks:
    for w in sorted(features):
        F = features[w]; trw = F.X.index.intersection(tr_idx); X, y = F.X.loc[trw], labels.loc[trw, task]
        strata = labels.loc[trw, "tiers"] if task == "cycle_life" else None
        if task_windows is not None and w not in task_windows.get(task, ()): continue
        for variant in a.variants.split(","):
            t = time.perf_counter()
            est, params, cvs, feats = fit_variant(variant, task, w, X, y, strata)
            fitted[(task, w, variant)] = (est, params, cvs, feats)
            if est is None: continue
            row = dict(dataset=a.dataset, task=task, window=w, variant=variant, n_train=len(trw), cv_score=round(cvs, 4),
                       chosen=chosen(params) if variant not in ("elastic_net",) else "", fit_s=round(time.perf_counter() - t, 1))
            if task == "cycle_life":
                r = M.oof_log10_residuals(est, X[feats], y, strata, a.seed, n_jobs=a.n_jobs)
                q80, sd = M.conformal_halfwidth(r, 0.8), float(np.sqrt(np.mean(r ** 2)))
            for name, idx in subsets.items():
                idx = F.X.index.intersection(idx)
                if len(idx) == 0: continue
                p = est.predict(F.X.loc[idx, feats]); yt = labels.loc[idx, task].to_numpy()
                if task == "cycle_life":
                    row[f"{name} rmse"] = round(regression_metrics(yt, 10 ** p)["rmse"], 1)
                    yl = np.log10(yt.astype(float))
                    row[f"{name} cover80 conf"] = round(float(np.mean(np.abs(yl - p) <= q80)), 3)
                    row[f"{name} cover80 norm"] = round(float(np.mean(np.abs(yl - p) <= 1.2816 * sd)), 3)
                else:
                    m = classification_metrics(yt.astype(int), p)
                    row[f"{name} {'macro_f1' if task == 'tiers' else 'accuracy'}"] = round(m["macro_f1" if task == "tiers" else "accuracy"], 3)
                    if hasattr(est, "predict_proba") and name != "test1 excl. outlier":
                        pr = np.clip(est.predict_proba(F.X.loc[idx, feats]), 1e-6, 1); yi = yt.astype(int)
                        row[f"{name} logloss"] = round(float(-np.mean(np.log(pr[np.arange(len(yi)), yi] / pr.sum(1)))), 3)
            rows.append(row); print(json.dumps(row), flush=True)

df = pd.DataFrame(rows)
with pd.option_context("display.width", 250, "display.max_columns", 40, "display.max_colwidth", 40):
    for task, g in df.groupby("task", sort=False):
        print(g.dropna(axis=1, how="all").drop(columns=["dataset", "task"]).to_string(index=False))
CHOICES = ("lightgbm", "bagged", "monotone", "bag_mono", "blend", "threshold")
print("cv_chosen: the best CV score on train among", ", ".join(CHOICES))
for (task, w), g in df[df.variant.isin(CHOICES)].groupby(["task", "window"], sort=False):
    best = g.loc[g.cv_score.idxmin() if task == "cycle_life" else g.cv_score.idxmax()]
    print(f"  {task} w{w}: {best.variant} (CV {best.cv_score}) ->",
          ", ".join(f"{k} {v}" for k, v in best.items() if isinstance(k, str) and k.split(" ")[0] in subsets and not pd.isna(v)))
print(f"total {time.perf_counter() - t0:.0f} s")
if a.out: Path(a.out).write_text("".join(json.dumps(r) + "\n" for r in rows))
