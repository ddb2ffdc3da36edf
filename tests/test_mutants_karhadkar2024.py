"""Mutation tests of the Karhadkar et al. (2024) catalogue: every claim expected to hold -- forall and
proportion -- has deliberately false variants (a dropped genericity or sign condition, a width bound too small,
rank n + 1 instead of n, the wrong measure), and the harness must falsify each in the ``ci`` profile.

Every mutant is mathematically false on what its strategy or sampler draws (the reasoning is in ``why``).
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import strategies as st

import properties.karhadkar2024 as K
from harness.numerics import exact
from harness.models import relu as R
from harness.core.claims import registry
from harness.core.evidence import Evidence
from harness.engine.mutants import Mutant, falsify, holding_forall_claims
from strategies import relu as S


def holding_proportion_claims(prefix: str) -> list[str]:
    return sorted(c.id for c in registry if c.id.startswith(prefix) and c.expect == "holds"
                  and c.kind == "proportion")


def _criterion_blocks_only(codes, n):
    """Condition (i) of the 1-D criterion alone (condition (ii) dropped)."""
    return K._rank_ub_1d(codes, n) == n


def _jacobian_without_pattern(inst):
    """J with the pattern ignored (every unit active): the Khatri-Rao structure without A."""
    J = R.jacobian(np.ones_like(inst.A), exact.object_array(inst.X), exact.object_array(np.ravel(inst.v)), inst.bias)
    Jd, _ = K._difference_jacobian(inst)
    return Evidence.equal(int(np.sum(J != Jd)), 0, "entries where J (pattern ignored) differs")


def _affine_dim_plus_one(inst):
    J = R.jacobian(inst.A, np.asarray(inst.X, dtype=object), np.asarray(inst.v, dtype=object), True)
    kdim = J.shape[1] - K._exact_rank(J)
    return Evidence.equal(kdim, 2 * inst.d1 - inst.n - 1, "dim ker J vs 2 d_1 - n - 1 (rank n + 1)")


def _cells_thm5_narrow():
    return tuple(dict(d0=d0, n=n, d1=math.ceil(n / (d0 + b)) - 1, bias=bool(b), eps=0.1)
                 for d0, n, b in [(2, 20, 0), (3, 30, 0), (1, 30, 1)])


THM5_VOLUME = (dict(d0=2, n=20, d1=15, eps=0.1, law="gaussian"),)
THM10_VOLUME = tuple(dict(n=c["n"], d0=1, d1=c["d1"], bias=True, eps=c["eps"], law="gaussian")
                     for c in K.THM10_CELLS[:2])

MUTANTS = [
    # ---- forall claims ----
    Mutant("karhadkar2024/lem-fullrank-critical-global", "rank-deficient",
           "H3 dropped: in a rank-deficient region y = J W - r with r != 0 in ker J^T makes W critical with L > 0",
           lambda: dict(strategy=K._critical_points(deficient=True)), drop=("H3",)),
    Mutant("karhadkar2024/jacobian-khatri-rao", "pattern-ignored",
           "without the pattern A the Jacobian counts inactive units: wrong as soon as some A_ij = 0",
           lambda: dict(check=_jacobian_without_pattern)),
    Mutant("karhadkar2024/trainable-v-adds-nothing", "v-zero",
           "with v_i = 0 neuron i's W-columns vanish but its v-column A_i. <w_i, x~> does not",
           lambda: dict(strategy=S.points_in_regions(d0=st.integers(1, 3), d1=st.integers(1, 4), n=st.integers(2, 6),
                                                     v_values=(0, 1))), drop=("H1",)),
    Mutant("karhadkar2024/d0-1-no-bias-rank-equals-rank-a", "x-zero",
           "a data point x_j = 0 zeroes row j of J but not column j of A",
           lambda: dict(strategy=K._d0_one(zero_x=True)), drop=("all x_j != 0",)),
    Mutant("karhadkar2024/d0-ge-n-exact", "d0-below-n",
           "d_0 = n - 1 with one neuron: rank J <= d_0 < n = #alive points when the neuron is all-on",
           lambda: dict(strategy=K._wide_input(narrow=True)), drop=("H1", "H2")),
    Mutant("karhadkar2024/count-nonempty-regions", "degenerate",
           "x_2 = 2 x_1, x_3 = -x_1/2: parallel hyperplanes merge regions, fewer than Cover's count",
           lambda: dict(strategy=K._arrangements(degenerate=True)), drop=("H1",)),
    Mutant("karhadkar2024/cor-8", "width-too-small",
           "d_1 = log2(n/eps) - 2: (1 - 4 eps/n)^n ~ 1 - 4 eps < 1 - eps",
           lambda: dict(strategy=K._cor8(short=True)), drop=("H4",)),
    Mutant("karhadkar2024/cor-8", "d0-below-n",
           "d_0 = n - 1 < n: Cover's count C(n, n - 1) = 2^n - 2 < 2^n patterns realisable",
           lambda: dict(strategy=K._cor8(narrow=True)), drop=("H1",)),
    Mutant("karhadkar2024/1d-rank-criterion", "blocks-only",
           "condition (ii) dropped: all blocks <= 2 points but no all-on neuron, no shared cut -> deficient",
           lambda: dict(check=lambda i: K._criterion_claim(i, _criterion_blocks_only))),
    Mutant("karhadkar2024/thm-12/paired-sufficient", "positive-v",
           "the sign condition dropped: with all v_i > 0 f >= 0 cannot fit a y with a negative entry",
           lambda: dict(strategy=K._paired_regions(positive=True)),
           drop=("paired neurons", "v with both signs")),
    Mutant("karhadkar2024/thm-12/affine-dim", "rank-n-plus-one",
           "dim ker J = 2 d_1 - n, not 2 d_1 - n - 1 (a rank n + 1 bookkeeping)",
           lambda: dict(check=_affine_dim_plus_one)),
    Mutant("karhadkar2024/thm-12/sign-assumption", "mixed-signs",
           "with paired +1/-1 weights the region's image is R^n: zero-loss points exist for any y",
           lambda: dict(strategy=K._paired_regions()), drop=("all v_i > 0",)),
    Mutant("karhadkar2024/deep-count/reduction", "dead-points",
           "a point dead in a layer l >= 2 has g_j = 0, a zero row absent from the shallow Jacobian",
           lambda: dict(strategy=S.deep_regions(widths=st.lists(st.integers(1, 2), min_size=2, max_size=3))),
           drop=("every point alive",)),
    Mutant("karhadkar2024/1d-no-bad-minima-in-closure", "rank-deficient",
           "the paired hypothesis dropped (J_R(R) != R^n): in a region with 2 d_1 < n, y = J theta_b - r with "
           "0 != r in ker J^T makes theta_b (inside R) a critical point of the convex quadratic L|R with "
           "L = |r|^2/2 > 0; R is an open neighbourhood of theta_b, so it is a bad local minimum of cl R",
           lambda: dict(strategy=K._deficient_critical_points_1d()), drop=("paired neurons",)),
    # ---- proportion claims ----
    Mutant("karhadkar2024/thm-5", "width-too-small",
           "d_1 = ceil(n/d_0') - 1: d_0' d_1 < n columns, every pattern is rank deficient",
           lambda: dict(cells=_cells_thm5_narrow(), population=None, strategy=S.cell_patterns(_cells_thm5_narrow())),
           drop=("H3",)),
    Mutant("karhadkar2024/thm-5", "volume-measure",
           "the wrong measure: Gaussian-parameter volume at the count width (d_0 = 2, n = 20, d_1 = 15) is "
           "mostly deficient (claims file K-vol: 1% full at d_1 = 14)",
           lambda: dict(cells=THM5_VOLUME, population=None, sampler=S.sample_volume, batch_check=K._batch_volume,
                        strategy=K._cell_volume(THM5_VOLUME)), drop=("H3", "H4")),
    Mutant("karhadkar2024/thm-10", "volume-measure",
           "the wrong measure: Gaussian (w, b) put few breakpoints between the data; deficient far above eps",
           lambda: dict(cells=THM10_VOLUME, sampler=S.sample_volume, batch_check=K._batch_volume,
                        strategy=K._cell_volume(THM10_VOLUME)), drop=("H4", "H5")),
    Mutant("karhadkar2024/thm-10", "no-log-factor",
           "d_1 = 2n at n = 100: P(full) = 0.18 (claims file), deficient 0.82 > eps = 0.2",
           lambda: dict(cells=(dict(n=100, d1=200, eps=0.2),), strategy=K._cell_sectors((dict(n=100, d1=200, eps=0.2),))),
           drop=("H4",)),
    Mutant("karhadkar2024/1d-log-factor-needed", "small-n",
           "at n = 20, d_1 = 2n 78% of the regions are full rank, not <= 5%",
           lambda: dict(cells=(dict(n=20, d1=40, eps=0.05),), strategy=K._cell_sectors((dict(n=20, d1=40, eps=0.05),)))),
    Mutant("karhadkar2024/thm-12", "positive-v",
           "all v_i = +1: f >= 0, no region fits a y with a negative entry (fit 0 in the claims file)",
           lambda: dict(cells=(dict(n=6, d1=48, eps=0.1, v="positive"),),
                        strategy=K._cell_sectors((dict(n=6, d1=48, eps=0.1),))), drop=("v balanced",)),
    Mutant("karhadkar2024/deep-count", "deep-width-1",
           "eps = beta without the deeper-layer term: a width-1 second layer kills half the points "
           "(claims file: full rank 0/1,000)",
           lambda: dict(cells=(dict(d0=2, n=12, widths=(8, 1), eps=R.beta(12, 3, 8)),),
                        strategy=K._cell_deep((dict(d0=2, n=12, widths=(8, 1)),)))),
    Mutant("karhadkar2024/volume-d0-ge-n", "d0-below-n",
           "d_0 = 2 < n = 10, d_1 = 4 (so rank X <= 2 < n too): d_0 d_1 = 8 < 10, never full rank",
           lambda: dict(cells=(dict(d0=2, n=10, d1=4, eps=0.625, law="gaussian"),),
                        strategy=K._cell_volume((dict(d0=2, n=10, d1=4, eps=0.625, law="gaussian"),))),
           drop=("H1", "H2")),
    Mutant("karhadkar2024/volume-d0-ge-n", "shifted-law",
           "W ~ N(-1, 1) is not symmetric: points die more often than 2^{-d_1} each",
           lambda: dict(cells=(dict(d0=12, n=10, d1=4, eps=0.625, law="shifted"),),
                        strategy=K._cell_volume((dict(d0=12, n=10, d1=4, eps=0.625, law="shifted"),))),
           drop=("H3",)),
    Mutant("karhadkar2024/volume", "width-too-small",
           "d_1 = 7, d_0 = 5 without bias: d_0 d_1 = 35 < n = 40, never full rank",
           lambda: dict(cells=(dict(d0=5, n=40, d1=7, eps=0.05, law="gaussian"),),
                        strategy=K._cell_volume((dict(d0=5, n=40, d1=7, eps=0.05, law="gaussian"),)))),
    Mutant("karhadkar2024/exp-phase-transition", "wrong-side",
           "ratio 0.5, n = 50, d_1 = 3 is below the transition: about 12% full, not >= 90%",
           lambda: dict(cells=(K._exp_cell(0.5, 50, 3, "full"),),
                        strategy=K._cell_volume((K._exp_cell(0.5, 50, 3, "full"),)))),
]

HOLDS = holding_forall_claims("karhadkar2024/")
HOLDS_PROPORTION = holding_proportion_claims("karhadkar2024/")


def test_every_holding_claim_has_a_mutant():
    covered = {m.of for m in MUTANTS}
    assert not set(HOLDS) - covered, f"forall claims without a mutant: {sorted(set(HOLDS) - covered)}"
    assert not set(HOLDS_PROPORTION) - covered, \
        f"proportion claims without a mutant: {sorted(set(HOLDS_PROPORTION) - covered)}"
    assert len(HOLDS) >= 12 and len(HOLDS_PROPORTION) >= 7


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.id.removeprefix("karhadkar2024/") for m in MUTANTS])
def test_mutant_is_falsified(mutant):
    falsify(mutant)