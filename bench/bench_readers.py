"""Benchmark: parsing the real CALCE cell CS2_35 (25 Arbin Excel runs) vs reading it from the Parquet cache.

Usage: python bench/bench_readers.py [--folder DIR] [--repeat N]   (default: $BATTERY_SSB_DATA/calce-cs2/CS2_35)
Prints parse time, cache-hit time (hashing the source files included), their ratio and samples/s (best of N)."""
import argparse, os, sys, tempfile, time
from pathlib import Path
from battery_ssb.data import RunReport
from battery_ssb.readers import read_cell


def best(f, n):
    ts = []
    for _ in range(n):
        t = time.perf_counter(); out = f(); ts.append(time.perf_counter() - t)
    return min(ts), out


if __name__ == "__main__":
    ap = argparse.ArgumentParser(); ap.add_argument("--folder", default=None); ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    root = os.environ.get("BATTERY_SSB_DATA")
    folder = Path(a.folder) if a.folder else Path(root) / "calce-cs2" / "CS2_35" if root else None
    if folder is None or not folder.is_dir(): sys.exit("no data: pass --folder or set BATTERY_SSB_DATA")
    cache = Path(tempfile.mkdtemp())
    t_parse, raw = best(lambda: read_cell(folder, report=RunReport()), a.repeat)
    read_cell(folder, report=RunReport(), cache_dir=cache)                     # fill the cache
    t_cache, hit = best(lambda: read_cell(folder, report=RunReport(), cache_dir=cache), a.repeat)
    assert "cache_file" in hit.meta and hit.data.equals(raw.data)
    n = len(raw.data); mb = sum(f.stat().st_size for f in folder.glob("*.xlsx")) / 1e6
    size = sum(f.stat().st_size for f in cache.glob("*.parquet")) / 1e6
    print(f"{raw.cell}: {n} samples, {raw.n_cycles} cycles, {raw.meta['n_runs']} runs ({mb:.1f} MB xlsx) "
          f"on {os.cpu_count()} cores, best of {a.repeat}")
    print(f"  parse (calamine)   {t_parse:7.3f} s   {n / t_parse:12,.0f} samples/s")
    print(f"  cache (parquet)    {t_cache:7.3f} s   {n / t_cache:12,.0f} samples/s   ({size:.1f} MB, incl. SHA-256 of the sources)")
    print(f"  ratio parse/cache  {t_parse / t_cache:7.1f} x")
