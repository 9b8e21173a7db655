"""`main.py` / `battery-ssb run`: every error one line on stderr with exit 2 (no papermill traceback), and a run
folder written whole or not at all (OUTDIR.partial-XXXX renamed to OUTDIR at the end; a failed run leaves the old
OUTDIR as it was; a rerun replaces it, never mixes with it).

Most cases replace the study by two tiny notebooks (fast); the papermill, kernel and run-folder machinery is the
real one. The last ones run main.py on the real notebooks with a broken raw dataset."""
import errno, json, os, subprocess, sys, tempfile
import nbformat
import pytest
from conftest import REPO
import battery_ssb.cli as cli

METRICS = ('from pathlib import Path\nimport json\nPath(out_dir, f"seed{seed}.txt").write_text("x")\n'
           'Path(out_dir, "metrics.json").write_text(json.dumps(dict(dataset="ssb-sim", data="tiny", n_excluded=0, '
           'results=[dict(task="tiers", window=5, model="dummy", split="test", accuracy=0.5)])))')


def _write_nb(path, code):
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "python3", "language": "python"}})
    p = nbformat.v4.new_code_cell("dataset = 'x'\nout_dir = None\nseed = 0"); p.metadata["tags"] = ["parameters"]
    c = nbformat.v4.new_code_cell(code); c.metadata["tags"] = ["study"]
    nb.cells = [p, c]; nbformat.write(nb, path)


@pytest.fixture
def study(tmp_path, monkeypatch):
    "The study replaced by two tiny notebooks; returns a function setting the second one's code."
    nbs = tmp_path / "nbs"; nbs.mkdir()
    monkeypatch.setattr(cli, "STUDY_NOTEBOOKS", ("a_first", "b_second"))
    monkeypatch.setattr(cli, "notebooks_dir", lambda: nbs)
    monkeypatch.setenv("PYTHONPATH", str(REPO))   # the kernels import this checkout's battery_ssb
    _write_nb(nbs / "a_first.ipynb", "x = 1")
    return lambda code: _write_nb(nbs / "b_second.ipynb", code)


def _run(capsys, out, *extra):
    code = cli.main(["run", "--dataset", "ssb-sim", "--out", str(out), "--quiet", *map(str, extra)])
    err = capsys.readouterr().err
    return code, err


def _siblings(out):
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(out.name + "."))


def _old_run(out):
    out.mkdir(); (out / "run.json").write_text('{"old": true}'); (out / "old.txt").write_text("old")


def test_data_error_in_a_notebook_is_its_own_message_and_the_old_run_stays(study, tmp_path, capsys):
    study("from battery_ssb.data import DataError\nraise DataError(\"cells.csv row 3: split 'Train' is not a known split\")")
    out = tmp_path / "run"; _old_run(out)
    code, err = _run(capsys, out)
    assert code == 2
    assert err == "battery-ssb: cells.csv row 3: split 'Train' is not a known split (notebook b_second)\n", err
    assert sorted(p.name for p in out.iterdir()) == ["old.txt", "run.json"] and (out / "run.json").read_text() == '{"old": true}'
    assert _siblings(out) == []                                     # the partial folder is gone


def test_other_failure_is_one_line_naming_the_executed_notebook(study, tmp_path, capsys):
    study("raise ValueError('boom')")
    out = tmp_path / "run"
    code, err = _run(capsys, out)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1, err
    assert lines[0].startswith("battery-ssb: b_second failed: ValueError: boom (traceback in "), err
    executed = lines[0].rsplit("(traceback in ", 1)[1].rstrip(")")
    text = open(executed).read()
    assert "ValueError" in text and "boom" in text                 # the traceback is there, kept to be read
    assert executed.startswith(str(out) + ".partial-") and not out.exists()


def test_full_disk_in_a_notebook_is_one_line_and_leaves_nothing(study, tmp_path, capsys):
    study("raise OSError(28, 'No space left on device')")
    out = tmp_path / "run"
    code, err = _run(capsys, out)
    assert code == 2 and err.count("\n") == 1 and "No space left on device (notebook b_second)" in err, err
    assert not out.exists() and _siblings(out) == []


def test_rerun_replaces_the_run_folder_whole(study, tmp_path, capsys):
    study(METRICS)
    out = tmp_path / "run"
    assert _run(capsys, out, "--seed", 0)[0] == 0
    first = sorted(p.name for p in out.iterdir())
    assert "seed0.txt" in first and {"run.json", "metrics.json", "notebooks", "report.html"} <= set(first)
    run = json.loads((out / "run.json").read_text())
    assert run["out_dir"] == str(out) and run["models_dir"] == str(out / "models") and run["written_in"].startswith("run.partial-")
    (out / "models").mkdir(); (out / "models" / "stale_w5_lightgbm.json").write_text("{}")   # e.g. an older run's models
    assert _run(capsys, out, "--seed", 1)[0] == 0
    assert (out / "seed1.txt").exists() and not (out / "seed0.txt").exists() and not (out / "models").exists()
    assert _siblings(out) == []


def test_strict_reaches_the_notebooks(study, tmp_path, capsys, monkeypatch):
    study("import os\nassert os.environ['BATTERY_SSB_STRICT'] == '1', 'not strict'\n" + METRICS)
    monkeypatch.delenv("BATTERY_SSB_STRICT", raising=False); path = os.environ["PATH"]
    assert _run(capsys, tmp_path / "a", "--strict")[0] == 0
    assert "BATTERY_SSB_STRICT" not in os.environ and os.environ["PATH"] == path   # the kernels' settings, not this process's
    code, err = _run(capsys, tmp_path / "b")
    assert code == 2 and "AssertionError: not strict" in err


def test_out_that_is_not_a_run_folder_is_never_replaced(study, tmp_path, capsys):
    study(METRICS)
    out = tmp_path / "mine"; out.mkdir(); (out / "thesis.tex").write_text("keep")
    code, err = _run(capsys, out)
    assert code == 2 and err.count("\n") == 1 and "exists and is not a battery_ssb run folder" in err, err
    assert (out / "thesis.tex").read_text() == "keep" and _siblings(out) == []


def test_unwritable_out_is_one_line(study, tmp_path, capsys, monkeypatch):
    study(METRICS)
    def refuse(*a, **k): raise OSError(errno.EROFS, "Read-only file system")
    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    code, err = _run(capsys, tmp_path / "ro" / "run")
    assert code == 2 and err == f"battery-ssb: --out {tmp_path / 'ro' / 'run'}: cannot write in {tmp_path / 'ro'}: Read-only file system\n", err


def test_read_only_out_on_a_read_only_mount(tmp_path):
    probe = "/sys/battery_ssb_probe"
    try: os.mkdir(probe); os.rmdir(probe); pytest.skip("/sys is writable here: no read-only mount to try")
    except OSError: pass
    r = subprocess.run([sys.executable, "main.py", "--out", "/sys/battery_ssb_run"], cwd=REPO, capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "--out /sys/battery_ssb_run: cannot write in /sys" in r.stderr, r.stderr


@pytest.fixture
def broken_raw(tmp_path):
    from battery_ssb.rawdata import write_raw_fixture
    return write_raw_fixture(tmp_path / "batch", {"train": 6, "test1": 2}, n_cycles=6, seed=2)


def test_main_py_bad_cells_csv_is_one_line_before_any_notebook(broken_raw, tmp_path):
    "A cells.csv without its split column stops the study before any notebook runs (run_study checks it), in one line; the old run stays."
    t = (broken_raw / "cells.csv").read_text().splitlines()
    cols = t[0].split(","); k = cols.index("split")
    (broken_raw / "cells.csv").write_text("\n".join(",".join(c for i, c in enumerate(l.split(",")) if i != k) for l in t) + "\n")
    out = tmp_path / "run"; _old_run(out)
    r = subprocess.run([sys.executable, "main.py", "--dataset", "raw", "--data-dir", str(broken_raw), "--out", str(out),
                        "--quiet"], cwd=REPO, capture_output=True, text=True)
    assert r.returncode == 2 and r.stdout == "", (r.stdout, r.stderr)
    assert r.stderr == f"battery-ssb: {broken_raw / 'cells.csv'}: columns ['split'] missing (need at least cell, split)\n", r.stderr
    assert (out / "old.txt").exists() and _siblings(out) == []


def test_main_py_strict_stops_at_the_bad_cell(broken_raw, tmp_path):
    (broken_raw / "train-03.csv").write_text("no,cycler,columns\n1,2,3\n")
    r = subprocess.run([sys.executable, "main.py", "--dataset", "raw", "--data-dir", str(broken_raw), "--out",
                        str(tmp_path / "run"), "--quiet", "--strict"], cwd=REPO, capture_output=True, text=True)
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1 and "cell train-03" in lines[0] and "strict" in lines[0], r.stderr
    assert not (tmp_path / "run").exists() and _siblings(tmp_path / "run") == []


@pytest.fixture
def bench(tmp_path, monkeypatch):
    "`battery-ssb benchmark` with notebook 05b replaced by a tiny one and one dataset 'present'; returns a function setting its code."
    nbs = tmp_path / "nbs"; nbs.mkdir(); data = tmp_path / "data" / "isu-ilcc"; data.mkdir(parents=True)
    monkeypatch.setattr(cli, "notebooks_dir", lambda: nbs)
    monkeypatch.setattr(cli, "find_dataset", lambda d, data_dir=None, required=True: data if d == "isu-ilcc" else None)
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    return lambda code: _write_nb(nbs / f"{cli.BENCHMARK_NOTEBOOK}.ipynb", code), data

BENCH_METRICS = ('from pathlib import Path\nimport json\nPath(out_dir, f"seed{seed}.txt").write_text("x")\n'
                 'Path(out_dir, "metrics.json").write_text(json.dumps(dict(datasets={"isu-ilcc": {}}, results=[])))')


def _bench(capsys, out, *extra):
    code = cli.main(["benchmark", "--out", str(out), *map(str, extra)])
    err = capsys.readouterr().err                      # papermill's progress bar over the cells, then at most one line
    assert "Traceback" not in err, err
    return code, "".join(l + "\n" for l in err.splitlines() if "battery-ssb:" in l)


def test_benchmark_error_is_one_line_and_the_old_run_stays(bench, tmp_path, capsys):
    bench[0]("from battery_ssb.data import DataError\nraise DataError('isu-ilcc/feature_all.csv: column Lifetime missing')")
    out = tmp_path / "b"; _old_run(out)
    code, err = _bench(capsys, out)
    assert code == 2 and err == "battery-ssb: isu-ilcc/feature_all.csv: column Lifetime missing (notebook 05b_benchmark)\n", err
    assert (out / "old.txt").exists() and _siblings(out) == []
    bench[0]("raise ValueError('boom')")
    code, err = _bench(capsys, out)
    assert code == 2 and err.count("\n") == 1 and "05b_benchmark failed: ValueError: boom (traceback in " in err, err


def test_benchmark_run_folder_is_replaced_whole(bench, tmp_path, capsys):
    bench[0](BENCH_METRICS)
    out = tmp_path / "b"
    assert _bench(capsys, out, "--seed", 0)[0] == 0 and (out / "seed0.txt").exists()
    run = json.loads((out / "run.json").read_text())
    assert run["out_dir"] == str(out) and run["written_in"].startswith("b.partial-")
    assert _bench(capsys, out, "--seed", 1)[0] == 0
    assert (out / "seed1.txt").exists() and not (out / "seed0.txt").exists() and _siblings(out) == []
    mine = tmp_path / "mine"; mine.mkdir(); (mine / "thesis.tex").write_text("keep")   # not a run folder: never replaced
    code, err = _bench(capsys, mine)
    assert code == 2 and "exists and is not a battery_ssb run folder" in err and (mine / "thesis.tex").exists()


def test_benchmark_out_may_not_be_or_hold_a_dataset(bench, capsys):
    bench[0](BENCH_METRICS); data = bench[1]
    for out, how in ((data, "is the input"), (data / "run", "lies inside the input"), (data.parent, "contains the input")):
        code, err = _bench(capsys, out)
        assert code == 2 and err.count("\n") == 1 and how in err, err
    assert sorted(p.name for p in data.parent.iterdir()) == ["isu-ilcc"] and not any(data.iterdir())


def test_strict_cells_csv_row_without_files_stops_before_any_notebook(broken_raw, tmp_path, capsys):
    "--strict: a row of cells.csv whose cell has no file is an error at once (without --strict: excluded, reported)."
    (broken_raw / "train-04.csv").unlink()
    code = cli.main(["run", "--dataset", "raw", "--data-dir", str(broken_raw), "--out", str(tmp_path / "run"), "--quiet", "--strict"])
    err = capsys.readouterr().err
    assert code == 2 and err == f"battery-ssb: {broken_raw}: no folder or file for cell 'train-04' listed in cells.csv\n", err
    assert not (tmp_path / "run").exists() and _siblings(tmp_path / "run") == []
