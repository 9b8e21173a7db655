"""`battery-ssb benchmark` end to end on ISU-ILCC (under a minute on two cores). Notebook 05b's own run, a test too,
covers fast-formation (Weng et al.'s protocol and SHAP) through the same functions."""
import json, subprocess, sys
import pandas as pd
from conftest import REPO, shared_data


def test_benchmark_command_on_isu_ilcc(tmp_path):
    shared_data("isu-ilcc")
    out = tmp_path / "bench"
    r = subprocess.run([sys.executable, "-c", "import sys; from battery_ssb.cli import main; sys.exit(main())", "benchmark",
                        "--datasets", "isu-ilcc", "--cv-repeats", "1", "--out", str(out)], cwd=REPO, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    doc = json.loads((out / "metrics.json").read_text())
    assert set(doc["datasets"]) == {"isu-ilcc"} and doc["datasets"]["isu-ilcc"]["life_unit"] == "weeks"
    assert doc["datasets"]["isu-ilcc"]["n_cells"] == 225 and "fast-formation" in doc["no_anchor"]
    bench = pd.read_csv(out / "benchmark.csv")
    assert set(bench.split) == {"train", "test_in", "test_out"} and set(bench.window) == {0, 3}
    li = bench.query("model == 'li2024_degradation_informed' and split == 'test_in'")
    assert len(li) == 1 and abs(li.mape.iloc[0] - 15.1) < 1.0      # Li et al.'s three-feature model, refitted: their 15.1 %
    comp = pd.read_csv(out / "published_comparison.csv").set_index("split")
    assert list(comp.published) == [15.1, 21.8] and comp.ours.notna().all()       # ours beside theirs, same cells and split
    assert (out / "isu-ilcc" / "splits.csv").exists() and (out / "notebooks" / "05b_benchmark.ipynb").exists()
    assert not (out / "transfer.csv").exists()          # no transfer pair has both datasets in this run
    assert json.loads((out / "run.json").read_text())["total_s"] > 0
