"""The vectorised CV-decay fit (`battery_ssb.timeseries.cv_decay`) against the per-step `scipy.optimize.curve_fit` fit
it replaced (a copy of that old code lives here only, as the reference), on synthetic holds and on every CV step of
the real CALCE cell CS2_35 (skipped without the data).

Agreement asked: tau and residual current within 1 % (the residual current also within 0.1 mA where it is near 0),
and the new fit's RMSE never above the old one's (both minimise the same sum of squares)."""
import numpy as np
import pandas as pd
import pytest
from scipy.optimize import curve_fit
from battery_ssb.timeseries import raw_from_segments, segment_steps, cv_decay, _Batch


def _exp_decay(t, i_res, i0, tau): return i_res + (i0 - i_res) * np.exp(-t / tau)


def old_fit_decay(t, i):
    "The fit `cv_decay` used before the vectorised one (battery_ssb commit ee526dc), unchanged."
    nan = (np.nan,) * 4
    if len(t) < 4 or np.ptp(t) <= 0: return nan
    i_res0 = i[-1] - 0.05 * (i[0] - i[-1])
    m = (i - i_res0) > 0
    try:
        sl = np.polyfit(t[m], np.log(i[m] - i_res0), 1)[0]
        tau0 = -1 / sl if sl < 0 else np.ptp(t) / 3
        p, _ = curve_fit(_exp_decay, t, i, p0=(i_res0, i[0], tau0), maxfev=5000,
                         bounds=([-np.inf, -np.inf, 1e-9], [np.inf, np.inf, np.inf]))
    except (RuntimeError, ValueError, TypeError, np.linalg.LinAlgError): return nan
    return float(p[0]), float(p[1]), float(p[2]), float(np.sqrt(np.mean((_exp_decay(t, *p) - i) ** 2)))


def old_cv_fits(raw, steps, min_samples=5):
    "Per CV step, the old fit on the same samples: step_number, residual_current_A, I0_fit_A, tau_s, fit_rmse_A."
    b = _Batch([raw], [steps])
    rows = []
    for k in np.flatnonzero(steps.type.isin(["cv_charge", "cv_discharge"]).to_numpy()):
        sl = slice(b.s0[k], b.s0[k] + b.ns[k])
        t, I = b.t[sl], b.I[sl]
        sgn = 1.0 if np.median(I) > 0 else -1.0
        f = old_fit_decay(t - t[0], sgn * I) if len(t) >= min_samples else (np.nan,) * 4
        rows.append((int(steps.step_number.iloc[k]), sgn * f[0], sgn * f[1], f[2], f[3]))
    return pd.DataFrame(rows, columns=["step_number", "residual_current_A", "I0_fit_A", "tau_s", "fit_rmse_A"])


def compare(raw):
    st = segment_steps(raw)
    new, old = cv_decay(raw, st).set_index("step_number"), old_cv_fits(raw, st).set_index("step_number")
    both = new.tau_s.notna() & old.tau_s.notna()
    tau = (new.tau_s[both] / old.tau_s[both] - 1).abs()
    ires = (new.residual_current_A[both] - old.residual_current_A[both]).abs()
    rel_ires = ires / old.residual_current_A[both].abs()
    print(f"{raw.cell}: {len(new)} CV steps, {both.sum()} fitted by both; tau rel. diff median {tau.median():.1e} "
          f"max {tau.max():.1e}; I_res rel. diff median {rel_ires.median():.1e} max {rel_ires.max():.1e}")
    return new, old, both, tau, ires, rel_ires


def synthetic():
    rng = np.random.default_rng(7)
    segs = []
    for c, (tau, ires, noise) in enumerate([(300, 0.05, 1e-3), (60, 0.0, 0.0), (900, 0.2, 5e-3), (120, 0.01, 1e-4)], 1):
        segs += [dict(cycle=c, step=1, duration_s=1800, current=1.0, voltage=lambda t: 3.5 + 0.7 * t / 1800),
                 dict(cycle=c, step=2, duration_s=3600, voltage=4.2, dt_s=5.0,
                      current=lambda t, tau=tau, ires=ires, noise=noise:
                      ires + (1 - ires) * np.exp(-t / tau) + noise * rng.normal(size=np.shape(t))),
                 dict(cycle=c, step=3, duration_s=1800, current=-1.0, voltage=lambda t: 4.1 - t / 1800)]
    return raw_from_segments("cv-synthetic", segs)


def test_cv_fit_matches_curve_fit_on_synthetic_holds():
    new, old, both, tau, ires, rel = compare(synthetic())
    assert both.all() and len(new) == 4
    assert (tau < 0.01).all()
    assert ((rel < 0.01) | (ires < 1e-4)).all()
    assert (new.fit_rmse_A <= old.fit_rmse_A * (1 + 1e-9)).all()
    np.testing.assert_allclose(new.tau_s, [300, 60, 900, 120], rtol=0.02)


def test_cv_fit_matches_curve_fit_on_cs2_35(cs2_35):
    from battery_ssb.readers import read_cell
    new, old, both, tau, ires, rel = compare(read_cell(cs2_35))
    assert both.sum() == len(new) > 500                       # every CV step of the 886 cycles is fitted by both
    assert (tau < 0.01).all(), tau.sort_values().tail()
    assert ((rel < 0.01) | (ires < 1e-4)).all(), rel.sort_values().tail()
    assert (new.fit_rmse_A[both] <= old.fit_rmse_A[both] * (1 + 1e-9)).all()


def test_undetermined_tau_is_nan_where_curve_fit_returned_nonsense():
    # tau = 20,000 s seen for 600 s under 1 % noise: the data do not fix tau; this noise draw even curves upwards
    t = np.arange(0, 601, 1.0)
    i = np.exp(-t / 20000) + 0.01 * np.random.default_rng(1).normal(size=len(t))
    old = old_fit_decay(t, i)
    # the old fit: I_res below -10 A, tau over 100x the 600 s observed (scipy 1.17 stops near 5e5 s, older ones beyond 1e6)
    assert old[0] < -10 and old[2] > 100 * t[-1], old
    from battery_ssb.timeseries import fit_decay
    assert np.isnan(fit_decay(t, i)).all()                    # the new one: no relaxation found, NaN
