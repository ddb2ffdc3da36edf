"""Small-scope enumeration (strategies.discrete, harness.enumeration, the runner's first phase)."""
from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from harness import profiles
from harness.claims import Paper, claim
from harness.enumeration import Enumerator, _compositions
from harness.evidence import Evidence
from harness.runner import run_claim
from strategies.discrete import dimension, finite_values, pinned, recording

P = Paper("test", "T. Est", "Enumeration", 2026)


@st.composite
def _corner(draw):
    """Five small dimensions and a continuous part; the claim below fails only at one corner of them."""
    return (tuple(draw(dimension(name, st.integers(0, 3))) for name in "abcde"),
            draw(st.floats(0, 1)))


def _needle(inst):
    """Fails iff (a, b, c, d, e) = (0, 1, 0, 1, 0): one configuration in 4^5 = 1024, small (size 2) but not
    the simplest, and unlikely under Hypothesis' own distribution."""
    config, _ = inst
    return Evidence(-1.0 if config == (0, 1, 0, 1, 0) else 1.0, f"config {config}")


def _claim(strategy, check, budget=1.0, kind="forall"):
    return claim(f"test/enum-{check.__name__}", paper=P, theorem="Test 1", statement="test", strategy=strategy,
                 kind=kind, budget=budget, register=False)(check)


def test_compositions_cover_every_vector_of_a_size_once():
    caps = [2, 3, 4]
    seen = [v for size in range(sum(c - 1 for c in caps) + 1) for v in _compositions(size, caps)]
    assert len(seen) == len(set(seen)) == 2 * 3 * 4
    assert [sum(v) for v in seen] == sorted(sum(v) for v in seen)


def test_small_scope_stage_goes_by_size_and_skips_covered_configurations():
    e = Enumerator(seed=3)
    e.learn({"x": (0, 1, 2), "y": ("a", "b")}, {"x": 0, "y": "a"})
    sizes = []
    while (c := e.next()) is not None and len(sizes) < 10:
        sizes.append((0, 1, 2).index(c["x"]) + ("a", "b").index(c["y"]))
        e.learn({}, c)
    assert sizes == sorted(sizes) and len(sizes) == 5  # 6 configurations, the first one already generated


def test_configurations_agreeing_with_what_an_instance_read_are_covered():
    e = Enumerator()
    e.learn({"x": (0, 1), "y": (0, 1)}, {"x": 1})  # this instance never read y
    assert e.covered({"x": 1, "y": 0}) and e.covered({"x": 1, "y": 1}) and not e.covered({"x": 0, "y": 0})


def test_elite_enumeration_fixes_what_the_margins_learned():
    e = Enumerator(seed=0, small_scope=0)
    vals = {"good": (0, 1, 2), "other": (0, 1, 2, 3)}
    for g, o in [(0, 0), (0, 1), (1, 0), (1, 2), (2, 0), (2, 1), (2, 2), (0, 3), (1, 3)]:
        e.learn(vals, {"good": g, "other": o}, score=-5.0 if g == 2 else 5.0)
    assert e._elite_enumeration() == {"good": 2, "other": 3}  # the one untried config of the learned subspace


def test_dimension_pins_and_records():
    s = dimension("k", st.integers(1, 4))
    assert finite_values(st.integers(1, 4)) == (1, 2, 3, 4)
    assert finite_values(st.integers(0, 10**6)) is None and finite_values(st.floats()) is None
    out = []

    @settings(max_examples=5, database=None)
    @given(s)
    def draw(k):
        out.append(k)

    with recording() as log, pinned({"k": 3}):
        draw()
    assert set(out) == {3} and log["values"] == {"k": (1, 2, 3, 4)}


def test_the_runner_finds_a_needle_by_enumeration_that_random_search_misses():
    c = _claim(_corner(), _needle, budget=6.0)  # ci: 150 examples, half of them enumerated
    r = run_claim(c, "ci")
    assert r.verdict == "falsified" and r.found_in == "enumeration", (r.verdict, r.message)
    assert r.finding.evidence["detail"] == "config (0, 1, 0, 1, 0)"
    assert r.enumerated <= 21  # within the 21 configurations of size <= 2 (after the short random head)
    no_enum = dataclasses.replace(profiles.get("ci"), enumerate_share=0.0)
    r0 = run_claim(c, no_enum)
    assert r0.verdict == "survived"  # Hypothesis' own distribution does not reach it in 150 draws


def test_infeasible_configurations_are_skipped_without_an_error():
    strategy = _corner().filter(lambda inst: inst[0][2] != 1)  # c = 1 is never generated
    c = _claim(strategy, _needle, budget=6.0)
    r = run_claim(c, "ci")
    assert r.verdict == "falsified" and r.found_in == "enumeration", (r.verdict, r.message)


def test_strategies_without_dimensions_cost_one_example():
    c = _claim(st.floats(0, 1), lambda x: Evidence(1.0, "fine"))
    r = run_claim(c, "ci")
    assert r.verdict == "survived" and r.enumerated == 1 and r.examples == 25


def test_exists_claims_enumerate_toward_witnesses():
    def witness(inst):
        """A witness iff the configuration is (0, 0, 1, 0, 1)."""
        return Evidence(1.0 if inst[0] == (0, 0, 1, 0, 1) else -1.0, str(inst[0]))

    r = run_claim(_claim(_corner(), witness, budget=6.0, kind="exists"), "ci")
    assert r.verdict == "witnessed" and r.found_in == "enumeration"


def test_tiebreak_never_changes_an_integer_verdict():
    for value in range(0, 6):
        for bound in range(0, 6):
            for t in (0.0, 0.3, 0.99, 5.0):
                ev = Evidence.at_least(value, bound, "count", tiebreak=t)
                assert (ev.margin >= 0) == (value >= bound)
                ev = Evidence.at_most(value, bound, "count", tiebreak=t)
                assert (ev.margin >= 0) == (value <= bound)
    assert Evidence.at_least(3, 3, "c", tiebreak=0.2).margin < Evidence.at_least(3, 3, "c", tiebreak=0.8).margin
    import pytest

    with pytest.raises(ValueError, match="integer"):
        Evidence.at_least(2.5, 2, "c", tiebreak=0.5)
