"""The notebooks are the source: `nbdev-export` and `nbdev-clean` must leave the committed tree unchanged.

Both commands run in a temporary copy, so a failing check never rewrites the working tree."""
import shutil, subprocess, sys
from pathlib import Path
from conftest import REPO


def _tree(root: Path, sub: str) -> dict:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / sub).rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts}


def test_export_and_clean_leave_no_diff(tmp_path):
    for sub in ("nbs", "battery_ssb"): shutil.copytree(REPO / sub, tmp_path / sub, symlinks=True)   # battery_ssb/nbs links to nbs/
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    bindir = Path(sys.executable).parent
    for cmd in ("nbdev-export", "nbdev-clean"):
        exe = shutil.which(cmd, path=str(bindir)) or shutil.which(cmd)
        assert exe, f"{cmd} not installed (pip install -e '.[dev]')"
        r = subprocess.run([exe], cwd=tmp_path, capture_output=True, text=True)
        assert r.returncode == 0, f"{cmd} failed:\n{r.stdout}\n{r.stderr}"
    for sub in ("nbs", "battery_ssb"):
        before, after = _tree(REPO, sub), _tree(tmp_path, sub)
        changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        assert not changed, f"nbdev-export/nbdev-clean change {changed}: run them and commit the result"
