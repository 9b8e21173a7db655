"""Run the battery_ssb study end to end: `python main.py --dataset matr --data-dir DIR --out OUTDIR`.

The same as `battery-ssb run ...`; see `python main.py --help` and README.md."""
import sys
from battery_ssb.cli import run_main

if __name__ == "__main__":
    sys.exit(run_main())
