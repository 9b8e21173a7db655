"""A wheel (non-editable) install carries the study notebooks and finds them: `python main.py` needs no source checkout."""
import subprocess, sys, zipfile
from pathlib import Path
import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "-q", "-w", str(out)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.fail(f"pip wheel failed: {r.stderr[-2000:]}")
    return next(out.glob("battery_ssb-*.whl"))


def test_wheel_ships_the_study_notebooks(wheel):
    from battery_ssb.cli import STUDY_NOTEBOOKS
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [n for n in STUDY_NOTEBOOKS if f"battery_ssb/nbs/{n}.ipynb" not in names]
    assert not missing, f"the wheel lacks the study notebooks {missing}"
    assert "battery_ssb/garnet_literature.csv" in names


def test_installed_package_runs_its_own_notebooks(wheel, tmp_path):
    zipfile.ZipFile(wheel).extractall(tmp_path / "site")   # what pip would unpack into site-packages
    code = ("import battery_ssb; from battery_ssb.cli import notebooks_dir; "
            "print(battery_ssb.__file__); print(notebooks_dir())")
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                       env={"PYTHONPATH": str(tmp_path / "site"), "PATH": ""})
    assert r.returncode == 0, r.stderr
    pkg, nbs = map(Path, r.stdout.split())
    assert pkg.parent == tmp_path / "site" / "battery_ssb" and nbs == tmp_path / "site" / "battery_ssb" / "nbs"
