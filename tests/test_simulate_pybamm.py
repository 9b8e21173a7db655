"""battery_ssb.simulate against PyBaMM: with the solid-electrolyte resistances and degradation off, the SPM core must
reproduce PyBaMM's single-particle model with a lithium-metal counter electrode (Xu2019 parameters) within 10 mV RMS.

PyBaMM is a test-only dependency: the test is skipped when it is not installed."""
import numpy as np
import pytest

pybamm = pytest.importorskip("pybamm")
from battery_ssb.simulate import spm_discharge, xu2019_params


def pybamm_discharge(c_rate:float):
    "Time (s) and voltage (V) of PyBaMM's half-cell SPM (Xu2019) discharged at `c_rate` from its initial state."
    pv = pybamm.ParameterValues("Xu2019")
    pv["Current function [A]"] = pv["Nominal cell capacity [A.h]"]*c_rate
    model = pybamm.lithium_ion.SPM(options={"working electrode": "positive"})
    sol = pybamm.Simulation(model, parameter_values=pv).solve(np.linspace(0, 3600/c_rate*1.7, 400))
    return sol["Time [s]"].entries, sol["Voltage [V]"].entries, pv["Current function [A]"]


@pytest.mark.parametrize("c_rate", [1/3, 1.0, 2.0])
def test_spm_matches_pybamm(c_rate):
    t, v_ref, current = pybamm_discharge(c_rate)
    t, v_ref = t[1:], v_ref[1:]                      # t = 0 is the rest state before the current is applied
    v = spm_discharge(xu2019_params(1), current, t)[0]
    rms = np.sqrt(np.mean((v - v_ref)**2))
    assert rms < 0.010, f"C/{1/c_rate:.3g}: RMS {rms*1e3:.2f} mV"
    assert abs(v[-1] - v_ref[-1]) < 0.02             # same end of discharge
