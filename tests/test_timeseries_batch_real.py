"""The batched cycle analysis (`cohort_from_raw`) on the real CALCE cell CS2_35 gives exactly the tables of the per-cell
functions, and nothing leaks between cells: a copy of the cell 10^6 s later gets the same tables but for the times
(skipped without the data)."""
import numpy as np
import pandas as pd
import pytest
from battery_ssb.data import RawCell, RunReport
from battery_ssb.timeseries import (segment_steps, cycle_summary, gitt_pulses, cv_decay, step_resistance, qv_curves,
                                    cohort_from_raw)


@pytest.fixture(scope="module")
def cs2(cs2_35):
    from battery_ssb.readers import read_cell
    return read_cell(cs2_35)


def per_cell(raws, grid, cycles):
    "Each cell alone through the public per-cell functions, laid out as `cohort_from_raw` lays out its tables."
    reps = [RunReport() for _ in range(4)]
    t = {k: [] for k in ("cycles", "steps", "gitt", "cv", "resistance")}
    for r in raws:
        s = segment_steps(r)
        for k, f in (("cycles", cycle_summary(r, s, reps[0])), ("steps", s), ("gitt", gitt_pulses(r, s, report=reps[1])),
                     ("cv", cv_decay(r, s, report=reps[2])), ("resistance", step_resistance(s, r))):
            if len(f): t[k].append(f.assign(cell=r.cell))
    q = np.stack([qv_curves([r], grid=grid, cycles=cycles, report=reps[3]).q[0] for r in raws])
    t = {k: pd.concat(v, ignore_index=True).pipe(lambda d: d[["cell"] + [c for c in d.columns if c != "cell"]])
         if v else pd.DataFrame() for k, v in t.items()}
    return t, q, reps[0].extend(reps[1]).extend(reps[2]).extend(reps[3]).to_frame()


def test_batch_equals_per_cell_and_does_not_leak(cs2):
    shifted = RawCell(cs2.cell + "+1e6s", cs2.data.assign(test_time_s=cs2.data.test_time_s + 1e6))
    raws = [cs2, shifted]
    cells = pd.DataFrame(dict(split="new", source="CALCE", chemistry="LCO/graphite", protocol="CC-CV",
                              nominal_capacity_Ah=1.1, cycle_life=np.nan), index=pd.Index([r.cell for r in raws], name="cell"))
    co = cohort_from_raw(raws, cells, "calce")
    t, q, rep = per_cell(raws, co.qv.voltage, co.qv.cycles)
    tabs = dict(co.tables, cycles=co.cycles)
    assert len(tabs["cv"]) > 1000 and len(tabs["steps"]) > 5000
    for k in t:
        if len(t[k]): pd.testing.assert_frame_equal(tabs[k], t[k], check_exact=True)
        else: assert len(tabs[k]) == 0, k
    assert np.array_equal(co.qv.q, q, equal_nan=True)
    pd.testing.assert_frame_equal(co.report.to_frame(), rep, check_exact=True)
    # the shifted copy: identical tables but for the times (float rounding of t + 1e6 only)
    for k, tab in tabs.items():
        a, b = (tab[tab.cell == c].drop(columns="cell").reset_index(drop=True) for c in (cs2.cell, shifted.cell))
        b = b.assign(**{c: b[c] - 1e6 for c in ("t_start_s", "t_end_s") if c in b})
        pd.testing.assert_frame_equal(a, b, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(co.qv.q[0], co.qv.q[1], rtol=1e-9, atol=1e-12)
