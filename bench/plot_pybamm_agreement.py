"""Figure: discharge curves of battery_ssb.simulate's SPM core and PyBaMM's half-cell SPM (Xu2019, NMC532 | Li metal),
solid-electrolyte resistances and degradation off. Prints the RMS difference per C-rate.

Usage: python bench/plot_pybamm_agreement.py   (needs pybamm; writes figures/ssb-sim/pybamm_agreement.png)"""
from pathlib import Path
import numpy as np
import matplotlib; matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pybamm
from battery_ssb.simulate import spm_discharge, xu2019_params

REPO = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    for c_rate, col in [(1/3, "C0"), (1.0, "C1"), (2.0, "C2")]:
        pv = pybamm.ParameterValues("Xu2019"); pv["Current function [A]"] = pv["Nominal cell capacity [A.h]"]*c_rate
        sol = pybamm.Simulation(pybamm.lithium_ion.SPM(options={"working electrode": "positive"}),
                                parameter_values=pv).solve(np.linspace(0, 3600/c_rate*1.7, 400))
        t, vr = sol["Time [s]"].entries[1:], sol["Voltage [V]"].entries[1:]
        v = spm_discharge(xu2019_params(1), pv["Current function [A]"], t)[0]
        rms = np.sqrt(np.mean((v - vr)**2))*1e3
        q = t*pv["Current function [A]"]/3600*1e3
        lab = f"{c_rate:.3g}C" if c_rate >= 1 else "C/3"
        ax[0].plot(q, vr, color=col, lw=3, alpha=0.4, label=f"PyBaMM SPM {lab}")
        ax[0].plot(q, v, color=col, ls="--", lw=1, label=f"battery_ssb {lab} (RMS {rms:.1f} mV)")
        ax[1].plot(q, (v - vr)*1e3, color=col, label=lab)
        print(f"{lab}: RMS {rms:.2f} mV, max |dV| {np.abs(v - vr).max()*1e3:.2f} mV over {len(t)} points")
    ax[0].set(xlabel="discharge capacity (mAh)", ylabel="voltage (V)", title="Xu2019 NMC532 | Li metal, SPM")
    ax[1].set(xlabel="discharge capacity (mAh)", ylabel="battery_ssb - PyBaMM (mV)")
    ax[0].legend(fontsize=7); ax[1].legend(fontsize=7); plt.tight_layout()
    out = REPO/"figures"/"ssb-sim"/"pybamm_agreement.png"; out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=130); print("wrote", out)
