"""Regenerate docs/descriptors.md from the descriptor registry: `python docs/make_descriptor_table.py`.

tests/test_docs.py fails when the page and the registry disagree."""
from pathlib import Path
from battery_ssb.features import REGISTRY, describe

HEAD = """# Descriptors

Every descriptor `battery_ssb.features` registers, with its unit, family, meaning and the inputs it needs
(generated from `battery_ssb.features.describe()` by `docs/make_descriptor_table.py`; {n} registered). `{{b}}` and
`{{a}}` stand for a cycle pair: by default $(N, N-1)$ for windows below 20 cycles, $(N, 10)$ from 20, and
$(N, \\text{{first recorded cycle}})$. `featurize` computes those the data allows and lists the others, with the
reason, in its `skipped` table.

"""

def page() -> str:
    "The core registry (notebook 02); the families of the public datasets (notebook 02a) are in docs/datasets.md."
    core = {n for n, d in REGISTRY.items()       # the package's own (not one a notebook's test cell registered in-process)
            if d.func.__module__.startswith("battery_ssb.") and d.func.__module__ != "battery_ssb.dataset_descriptors"}
    d = describe(); d = d[d.name.isin(core)]
    return HEAD.format(n=len(d)) + d.to_markdown(index=False) + "\n"

if __name__ == "__main__":
    out = Path(__file__).with_name("descriptors.md"); out.write_text(page()); print("wrote", out)
