"""How much a study's test numbers move with the seed alone (a printed table, not a test).

    python bench/bench_seeds.py --dataset matr --seeds 0 1 2 3 4 [--runs DIR]

Runs `python main.py --dataset D --seed S --quiet` for each seed into DIR/seed<S> (kept; a run already there is
read, not redone) and prints, per headline record (task, window, model, split), its value at each seed and their
mean, standard deviation and range; then the test coverage of the 80 % life intervals (joint answer, blend's
conformal) at each seed. The seed moves the CV folds (and so every CV choice), LightGBM's row
subsampling and the pairwise model's reference draw; the cells and the split stay the same (MATR's split is fixed;
seeded splits, e.g. XJTU's, move with it too). Differences between two versions of the model smaller than this spread
are not evidence either way.
"""
import argparse, json, subprocess, sys, tempfile
from pathlib import Path
import numpy as np

REPO = Path(__file__).resolve().parent.parent
HEADLINE = [("binary", 5, "lightgbm"), ("binary", 100, "lightgbm"), ("tiers", 5, "lightgbm_joint"), ("tiers", 100, "lightgbm_joint"),
            ("tiers", 5, "lightgbm"), ("tiers", 100, "lightgbm"), ("cycle_life", 5, "lightgbm_blend"), ("cycle_life", 100, "lightgbm_blend"),
            ("cycle_life", 5, "lightgbm"), ("cycle_life", 100, "lightgbm"), ("cycle_life", 100, "elastic_net")]
METRIC = {"binary": "accuracy", "tiers": "macro_f1", "cycle_life": "rmse"}

def value(rec):
    return rec[METRIC["binary" if rec["task"].startswith("binary_") else rec["task"]]]

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", default="matr"); ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    ap.add_argument("--runs", default=None, help="folder of the runs (default: a new temporary folder)")
    a = ap.parse_args()
    runs = Path(a.runs or tempfile.mkdtemp()); table, cover = {}, {}
    for s in a.seeds:
        out = runs / f"seed{s}"
        if not (out / "metrics.json").exists():
            r = subprocess.run([sys.executable, "main.py", "--dataset", a.dataset, "--seed", str(s), "--out", str(out),
                                "--figures-dir", str(out / "figures"), "--quiet"], cwd=REPO, capture_output=True, text=True)
            if r.returncode: sys.exit(f"seed {s}: main.py failed:\n{r.stderr[-2000:]}")
        m = json.loads((out / "metrics.json").read_text())
        for rec in m["results"]:
            kind = "binary" if rec["task"].startswith("binary_") else rec["task"]
            if (kind, rec["window"], rec["model"]) in HEADLINE and rec["split"] != "train":
                table.setdefault((rec["task"], rec["window"], rec["model"], rec["split"]), {})[s] = value(rec)
        for c in m.get("interval_coverage", []):   # the 80 % life intervals' coverage (joint answer, blend's conformal)
            if c["level"] == 0.8 and c["model"] in ("lightgbm_joint", "lightgbm_blend_conformal") and c["split"] != "train":
                cover.setdefault((c["model"], c["window"], c["split"]), {})[s] = c["coverage"]
    print(f"{a.dataset}: test records at seeds {a.seeds} (accuracy, macro-F1 or RMSE in cycles); runs in {runs}")
    for (t, w, mdl, sp), v in sorted(table.items(), key=lambda kv: (kv[0][3], HEADLINE.index(("binary" if kv[0][0].startswith("binary_") else kv[0][0], kv[0][1], kv[0][2])))):
        x = np.array([v.get(s, np.nan) for s in a.seeds], float)
        print(f"  {sp:8s} {t:12s} w{w:<4d} {mdl:16s} " + " ".join(f"{q:8.3f}" for q in x)
              + f"   mean {np.nanmean(x):8.3f}  sd {np.nanstd(x, ddof=1):7.3f}  range {np.nanmin(x):.3f}-{np.nanmax(x):.3f}")
    print("80 % life interval coverage on test (share of cells inside)")
    for (mdl, w, sp), v in sorted(cover.items(), key=lambda kv: (kv[0][2], kv[0][0], kv[0][1])):
        x = np.array([v.get(s, np.nan) for s in a.seeds], float)
        print(f"  {sp:8s} {mdl:26s} w{w:<4d} " + " ".join(f"{q:8.3f}" for q in x) + f"   range {np.nanmin(x):.3f}-{np.nanmax(x):.3f}")
