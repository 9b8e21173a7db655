"""Benchmark: wall time of `simulate_cohort` (v2) for N virtual cells through formation, GITT with its stripping pulse
and 100 C/3 cycles with logged series, then the reduced model to end of life, with and without the re-runs of the test
cells that the oracle bounds need (a printed figure, not a test). Run it single-threaded:

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 python bench/bench_simulate.py [--n-cells 300] [--reruns 5]"""
import argparse, time
from battery_ssb.simulate import simulate_cohort

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--n-cells", type=int, default=300); ap.add_argument("--n-cycles", type=int, default=100)
    ap.add_argument("--reruns", type=int, default=5); ap.add_argument("--seed", type=int, default=0); a = ap.parse_args()
    t = time.perf_counter()
    raws, cells, truth = simulate_cohort(n_cells=a.n_cells, seed=a.seed, n_cycles=a.n_cycles, reruns=0)
    wall = time.perf_counter() - t
    rows = sum(len(r.data) for r in raws)
    print(f"simulate_cohort({a.n_cells} cells, formation + GITT + {a.n_cycles} cycles logged, reduced model to end of life): "
          f"{wall:.1f} s wall, {rows:,} raw rows ({rows/a.n_cells:,.0f} per cell)")
    t = time.perf_counter()
    simulate_cohort(n_cells=a.n_cells, seed=a.seed, n_cycles=a.n_cycles, reruns=a.reruns)
    print(f"... with {a.reruns} re-runs of each test cell: {time.perf_counter() - t:.1f} s wall")
    print(cells.failure_mechanism.value_counts().to_string())
    print(cells.cycle_life.describe().round(1).to_string())
