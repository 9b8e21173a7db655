"""Regenerate battery_ssb/model_ablation.csv from the ablation tables of docs/model.md: `python docs/make_ablation_table.py`.

The tables are bench/bench_model_ablation.py's committed results (minutes per dataset: too slow for every study run);
the evaluation notebook shows the rows of the dataset it runs on. tests/test_docs.py fails when the two disagree."""
import re
from io import StringIO
from pathlib import Path
import pandas as pd

DOCS = Path(__file__).parent
OUT = DOCS.parent / "battery_ssb" / "model_ablation.csv"
DATASETS = {"### MATR": "matr", "### Simulated cohort (ssb-sim": "ssb-sim"}

def table() -> pd.DataFrame:
    "Long table: dataset, task, window, variant, chosen, cv_train, fit_s, column, value (one row per scored column)."
    text = (DOCS / "model.md").read_text()
    sec = text.split("\n## Ablation\n", 1)[1].split("\n## ", 1)[0]
    rows, dataset, task = [], None, None
    lines = sec.splitlines() + [""]
    i = 0
    while i < len(lines):
        ln = lines[i]
        if ln.startswith("### "):
            dataset = next((v for k, v in DATASETS.items() if ln.startswith(k)), None)
        elif ln.startswith("|") and dataset is not None:
            j = i
            while j < len(lines) and lines[j].startswith("|"): j += 1
            body = [l for k, l in enumerate(lines[i:j]) if k != 1]     # drop the |---:| line
            t = pd.read_csv(StringIO("\n".join(l.strip().strip("|") for l in body)), sep="|", skipinitialspace=True, dtype=str)
            t.columns = [c.strip() for c in t.columns]; t = t.apply(lambda s: s.str.strip())
            keep = ["window", "variant", "chosen", "CV (train)", "fit s"]
            long = t.melt(id_vars=keep, var_name="column", value_name="value")
            long.insert(0, "task", task); long.insert(0, "dataset", dataset)
            rows.append(long); i = j; continue
        elif ln and not ln.startswith("|"):
            m = re.match(r"^(Tiers|`binary_\d+`|Cycle life|`pairwise`)", ln)
            if m: task = {"Tiers": "tiers", "Cycle life": "cycle_life", "`pairwise`": "cycle_life"}.get(m.group(1), m.group(1).strip("`"))
        i += 1
    t = pd.concat(rows, ignore_index=True).rename(columns={"CV (train)": "cv_train", "fit s": "fit_s"})
    t["chosen"] = t.chosen.fillna("")
    for c in ("window", "cv_train", "fit_s", "value"): t[c] = pd.to_numeric(t[c])
    return t[["dataset", "task", "window", "variant", "chosen", "cv_train", "column", "value", "fit_s"]]

def text() -> str:
    return table().to_csv(index=False)

if __name__ == "__main__":
    OUT.write_text(text()); print("wrote", OUT)
