"""Benchmark: wall time of `simulate_cohort` for 200 virtual cells through formation, GITT and 100 C/3 cycles with full
raw series, then the reduced model to end of life (a printed figure, not a test). Run it single-threaded:

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 python bench/bench_simulate.py [--n-cells 200] [--n-cycles 100]"""
import argparse, time
from battery_ssb.simulate import simulate_cohort

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--n-cells", type=int, default=200); ap.add_argument("--n-cycles", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0); a = ap.parse_args()
    t = time.perf_counter()
    raws, cells = simulate_cohort(n_cells=a.n_cells, seed=a.seed, n_cycles=a.n_cycles)
    wall = time.perf_counter() - t
    rows = sum(len(r.data) for r in raws)
    print(f"simulate_cohort({a.n_cells} cells, formation + GITT + {a.n_cycles} cycles, reduced model to end of life): "
          f"{wall:.1f} s wall, {rows:,} raw rows ({rows/a.n_cells:,.0f} per cell)")
    print(cells.failure_mechanism.value_counts().to_string())
    print(cells.cycle_life.describe().round(1).to_string())
