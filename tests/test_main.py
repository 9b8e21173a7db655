"""`python main.py` end to end: its fixed metrics.json interface, any split folder, and the no-data message."""
import json, os, shutil, subprocess, sys
import numpy as np
import pytest
import pandas as pd
from pathlib import Path
from conftest import REPO

CLASS_KEYS = {"task", "window", "model", "split", "n_cells", "accuracy", "balanced_accuracy", "macro_f1"}
REG_KEYS = {"task", "window", "model", "split", "n_cells", "rmse", "mape"}


def test_no_data_is_one_clear_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "BATTERY_SSB_DATA"}
    r = subprocess.run([sys.executable, "main.py", "--dataset", "matr", "--out", str(tmp_path / "run")],
                       cwd=REPO, env=env, capture_output=True, text=True)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "BATTERY_SSB_DATA" in lines[0] and "--data-dir" in lines[0], r.stderr


def _with_extra_split(matr_dir, root):
    "The real train/test1 folders plus a `test2` folder in the same layout (the first 10 test1 cells again)."
    root.mkdir()
    for s in ("train", "test1"): (root / s).symlink_to(matr_dir / s)
    (root / "test2").mkdir(); (root / "cycle_lives").mkdir()
    for i in range(1, 11): (root / "test2" / f"cell{i}.csv").symlink_to(matr_dir / "test1" / f"cell{i}.csv")
    for s in ("train", "test1"):
        shutil.copy(matr_dir / "cycle_lives" / f"{s}_cycle_lives.csv", root / "cycle_lives")
    lives = (matr_dir / "cycle_lives" / "test1_cycle_lives.csv").read_text().split()[:10]
    (root / "cycle_lives" / "test2_cycle_lives.csv").write_text("\n".join(lives) + "\n")
    si = pd.read_csv(matr_dir / "severson_si_table9.csv")       # test2's SI rows: those of the cells it repeats
    si2 = si[si.Dataset == "Prim. Test"].head(10).assign(Dataset="Sec. Test")
    pd.concat([si, si2]).to_csv(root / "severson_si_table9.csv", index=False)
    return root


def test_main_end_to_end_on_real_data_with_an_unseen_split(matr_dir, tmp_path):
    data = _with_extra_split(matr_dir, tmp_path / "matr")
    out = tmp_path / "run"
    r = subprocess.run([sys.executable, "main.py", "--dataset", "matr", "--data-dir", str(data), "--out", str(out),
                        "--cv-repeats", "1"], cwd=REPO, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    doc = json.loads((out / "metrics.json").read_text())
    assert doc["dataset"] == "matr"
    res = doc["results"]
    assert {x["split"] for x in res} == {"train", "test1", "test2"}
    for x in res:
        assert set(x) == (REG_KEYS if x["task"] == "cycle_life" else CLASS_KEYS), x
        assert x["model"] in {"lightgbm", "lightgbm_blend", "lightgbm_joint", "severson_variance", "elastic_net", "dummy"} and x["window"] in (5, 100)
    keys = [(x["task"], x["window"], x["model"], x["split"]) for x in res]
    assert len(keys) == len(set(keys)) == (21 + 4 + 2) * 3   # + lightgbm_joint: tiers and cycle_life at each window; + lightgbm_blend: cycle_life
    get = {(x["task"], x["window"], x["model"], x["split"]): x for x in res}
    ex = doc["results_excl_outlier"]   # the papers' 42 cells of test1: every model's records and the joint answer's
    assert {(x["split"], x["n_cells"]) for x in ex} == {("test1 excl. outlier", 42)}
    assert all(set(x) == (REG_KEYS if x["task"] == "cycle_life" else CLASS_KEYS) for x in ex)
    assert {("tiers", 100, "lightgbm_joint"), ("tiers", 100, "elastic_net"), ("cycle_life", 100, "lightgbm_blend")} <= \
        {(x["task"], x["window"], x["model"]) for x in ex}
    assert get[("cycle_life", 100, "severson_variance", "test1")]["n_cells"] == 43
    assert get[("binary_550", 5, "lightgbm", "test2")]["n_cells"] == 10
    # test2 repeats test1's first ten cells: the same model must give the same predictions for them
    pred = pd.read_csv(out / "predictions.csv", index_col=["window", "cell"])
    a = pred.loc[[(100, f"test1/cell{i}") for i in range(1, 11)], "predicted_cycle_life"].to_numpy()
    b = pred.loc[[(100, f"test2/cell{i}") for i in range(1, 11)], "predicted_cycle_life"].to_numpy()
    assert np.allclose(a, b)   # so do their charging policies (conditions descriptors), read from the SI rows of test2
    assert any(d.startswith("cond_charge") for d in json.loads((out / "models" / "cycle_life_w5_lightgbm.json").read_text())["descriptors"])
    # models saved as LightGBM text + JSON, no pickles; exclusions reported; figures written
    assert (out / "models" / "tiers_w100_lightgbm.txt").read_text().startswith("tree")
    meta = json.loads((out / "models" / "tiers_w100_lightgbm.json").read_text())
    assert meta["tier_edges"] == doc["tier_edges"] and len(meta["training_data_sha256"]) == 64
    assert not list(out.rglob("*.pkl")) and not list(out.rglob("*.pickle"))
    report = pd.read_csv(out / "report.csv")
    assert (report.level == "excluded").sum() == doc["n_excluded"] > 0
    assert len(list((out / "figures").glob("*.png"))) >= 8
    from battery_ssb.cli import STUDY_NOTEBOOKS
    assert sorted(p.stem for p in (out / "notebooks").glob("*.ipynb")) == sorted(STUDY_NOTEBOOKS)


@pytest.fixture(scope="module")
def raw_run(tmp_path_factory):
    "A study run on a raw batch (the synthetic raw fixture: not batteries), windows 5 and 10."
    from battery_ssb.rawdata import write_raw_fixture
    tmp = tmp_path_factory.mktemp("raw")
    data = write_raw_fixture(tmp / "batch", {"train": 18, "test1": 6}, n_cycles=12, seed=7)
    out = tmp / "run"
    r = subprocess.run([sys.executable, "main.py", "--dataset", "raw", "--data-dir", str(data), "--out", str(out),
                        "--windows", "5", "10", "--cv-repeats", "1"], cwd=REPO, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    return out


def test_main_runs_unchanged_on_a_raw_dataset(raw_run):
    """The same notebooks and main.py on cells read from raw cycler files (the synthetic raw fixture: not batteries)."""
    out = raw_run
    doc = json.loads((out / "metrics.json").read_text())
    assert doc["dataset"] == "raw" and doc["data"].startswith("raw cycler files: 24 cells")
    assert {x["split"] for x in doc["results"]} == {"train", "test1"}
    assert {x["window"] for x in doc["results"]} == {5, 10}
    meta = json.loads((out / "models" / "tiers_w10_lightgbm.json").read_text())
    assert any(d.startswith("cv_tau_") for d in meta["descriptors"])          # raw-only families reach the model


# real exports of other labs and cyclers (shared/data/cycler-samples) and CALCE CS2_35 (LCO/graphite, 886 cycles)
SCREENED = {"CS2_35": "calce-cs2/CS2_35", "xTESLADIAG_000038": "cycler-samples/beep/maccor/xTESLADIAG_000038.078",
            "nw_regular_export_ife_example": "cycler-samples/cellpy/neware/nw_regular_export_ife_example.csv",
            "batmo_bdf": "cycler-samples/cellpy/bdf/batmo_bdf.csv",
            "p492-13-raw": "cycler-samples/battdat/batterydata/p492-13-raw.csv"}
TOO_SHORT = {"neware_uio": "cycler-samples/cellpy/neware/neware_uio.csv"}


def test_screening_real_cells_measured_differently(raw_run, tmp_path):
    """Models of a raw study screen real cells of other chemistries and cyclers: per cell the largest window it reaches,
    models refitted on the descriptors it has (said so), one coherent answer with an interval; too-short cells reported."""
    root = os.environ.get("BATTERY_SSB_DATA")
    if not root or not (Path(root) / "calce-cs2").is_dir() or not (Path(root) / "cycler-samples").is_dir():
        pytest.skip("BATTERY_SSB_DATA with calce-cs2/ and cycler-samples/ is not set: no real cells to screen")
    paths = [str(Path(root) / p) for p in {**SCREENED, **TOO_SHORT}.values()]
    r = subprocess.run([str(Path(sys.executable).parent / "battery-ssb"), "predict", "--model", str(raw_run / "models"), *paths,
                        "--out", str(tmp_path / "p.csv")], cwd=REPO, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    p = pd.read_csv(tmp_path / "p.csv").set_index("cell")
    assert set(p.index) == set(SCREENED)
    assert p.loc["CS2_35", "window"] == 10                       # counted from its cycle table (886 cycles, read to 10)
    assert p.model_used.str.startswith("refitted on").all()     # no temperature, another voltage window: said, not imputed
    assert (p.descriptors_missing.str.len() > 0).all() and (p.n_descriptors_out_of_range > 0).all()
    assert p.life_beyond_training.dtype == bool                    # extrapolated lives are flagged, not hidden
    assert (p.blend_cycle_life > 0).all() and (p.blend_life_conformal_lo80 <= p.blend_cycle_life).all()   # the blend, refitted alike
    edges = json.loads((raw_run / "models" / "tiers_w10_lightgbm.json").read_text())["tier_edges"]
    implied = np.asarray(["short", "medium", "long"])[np.digitize(p.predicted_cycle_life, edges)]
    assert (implied == p.predicted_tier).all()                    # tier and life agree, by construction
    assert ((p.life_low <= p.predicted_cycle_life) & (p.predicted_cycle_life <= p.life_high)).all()
    assert np.allclose(p[["p_short", "p_medium", "p_long"]].sum(axis=1), 1)
    assert p[["reason1", "reason2", "reason3"]].notna().all().all()
    rep = pd.read_csv(tmp_path / "p.report.csv")
    short = rep[(rep.stage == "screen") & (rep.cell == "neware_uio")]
    assert len(short) == 1 and "the models need the first [5, 10] cycles" in short.reason.iloc[0]
    assert "windows used" in r.stderr and "not screened" in r.stderr


def test_main_simulated_default_needs_no_data(tmp_path, monkeypatch):
    """The embedded default: the simulated Li|LLZO|NMC cohort, with no data configured (a small cohort, one window here: the
    raw and MATR runs above cover two windows)."""
    env = {k: v for k, v in os.environ.items() if k != "BATTERY_SSB_DATA"}
    out = tmp_path / "run"
    r = subprocess.run([sys.executable, "main.py", "--n-cells", "40", "--windows", "10", "--cv-repeats", "1",
                        "--out", str(out)], cwd=REPO, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    doc = json.loads((out / "metrics.json").read_text())
    assert doc["dataset"] == "ssb-sim" and doc["data"].startswith("SIMULATED")
    assert {x["split"] for x in doc["results"]} == {"train", "test"}
    mech = pd.read_csv(out / "shap_by_mechanism.csv")
    assert {"model", "descriptor"} <= set(mech.columns) and len(mech.columns) >= 4   # one column per mechanism seen
    assert (out / "figures" / "shap_by_mechanism_tiers_w10_lightgbm.png").exists()
    # the oracle bounds stand beside the models, and the gap each model closes is written
    models = {x["model"] for x in doc["results"] if x["split"] == "test"}
    assert {"oracle_rerun", "oracle_hidden", "oracle_fingerprints", "lightgbm", "dummy"} <= models
    assert {g["model"] for g in doc["oracle_gap"]} >= {"lightgbm"}
    preds = pd.read_csv(out / "predictions.csv")
    assert preds.mechanism.notna().all() and set(preds.mechanism) <= {"li_void", "ccd_short", "contact_loss",
                                                                        "li_inventory", "interphase", "self_discharge"}
    cal = pd.read_csv(out / "calibration.csv")
    assert {"ccd_mA_cm2", "csc_mA_cm2"} <= set(cal.quantity) and (out / "figures" / "calibration.png").exists()
    # screening the test cells as an unlabeled batch with the saved models gives the study's own predictions
    from battery_ssb.data import Cohort
    from battery_ssb.evaluation import screen
    from battery_ssb.labels import TIER_NAMES
    co = Cohort.load(next((out / "cache").glob("ssb-sim-*")))
    batch = co.split("test"); batch.cells = batch.cells.assign(cycle_life=np.nan)
    sc = screen(out / "models", batch)
    assert (sc.model_used == "as trained").all()   # cells of the training distribution: the models as trained
    w = int(sc.window.iloc[0]); p = preds[preds.window == w].set_index("cell")
    same = p.index.intersection(sc.index)
    # the joint answer's life model: the regressor or its pairwise blend, whichever has the lower CV RMSE (ties: the regressor)
    cv = {m: json.loads((out / "models" / f"cycle_life_w{w}_{m}.json").read_text())["cv_score"] for m in ("lightgbm", "lightgbm_blend")}
    chosen = "lightgbm_blend" if cv["lightgbm_blend"] < cv["lightgbm"] else "lightgbm"
    assert set(p.joint_life_model) == set(sc.joint_life_model[sc.window == w]) == {chosen}, (cv, set(p.joint_life_model))
    assert len(same) and (sc.loc[same, "predicted_tier"] == p.loc[same, "predicted_tier"]).all()
    assert np.allclose(sc.loc[same, "predicted_cycle_life"], p.loc[same, "predicted_cycle_life"], rtol=1e-9)
    assert np.allclose(sc[[f"p_{t}" for t in TIER_NAMES]].sum(axis=1), 1.0)
    # the life model's conformal intervals: predict's the same as predictions.csv's; coverage at each level; calibration
    cc = [c for c in sc.columns if c.startswith("life_conformal_")]
    assert cc == ["life_conformal_lo80", "life_conformal_hi80", "life_conformal_lo90", "life_conformal_hi90"]
    assert np.allclose(sc.loc[same, cc], p.loc[same, cc], rtol=1e-9)
    bc = ["blend_cycle_life"] + ["blend_" + c for c in cc]   # the pairwise blend's life and intervals, alike
    assert np.allclose(sc.loc[same, bc], p.loc[same, bc], rtol=1e-9) and sc.blend_cycle_life.notna().all()
    assert {(c["model"], c["level"]) for c in doc["interval_coverage"] if c["split"] == "test"} == \
        {("lightgbm_joint", 0.8), ("lightgbm_conformal", 0.8), ("lightgbm_conformal", 0.9),
         ("lightgbm_blend_conformal", 0.8), ("lightgbm_blend_conformal", 0.9)}
    assert {(c["task"], c["model"]) for c in doc["probability_calibration"] if c["split"] == "test"} >= \
        {("tiers", "lightgbm"), ("tiers", "lightgbm_joint"), ("tiers", "lightgbm_uncalibrated"), ("binary_550", "lightgbm")}
    assert (out / "figures" / "reliability_test.png").exists()
    # the joint answer pools its two models' tier probabilities as chosen out of fold on training cells (never worse there than the product)
    pool = doc["joint_pooling"]
    assert {x["window"] for x in pool} == set(preds.window) and all(x["fitted"] for x in pool)
    assert all(0 <= x["a"] <= 4 and 0 <= x["b"] <= 4 and x["log_loss"] <= x["log_loss_product"] + 1e-9 for x in pool), pool
    import battery_ssb.model as M
    real = M.load_models
    def saved_by_an_older_version(folder):   # models without conformal half-widths or out-of-fold answers: NaN columns,
        fs = real(folder)                      # the plain product of the tier probabilities, and notes; not an error
        for f in fs: f.meta.pop("log10_life_conformal", None); f.meta.pop("oof", None)
        return fs
    monkeypatch.setattr(M, "load_models", saved_by_an_older_version)
    old = screen(out / "models", batch); monkeypatch.undo()
    assert old[cc].isna().all().all() and old.predicted_cycle_life.notna().all()
    assert batch.report.to_frame().reason.str.contains("no conformal half-width").any()
    assert batch.report.to_frame().reason.str.contains("pooled by the plain product").any()
    assert np.allclose(old[[f"p_{t}" for t in TIER_NAMES]].sum(axis=1), 1.0)
    implied = np.asarray(TIER_NAMES)[np.digitize(old.predicted_cycle_life, json.loads((out / "models" / f"tiers_w{w}_lightgbm.json").read_text())["tier_edges"])]
    assert (implied[old.window == w] == old.predicted_tier[old.window == w]).all()   # tier and life still one answer
    import pytest
    with pytest.raises(Exception, match="the window-10 models need the first 10"):   # fewer cycles than the window: refused
        screen(out / "models", batch.first_cycles(9), window=10)
    # notebooks of a stage ran at once; one after another (--workers 1) they give the same numbers, file for file
    run = json.loads((out / "run.json").read_text())
    assert run["workers"] >= 2 and ["00_data", "01_cycling", "02_features", "03_labels"] in run["stages"], run
    assert set(run["timings_s"]) == {n for s in run["stages"] for n in s} and run["total_s"] < sum(run["timings_s"].values())
    r = subprocess.run([sys.executable, "main.py", "--n-cells", "40", "--windows", "10", "--cv-repeats", "1",
                        "--workers", "1", "--out", str(tmp_path / "serial")], cwd=REPO, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    assert json.loads((tmp_path / "serial" / "metrics.json").read_text())["results"] == doc["results"]
    for f in ("predictions.csv", "shap_importance.csv", "report.csv"):
        assert (tmp_path / "serial" / f).read_bytes() == (out / f).read_bytes(), f


def test_study_notebooks_run_without_their_unit_tests(tmp_path):
    """A study run executes each notebook's prose, exported code, parameters and `study` cells, not its unit tests."""
    from battery_ssb.cli import study_notebook, STUDY_NOTEBOOKS
    for name in STUDY_NOTEBOOKS:
        src = REPO / "nbs" / f"{name}.ipynb"
        full = json.loads(src.read_text())["cells"]
        kept = json.loads(study_notebook(src, tmp_path / f"{name}.ipynb").read_text())["cells"]
        code = lambda cells: ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
        assert [c for c in full if c["cell_type"] == "markdown"] == [c for c in kept if c["cell_type"] == "markdown"]
        assert sum("parameters" in c["metadata"].get("tags", []) for c in kept) == 1, name
        assert all(s in code(kept) for s in code(full) if s.lstrip().startswith("#| export"))   # every exported cell runs
        assert any("study" in c["metadata"].get("tags", []) for c in kept), name
    tests04 = [s for s in code(json.loads((REPO / "nbs" / "04_model.ipynb").read_text())["cells"])
               if "write_matr_fixture(" in s and not s.lstrip().startswith("#| export")]
    assert tests04 and not any(s in code(json.loads((tmp_path / "04_model.ipynb").read_text())["cells"]) for s in tests04)
