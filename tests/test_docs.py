"""The generated documentation pages agree with the code."""
import importlib.util
from conftest import REPO


def test_descriptor_page_is_current():
    spec = importlib.util.spec_from_file_location("mk", REPO / "docs" / "make_descriptor_table.py")
    mk = importlib.util.module_from_spec(spec); spec.loader.exec_module(mk)
    assert (REPO / "docs" / "descriptors.md").read_text() == mk.page(), \
        "docs/descriptors.md is stale: run python docs/make_descriptor_table.py"


def test_ablation_table_is_current():
    spec = importlib.util.spec_from_file_location("mka", REPO / "docs" / "make_ablation_table.py")
    mk = importlib.util.module_from_spec(spec); spec.loader.exec_module(mk)
    t = mk.table()
    assert {"matr", "ssb-sim"} <= set(t.dataset) and t.value.notna().all() and len(t) > 100
    assert (REPO / "battery_ssb" / "model_ablation.csv").read_text() == mk.text(), \
        "battery_ssb/model_ablation.csv disagrees with docs/model.md's ablation tables: run python docs/make_ablation_table.py"
