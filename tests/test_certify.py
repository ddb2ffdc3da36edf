"""Certification: a float64 artefact is refuted in mpmath (and then not reported), a genuine finding is
certified, on locus points also after re-drawing the free coordinates."""
import numpy as np
from hypothesis import strategies as st

import properties.cooper2020 as C
from harness.models.architecture import Architecture
from harness.engine.certify import certify
from harness.core.claims import Paper, claim
from harness.core.evidence import Evidence
from harness.models.mlp import NetInstance
from harness.engine.runner import run_claim

PAPER = Paper("toy", "T. Oy", "Certification", 2026)


def _cancelling_instance() -> NetInstance:
    """f(x) = 1e16 x + b with b = -fl(1e16 x_0): float64 computes f(x_0) = 0 exactly, while the exact value
    on the same float64 inputs is 1e16 x_0 - fl(1e16 x_0) = 0.0555... for x_0 = 0.1."""
    arch = Architecture(1, (1,), 1)
    x0 = 0.1
    theta = arch.flatten([(np.array([[1.0]]), np.array([0.0])),
                          (np.array([[1e16]]), np.array([-(1e16 * x0)]))])
    return NetInstance(arch, "linear", np.array([[x0]]), np.array([[0.0]]), theta, {"source": "hand-made"})


@claim("toy/residual-visible", paper=PAPER, theorem="Remark 1", statement="|f(x_0) - y_0| >= 0.01 here",
       strategy=st.just(_cancelling_instance()), register=False)
def residual_visible(inst) -> Evidence:
    """Remark 1 (a toy): the residual at x_0 is at least 0.01 (true: it is 0.0555 in exact arithmetic)."""
    return Evidence.at_least(abs(float(inst.problem.residuals(inst.theta)[0, 0])), 0.01, "|r_0|")


def test_float64_artefact_is_refuted_by_mpmath():
    assert residual_visible.check(_cancelling_instance()).margin < 0  # float64 sees r_0 = 0
    cert = certify(residual_visible, _cancelling_instance(), "forall")
    assert cert.status == "refuted" and cert.margin >= 0, cert


def test_refuted_violation_is_reported_inconclusive_not_falsified(tmp_path):
    r = run_claim(residual_visible, "ci", out_dir=tmp_path)
    assert r.verdict == "inconclusive" and r.finding is None
    assert "did not survive re-verification" in r.message
    assert not list((tmp_path / "counterexamples").glob("*.json"))  # the provisional file was moved
    assert list((tmp_path / "refuted").glob("*.json"))


def test_genuine_star_saddle_counterexample_is_certified_after_reseeding():
    inst = C._star_saddle_example(hidden=(1,), n=3)()
    assert C.cor_5_16.check(inst).margin < 0
    cert = certify(C.cor_5_16, inst, "forall")
    assert cert.status == "certified", cert
    assert "reproduces after re-seeding" in cert.detail
