"""Model files that were truncated, tampered with or half written: a one-line error naming the file, never a LightGBM abort.

Each case runs `battery-ssb predict` (or `load_model`) in a child process, so that a native abort (SIGABRT inside
LightGBM, what a malformed model text causes without the checks) fails the test instead of killing pytest."""
import hashlib, json, shutil, subprocess, sys
import numpy as np
import pandas as pd
import pytest
from conftest import REPO

CLI = "import sys; from battery_ssb.cli import main; sys.exit(main(sys.argv[1:]))"


def _rehash(folder, name):
    "Make MANIFEST.json agree with an edited file (what a careless copy or a forger does): the checks behind it must hold."
    m = json.loads((folder / "MANIFEST.json").read_text())
    m["files"][name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    (folder / "MANIFEST.json").write_text(json.dumps(m))


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    "A models folder as train_models writes it: a 3-tier LightGBM classifier and a regressor, MANIFEST.json complete."
    from battery_ssb.model import PriorBoostClassifier, PriorBoostRegressor, save_model, _add_to_manifest
    rng = np.random.default_rng(1)
    X = pd.DataFrame(rng.normal(size=(90, 6)), columns=[f"d{i}" for i in range(6)])
    y = np.digitize(X.d0 + 0.3 * X.d1, [-0.5, 0.5])
    d = tmp_path_factory.mktemp("models") / "models"
    meta = dict(window=5, descriptors=list(X.columns), best_params={}, cv_score=0.5, tier_edges=[400.0, 700.0])
    save_model(PriorBoostClassifier(n_estimators=40, num_leaves=5).fit(X, y), d, "tiers_w5_lightgbm",
               dict(meta, task="tiers", model="lightgbm"))
    save_model(PriorBoostRegressor(n_estimators=40, num_leaves=5).fit(X, 2.5 + 0.2 * X.d0), d, "cycle_life_w5_lightgbm",
               dict(meta, task="cycle_life", model="lightgbm"))
    _add_to_manifest(d, [], complete=True, models=["cycle_life_w5_lightgbm", "tiers_w5_lightgbm"])
    return d


def _predict(folder, tmp_path):
    cell = tmp_path / "cell.csv"; cell.write_text("never read: the models are checked first\n")
    return subprocess.run([sys.executable, "-c", CLI, "predict", "--model", str(folder), str(cell), "--out",
                           str(tmp_path / "p.csv")], cwd=REPO, capture_output=True, text=True)


def _swap_names(t):
    d = json.loads(t); d["features"][:2] = d["features"][1::-1]; d["descriptors"] = d["features"]; return json.dumps(d)


CASES = {   # name: (file, edit of its text, rehash the manifest, expected words of the one line)
    "truncated text": ("tiers_w5_lightgbm.txt", lambda t: t[: len(t) // 3], False, "its SHA-256 differs from the one in MANIFEST.json"),
    "truncated text, manifest agreeing": ("tiers_w5_lightgbm.txt", lambda t: t[: len(t) // 3], True, "the text is truncated"),
    "stale tree_sizes": ("tiers_w5_lightgbm.txt", lambda t: t.replace("tree_sizes=", "tree_sizes=9", 1), True, "tree_sizes add up to"),
    "zero-byte text": ("cycle_life_w5_lightgbm.txt", lambda t: "", True, "expected a 'tree' header"),
    "descriptor names swapped": ("tiers_w5_lightgbm.json", _swap_names, False, "its SHA-256 differs"),
    "descriptor names swapped, manifest agreeing": ("tiers_w5_lightgbm.json", _swap_names, True, "the text belongs to another model"),
    "temperature changed": ("tiers_w5_lightgbm.json", lambda t: json.dumps(dict(json.loads(t), temperature=0.1)), False, "its SHA-256 differs"),
    "prior removed": ("tiers_w5_lightgbm.json", lambda t: json.dumps(dict(json.loads(t), prior=None)), False, "its SHA-256 differs"),
    "booster_file /etc/passwd": ("cycle_life_w5_lightgbm.json", lambda t: t.replace('"cycle_life_w5_lightgbm.txt"', '"/etc/passwd"'),
                                 True, "booster_file '/etc/passwd': expected 'cycle_life_w5_lightgbm.txt' in the same folder"),
    "booster_file ../": ("cycle_life_w5_lightgbm.json", lambda t: t.replace('"cycle_life_w5_lightgbm.txt"', '"../models/tiers_w5_lightgbm.txt"'),
                         True, "booster_file '../models/tiers_w5_lightgbm.txt'"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_tampered_model_is_one_line_naming_the_file(models, tmp_path, case):
    name, edit, rehash, words = CASES[case]
    bad = tmp_path / "models"; shutil.copytree(models, bad)
    (bad / name).write_text(edit((bad / name).read_text()))
    if rehash: _rehash(bad, name)
    r = _predict(bad, tmp_path)
    assert r.returncode == 2, (r.returncode, r.stderr[-2000:])      # -6 would be LightGBM's abort
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0] and str(bad) in lines[0], r.stderr


@pytest.mark.parametrize("case", ["missing text", "missing manifest", "half-written (not complete)"])
def test_incomplete_models_folder_names_what_is_missing(models, tmp_path, case):
    bad = tmp_path / "models"; shutil.copytree(models, bad)
    if case == "missing text":
        (bad / "cycle_life_w5_lightgbm.txt").unlink(); words = "missing: cycle_life_w5_lightgbm.txt"
    elif case == "missing manifest":
        (bad / "MANIFEST.json").unlink(); words = "no MANIFEST.json"
    else:
        m = json.loads((bad / "MANIFEST.json").read_text()); m.pop("complete")
        (bad / "MANIFEST.json").write_text(json.dumps(m)); words = "does not mark the folder complete"
    r = _predict(bad, tmp_path)
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1 and words in lines[0], r.stderr


FUZZ = r'''
import json, hashlib, sys, random
from pathlib import Path
import numpy as np, pandas as pd
from battery_ssb.data import DataError
from battery_ssb.model import load_model
d = Path(sys.argv[1]); name = "tiers_w5_lightgbm"; good = (d / f"{name}.txt").read_text()
rnd = random.Random(0); out = {"DataError": 0, "loaded": 0}
X = pd.DataFrame(np.zeros((3, 6)), columns=[f"d{i}" for i in range(6)])
def mutations():
    lines = good.split("\n")
    for _ in range(25): yield good[: rnd.randrange(len(good))]                        # truncated anywhere
    end = good.index("end of trees")
    for _ in range(20): yield good[: rnd.randrange(end, len(good))]                     # ... in LightGBM's closing sections
    for _ in range(25):                                                                 # a line dropped
        k = rnd.randrange(len(lines)); yield "\n".join(lines[:k] + lines[k + 1:])
    for _ in range(40):                                                                 # a digit changed
        i = rnd.choice([m for m in range(len(good)) if good[m].isdigit()]); yield good[:i] + str((int(good[i]) + 7) % 10) + good[i + 1:]
for t in mutations():
    (d / f"{name}.txt").write_text(t)
    m = json.loads((d / "MANIFEST.json").read_text()); m["files"][f"{name}.txt"] = hashlib.sha256(t.encode()).hexdigest()
    (d / "MANIFEST.json").write_text(json.dumps(m))
    try: est, _ = load_model(d / f"{name}.json"); est.predict_proba(X); out["loaded"] += 1
    except DataError: out["DataError"] += 1
print(json.dumps(out))
'''


def test_no_corruption_of_the_model_text_aborts_the_process(models, tmp_path):
    """110 truncations, dropped lines and changed digits of a LightGBM text (with the manifest made to agree, so that
    the structural checks alone stand between the text and LightGBM): each is a DataError or a model that loads
    and predicts; none kills the process."""
    bad = tmp_path / "models"; shutil.copytree(models, bad)
    r = subprocess.run([sys.executable, "-c", FUZZ, str(bad)], cwd=REPO, capture_output=True, text=True)
    assert r.returncode == 0, (r.returncode, r.stderr[-2000:])
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["DataError"] + out["loaded"] == 110 and out["DataError"] >= 60, out


def test_infinite_split_threshold_is_a_valid_model(models):
    """LightGBM writes `inf` as a split threshold when a descriptor holds infinite values (seen in the fast-formation
    study): the text check accepts it; a NaN threshold is still refused."""
    from battery_ssb.data import DataError
    from battery_ssb.model import check_booster_text
    text = (models / "cycle_life_w5_lightgbm.txt").read_text()
    feats = json.loads((models / "cycle_life_w5_lightgbm.json").read_text())["descriptors"]
    lines = text.split("\n"); k = next(i for i, l in enumerate(lines) if l.startswith("threshold="))
    vals = lines[k].split("=", 1)[1].split()
    for bad, ok in (("inf", True), ("-inf", True), ("nan", False)):
        lines2 = list(lines); lines2[k] = "threshold=" + " ".join(vals[:-1] + [bad.ljust(len(vals[-1]))])   # tree_sizes kept
        if ok: check_booster_text("\n".join(lines2), feats, 0)
        else:
            with pytest.raises(DataError, match="non-finite"): check_booster_text("\n".join(lines2), feats, 0)
