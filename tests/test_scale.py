"""Scale-out: one task per cell here, in local processes or on Dask gives the same descriptors; a failed cell is
excluded and reported, never losing the others; the derived-table cache gives what a cold run gives; importing the
modules a worker needs does not import scipy."""
import os, subprocess, sys
from pathlib import Path
import numpy as np
import pandas as pd
import pytest
from battery_ssb.cli import main
from battery_ssb.rawdata import write_raw_fixture

CLI = [str(Path(sys.executable).parent / "battery-ssb")]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    "Three synthetic raw cells (Arbin-style CSV; a fixture, not batteries) and one file that is not a cycler export."
    root = write_raw_fixture(tmp_path_factory.mktemp("scale") / "batch", {"new": 3}, n_cycles=8, seed=3)
    (root / "broken.csv").write_text("a,b,c\n1,2,3\n")
    return [root / "new-01.csv", root / "broken.csv", root / "new-02.csv", root / "new-03.csv"]


def _featurize(paths, out, *extra):
    assert main(["featurize", *map(str, paths), "--window", "6", "--out", str(out), *extra]) == 0
    return pd.read_csv(out), pd.read_csv(out.with_name(out.stem + ".report.csv"))


def test_cli_serial_processes_and_dask_agree_and_report_the_failed_cell(batch, tmp_path, capsys):
    distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
    serial, rep = _featurize(batch, tmp_path / "serial.csv", "--workers", "1")
    assert serial.cell.tolist() == ["new-01", "new-02", "new-03"] and serial.shape[1] > 100
    bad = rep[rep.cell == "broken"]
    assert bad.level.tolist() == ["excluded"] and "broken.csv" in bad.reason.iloc[0]
    assert "1 of 4 cells failed and were excluded" in capsys.readouterr().err
    pool, rep_pool = _featurize(batch, tmp_path / "pool.csv", "--workers", "2")
    pd.testing.assert_frame_equal(pool, serial, check_exact=True)
    pd.testing.assert_frame_equal(rep_pool, rep)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        on_dask, rep_dask = _featurize(batch, tmp_path / "dask.csv", "--scheduler", cluster.scheduler_address)
    pd.testing.assert_frame_equal(on_dask, serial, check_exact=True)
    pd.testing.assert_frame_equal(rep_dask, rep)


def test_local_cluster_from_the_api_and_per_worker_stats(batch):
    pytest.importorskip("distributed", reason="the dask extra is not installed")
    from battery_ssb.timeseries import cohort_from_paths
    stats = []
    a = cohort_from_paths(batch, progress=False)
    b = cohort_from_paths(batch, workers=2, scheduler="local", progress=False, stats=stats)
    assert [s["status"] for s in stats] == ["ok", "failed", "ok", "ok"]
    assert all(s["peak_rss_MB"] > 10 and s["wall_s"] > 0 for s in stats if s["status"] == "ok")
    for k in a.tables: pd.testing.assert_frame_equal(a.tables[k], b.tables[k], check_exact=True)
    pd.testing.assert_frame_equal(a.cycles, b.cycles, check_exact=True)
    assert np.array_equal(a.qv.q, b.qv.q, equal_nan=True)


def test_unreachable_scheduler_is_one_clear_line(batch, tmp_path, capsys):
    pytest.importorskip("distributed", reason="the dask extra is not installed")
    import dask
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):   # nothing listens on port 9
        code = main(["featurize", str(batch[0]), "--window", "6", "--out", str(tmp_path / "x.csv"),
                     "--scheduler", "tcp://127.0.0.1:9"])
    assert code == 2 and "cannot reach the Dask scheduler" in capsys.readouterr().err


def test_cached_tables_give_the_cold_result_on_cs2_35(cs2_35, tmp_path):
    "Real CALCE cell: featurize cold (parsing the .xlsx) and warm (from the derived-table cache) write the same table."
    outs = []
    for run in ("cold", "warm"):
        out = tmp_path / f"{run}.csv"
        r = subprocess.run([*CLI, "featurize", str(cs2_35), "--window", "100", "--nominal-capacity", "1.1",
                            "--cache-dir", str(tmp_path / "cache"), "--out", str(out)], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr[-2000:]
        outs.append(pd.read_csv(out))
    pd.testing.assert_frame_equal(outs[0], outs[1], check_exact=True)
    entries = list((tmp_path / "cache").glob("CS2_35-*.celltables"))
    assert len(entries) == 1 and entries[0].read_bytes().startswith(b"battery_ssb cell tables")
    # each of the 25 runs' hashes is remembered (the files are long settled): a warm run does not read the exports
    assert len(list((tmp_path / "cache" / "file-hashes").glob("*.json"))) == len(list(cs2_35.glob("*.xlsx")))


def test_worker_modules_do_not_import_scipy():
    "Reading and analysing cells needs no scipy: it is imported where used (descriptors, models), not on import."
    code = ("import sys, battery_ssb.cli, battery_ssb.readers, battery_ssb.timeseries, battery_ssb.features, "
            "battery_ssb.rawdata; print(sorted({m.split('.')[0] for m in sys.modules} & {'scipy', 'sklearn', 'dask'}))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() == "[]", r.stdout + r.stderr


def test_cli_sets_one_blas_thread_unless_told_and_kernels_get_the_environment_back():
    "battery_ssb.cli loaded first: OPENBLAS_NUM_THREADS=1 (cells run one per process); a user's value, or numpy loaded first, is left alone; notebook kernels get the variable as it was."
    code = ("import os, sys\nimport numpy\nimport battery_ssb.cli as c\n"
            "a = os.environ.get('OPENBLAS_NUM_THREADS')\n"
            "with c.kernel_environment(): b = os.environ.get('OPENBLAS_NUM_THREADS')\n"
            "print(a, b, os.environ.get('OPENBLAS_NUM_THREADS'))")
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    def run(first_numpy=False, **extra):
        src = code.replace("import numpy\n", "import numpy\n" if first_numpy else "")
        r = subprocess.run([sys.executable, "-c", src], env=dict(env, **extra), capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        return r.stdout.split()
    assert run() == ["1", "None", "1"]
    assert run(OPENBLAS_NUM_THREADS="3") == ["3", "3", "3"]
    assert run(first_numpy=True) == ["None", "None", "None"]


def test_cli_freezes_objects_at_exit_once():
    "main() makes the interpreter's last garbage collection skip the objects alive at exit (~70 ms with pandas loaded)."
    code = ("import atexit, gc\natexit.register(lambda: print('frozen at exit:', gc.get_freeze_count() > 0))\n"
            "from battery_ssb.cli import main\nprint('frozen before:', gc.get_freeze_count() > 0)\n"
            "main(['featurize', 'nothing.csv', '--window', '0', '--out', 'x.csv'])\n"
            "main(['featurize', 'nothing.csv', '--window', '0', '--out', 'x.csv'])\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split("\n")[:2] == ["frozen before: False", "frozen at exit: True"], r.stdout
