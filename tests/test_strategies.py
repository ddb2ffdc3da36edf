"""Strategies produce what they promise: exact locus points, critical split points, zero-loss global minima,
distinct generic data, regimes relative to n, and architectures that shrink toward small sizes."""
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.numerics import relative_gradient
from strategies import architectures, datasets, global_minima, problems, split_points, star_points
from strategies.loci import dim_S_K_formula, locus_constraints, locus_dimension

FEW = settings(max_examples=15, derandomize=True, database=None, deadline=None,
               suppress_health_check=list(HealthCheck))


@FEW
@given(star_points(problems(depth=st.integers(1, 3)), m=1))
def test_star_points_satisfy_the_locus_constraints_exactly(inst):
    arch, (k,) = inst.arch, inst.point["K"]
    assert not np.any(inst.theta[arch.weight(k)])
    for j in range(k, arch.depth + 1):
        assert not np.any(inst.theta[arch.bias(j)])
    assert not np.any(inst.theta[arch.weight(arch.depth + 1)])
    assert np.array_equal(inst.theta[arch.bias(arch.depth + 1)], inst.Y.mean(axis=0))
    free = ~locus_constraints(arch, [k])
    assert np.all(inst.theta[free] != 0)  # the free coordinates are drawn, not left at zero


@FEW
@given(architectures(depth=st.integers(1, 5)), st.data())
def test_locus_dimension_matches_the_closed_form(arch, data):
    K = sorted(data.draw(st.sets(st.integers(1, arch.depth), min_size=1)))
    assert locus_dimension(arch, K) == dim_S_K_formula(arch, K)


@FEW
@given(split_points(problems(n=st.integers(3, 5), regime="very_wide", depth=st.integers(1, 2))))
def test_split_points_are_critical_when_the_narrow_point_was(inst):
    if inst.point["refined"]:
        assert relative_gradient(inst.problem, inst.theta) <= 1e-10
    assert inst.arch.last_hidden >= inst.n > inst.point["narrow_width"]


@FEW
@given(global_minima(problems(n=st.integers(2, 5), regime="very_wide", d_in=st.integers(2, 3))))
def test_very_wide_global_minima_have_zero_loss(inst):
    assert inst.problem.loss(inst.theta) <= 1e-20 * (1 + np.sum(inst.Y ** 2))


@FEW
@given(st.integers(2, 8).flatmap(lambda n: st.tuples(st.just(n), datasets(n, 1, 1))))
def test_generic_data_have_distinct_inputs(n_data):
    n, (X, Y) = n_data
    assert X.shape == (n, 1) and len({float(x) for x in X[:, 0]}) == n


@FEW
@given(st.integers(3, 8).flatmap(lambda n: st.tuples(st.just(n), architectures(n=n, regime="narrow"),
                                                       architectures(n=n, regime="very_wide"),
                                                       architectures(n=n, regime="wide"))))
def test_regimes_relative_to_n(drawn):
    n, narrow, very_wide, wide = drawn
    assert narrow.last_hidden <= n - 2
    assert very_wide.last_hidden >= n
    assert min(wide.hidden) > n


def test_architectures_shrink_toward_the_smallest_net():
    from hypothesis import find

    smallest = find(architectures(), lambda a: True)
    assert smallest.widths == (1, 1, 1)
