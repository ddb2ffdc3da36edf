"""The proportion kind (harness.statistics.proportion): Clopper-Pearson bounds, sequential decisions, exhaustive
enumeration, and the runner's behaviour on bad proportion claims."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import strategies as st
from scipy.stats import binomtest

from harness.core.claims import Paper, claim
from harness.core.evidence import Evidence, Inconclusive
from harness.statistics.proportion import clopper_pearson, planned_looks
from harness.engine.runner import run_claim

PAPER = Paper("test", "T. Est", "Proportions", 2026)


class Coin:
    """An instance that fails with a known label."""

    def __init__(self, k: int, fails: bool):
        self.k, self.fails = k, fails

    def __repr__(self):
        return f"Coin({self.k}, {self.fails})"


class Space:
    """N coins of which the first F fail: a population whose failure fraction is exactly F / N."""

    def __init__(self, N, F):
        self.N, self.F = N, F

    def __len__(self):
        return self.N

    def __iter__(self):
        return (Coin(k, k < self.F) for k in range(self.N))


def _check(c):
    """Test claim 1: the coin does not fail."""
    return Evidence(-1.0 if c.fails else 1.0, "fails" if c.fails else "ok")


def _sampler(p):
    def sample(rng, cell, size):
        return [Coin(int(k), bool(u < cell.get("p", p))) for k, u in enumerate(rng.random(size))]
    return sample


def _claim(eps, *, p=None, N=None, F=None, cells=(), **kw):
    return claim(f"test/prop-{eps}-{p}-{N}-{F}", paper=PAPER, theorem="Claim 1", statement="coins",
                 strategy=st.builds(Coin, st.integers(0, 9), st.booleans()), kind="proportion", eps=eps,
                 measure="test measure", sampler=_sampler(p) if p is not None else None,
                 population=(lambda cell: Space(N, F)) if N else None, cells=cells, register=False, **kw)(_check)


def test_clopper_pearson_agrees_with_scipy_binomtest():
    for k, m, level in [(0, 10, 0.95), (3, 10, 0.99), (10, 10, 0.9), (17, 250, 0.999)]:
        ci = binomtest(k, m).proportion_ci(confidence_level=level, method="exact")
        lo, hi = clopper_pearson(k, m, level)
        assert math.isclose(lo, ci.low, abs_tol=1e-12) and math.isclose(hi, ci.high, abs_tol=1e-12)


def test_planned_looks_double_and_end_at_the_budget():
    assert planned_looks(1000) == [64, 128, 256, 512, 1000]
    assert planned_looks(50) == [50]


@pytest.mark.parametrize("F,eps,verdict", [(30, 0.31, "survived"), (30, 0.3, "survived"), (30, 0.29, "falsified"),
                                           (0, 0.01, "survived"), (100, 0.99, "falsified")])
def test_exhaustive_verdict_is_the_exact_fraction(F, eps, verdict):
    r = run_claim(_claim(eps, N=100, F=F), "ci")
    cell = r.proportion["cells"][0]
    assert cell["mode"] == "exhaustive" and cell["trials"] == 100 and cell["failures"] == F
    assert r.verdict == verdict
    assert cell["estimate"] == F / 100


@pytest.mark.parametrize("p,eps,verdict", [(0.3, 0.5, "survived"), (0.3, 0.1, "falsified"), (0.02, 0.1, "survived")])
def test_sampled_verdicts_against_known_rates(p, eps, verdict):
    r = run_claim(_claim(eps, p=p), "ci")
    assert r.verdict == verdict, r.message
    cell = r.proportion["cells"][0]
    assert cell["mode"] == "sampled" and cell["ci_low"] <= p <= cell["ci_high"]
    assert (r.min_margin >= 0) == (verdict == "survived")


def test_sampled_rate_at_eps_is_inconclusive_and_says_why():
    r = run_claim(_claim(0.3, p=0.3), "ci")
    assert r.verdict == "inconclusive"
    assert "contains eps" in r.message


def test_sequential_sampling_stops_early_when_decided():
    r = run_claim(_claim(0.5, p=0.0), "ci")
    assert r.verdict == "survived" and r.proportion["cells"][0]["trials"] == 64


def test_large_population_is_sampled_not_enumerated():
    c = _claim(0.5, p=0.3, N=10**9, F=3 * 10**8)
    r = run_claim(c, "ci")
    cell = r.proportion["cells"][0]
    assert cell["mode"] == "sampled" and "too large to enumerate" in cell["note"]


def test_falsified_claim_reports_a_shrunk_failing_instance():
    r = run_claim(_claim(0.1, p=0.5), "ci")
    assert r.verdict == "falsified"
    assert r.finding is not None and r.finding.kind == "counterexample" and r.finding.minimised
    assert r.finding.evidence["margin"] < 0
    assert "Coin(0, True)" in r.finding.description  # Hypothesis shrank the integer to 0
    assert r.proportion["example"]["minimised"]


def test_cells_are_decided_separately_and_the_worst_decides():
    c = _claim(0.2, p=0.0, cells=({"p": 0.0}, {"p": 0.6}))
    r = run_claim(c, "ci")
    verdicts = [x["verdict"] for x in r.proportion["cells"]]
    assert verdicts == ["survived", "falsified"] and r.verdict == "falsified"


@pytest.mark.parametrize("eps", [0.0, 1.0, -0.1, 1.5, None, "0.1"])
def test_eps_outside_the_open_unit_interval_is_a_clear_error(eps):
    with pytest.raises(ValueError, match=r"eps must lie in the open interval \(0, 1\)"):
        _claim(eps, p=0.1)


def test_cell_eps_is_validated_too():
    with pytest.raises(ValueError, match="in cell"):
        _claim(0.1, p=0.1, cells=({"eps": 2.0},))


def test_a_proportion_claim_names_its_measure_and_can_draw():
    with pytest.raises(ValueError, match="measure"):
        claim("test/x", paper=PAPER, theorem="1", statement="s", strategy=st.none(), kind="proportion", eps=0.1,
              sampler=_sampler(0.1), register=False)(_check)
    with pytest.raises(ValueError, match="sampler or a population"):
        claim("test/y", paper=PAPER, theorem="1", statement="s", strategy=st.none(), kind="proportion", eps=0.1,
              measure="m", register=False)(_check)


def test_a_raising_sampler_is_an_error_verdict_and_keeps_earlier_cells():
    def sampler(rng, cell, size):
        if cell.get("boom"):
            raise RuntimeError("sampler exploded")
        return [Coin(0, False) for _ in range(size)]

    c = claim("test/boom", paper=PAPER, theorem="1", statement="s", strategy=st.none(), kind="proportion", eps=0.5,
              measure="m", sampler=sampler, cells=({}, {"boom": True}), register=False)(_check)
    r = run_claim(c, "ci")
    assert r.verdict == "error" and "sampler exploded" in r.message
    assert r.proportion["cells"][0]["verdict"] == "survived"


def test_undecidable_instances_count_against_both_bounds():
    def check(c):
        """Test claim 1."""
        raise Inconclusive("cannot decide: test")

    c = claim("test/undecided", paper=PAPER, theorem="1", statement="s", strategy=st.none(), kind="proportion",
              eps=0.5, measure="m", sampler=_sampler(0.0), register=False)(check)
    r = run_claim(c, "ci")
    assert r.verdict == "inconclusive" and r.inconclusive == r.examples
    assert r.inconclusive_reasons


def test_ablation_of_a_proportion_claim_needs_a_sampler():
    c = _claim(0.5, p=0.1)
    r = run_claim(c, "ci", strategy=_sampler(0.9))
    assert r.verdict == "falsified"
    with pytest.raises(TypeError, match="sampler"):
        run_claim(c, "ci", strategy=st.just(Coin(0, True)))


@pytest.mark.parametrize("batch", [False, True])
def test_hypotheses_are_checked_on_every_draw(batch):
    """A draw outside the theorem is never evidence, however late in the sample it comes."""
    from harness.core.claims import Assumption

    drawn = []

    def sampler(rng, cell, size):  # every draw would fail the check ...
        out = [Coin(len(drawn) + k, True) for k in range(size)]
        drawn.extend(out)
        return out

    c = claim("test/hyp-all", paper=PAPER, theorem="1", statement="s", strategy=st.none(), kind="proportion",
              eps=0.5, measure="m", sampler=sampler, register=False,
              hypotheses=(Assumption("k < 8", lambda coin: coin.k < 8),),  # ... but only the first 8 are inside
              batch_check=(lambda coins: np.array([-1.0 for _ in coins])) if batch else None)(_check)
    r = run_claim(c, "ci")
    cell = r.proportion["cells"][0]
    assert cell["failures"] == 8 and cell["inconclusive"] == cell["trials"] - 8
    assert r.inconclusive_reasons == {"hypothesis not met: k < 8": cell["trials"] - 8}
