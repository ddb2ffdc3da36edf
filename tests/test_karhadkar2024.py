"""The ReLU-region engine (harness.models.relu) and the exact reproduction targets of karhadkar2024.md: Gram ranks
against exact ranks and an independent Fraction elimination, the LP against a planar brute force, exhaustive
counts of full-rank patterns, the 1-D criterion, and the authors' pitfalls."""
from __future__ import annotations

import json
from itertools import product

import numpy as np
import pytest
from hypothesis import strategies as st

import properties.karhadkar2024 as K
from harness.models import relu as R
from harness.core.claims import registry
from strategies import relu as S


def _count_full(cell) -> tuple[int, int]:
    space = S.PatternSpace(cell)
    X, v = S.cell_data(cell)
    Xt = R.augmented(X, bool(cell.get("bias", False)))
    A = np.stack([i.A for i in space])
    ranks, _ = R.pattern_ranks(A, Xt, K._supp(v))
    return int(np.sum(ranks == cell["n"])), len(space)


# ---- exact ranks -------------------------------------------------------------------------------------------

def test_gram_rank_equals_exact_rank_of_J_and_fraction_elimination():
    rng = np.random.default_rng(1)
    for _ in range(40):
        d0, d1, n, bias = rng.integers(1, 4), rng.integers(1, 5), rng.integers(1, 7), bool(rng.integers(0, 2))
        X = rng.integers(-5, 6, size=(n, d0))
        A = rng.integers(0, 2, size=(d1, n)).astype(np.uint8)
        v = rng.choice((-2, -1, 1, 3), size=d1)
        J = R.jacobian(A, X.astype(object), v.astype(object), bias)
        exact = R.exact_rank(J)
        assert exact == R._rank_fractions(J.tolist())
        assert R.pattern_ranks(A, R.augmented(X, bias), v)[0] == exact
        assert R.rank_mod_p_int(np.mod(np.asarray(J, dtype=np.int64), R.PRIME)) <= exact


def test_rank_mod_p_of_a_100_by_3000_integer_jacobian_is_full():
    rng = np.random.default_rng(0)
    n, d0, d1 = 100, 10, 300
    X = rng.integers(-10**6, 10**6, size=(n, d0))
    A = rng.integers(0, 2, size=(d1, n)).astype(np.uint8)
    assert R.pattern_ranks(A, X, None)[0] == n


def test_deficient_gram_ranks_are_confirmed_exactly():
    X = np.array([[1], [2], [3]])  # d_0 = 1, no bias: rank J = rank A (d0-1 claim)
    A = np.array([[1, 1, 0], [1, 1, 0]], np.uint8)
    r, how = R.pattern_ranks(A, X, None)
    assert r == 1 and "exact" in how


# ---- exhaustive counts of the claims file (reproduction targets) ----------------------------------------------

@pytest.mark.parametrize("cell,full", [
    (dict(d0=2, d1=2, n=3), 24), (dict(d0=2, d1=3, n=4), 2226), (dict(d0=3, d1=2, n=5), 210),
    (dict(d0=1, d1=3, n=4, bias=True), 2226), (dict(d0=2, d1=3, n=4, bias=True), 2394), (dict(d0=2, d1=2, n=6), 0),
])
def test_thm5_exhaustive_counts(cell, full):
    assert _count_full(cell)[0] == full


@pytest.mark.parametrize("n,count", [(1, 1), (2, 6), (3, 174)])
def test_oeis_a046747_nonsingular_01_matrices(n, count):
    assert _count_full(dict(d0=1, d1=n, n=n))[0] == count


@pytest.mark.parametrize("d0,d1,n", [(3, 2, 3), (4, 3, 4)])
def test_d0_ge_n_count_is_the_closed_form(d0, d1, n):
    full, total = _count_full(dict(d0=d0, d1=d1, n=n))
    assert full == (2 ** d1 - 1) ** n and total == 2 ** (d1 * n)


def test_beta_and_width_formula():
    assert R.beta(4, 2, 3) == 0.75 and R.beta(4, 2, 4) == 0.375 and R.beta(5, 2, 3) == 1.25
    for n, d, eps in [(20, 2, 0.1), (30, 3, 0.05), (100, 10, 0.05)]:
        assert R.beta(n, d, R.width_for(n, d, eps)) <= eps


# ---- 1-D sectors and the rank criterion ----------------------------------------------------------------------

@pytest.mark.parametrize("n,d1,full", [(2, 2, 9), (3, 3, 144), (4, 3, 246), (5, 3, 240)])
def test_1d_exhaustive_full_counts_and_criterion(n, d1, full):
    x = np.array([[-7], [2], [5], [11], [30]][:n])
    codes = np.array(list(product(range(2 * n), repeat=d1)))
    A = R.sector_patterns(codes, n)
    ranks, _ = R.pattern_ranks(A, R.augmented(x, True), None)
    assert int(np.sum(ranks == n)) == full
    assert all(R.criterion_1d(tuple(c), n) == (r == n) for c, r in zip(codes, ranks))


def test_sector_params_realise_their_sector():
    x = np.array([-3, 0, 4, 9])
    for code in range(8):
        w, b = R.sector_params(code, x)
        assert np.array_equal(((w * x + b) > 0).astype(np.uint8), R.sector_row(code, 4))
        assert np.all(w * x + b != 0)


def test_sector_patterns_vectorised_matches_rows():
    codes = np.arange(12).reshape(2, 6)
    assert np.array_equal(R.sector_patterns(codes, 6)[1], R.sector_pattern(codes[1], 6))


# ---- realisability: LP against brute force ----------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(6))
def test_lp_realisable_patterns_equal_planar_brute_force(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 6))
    if seed % 2:  # 1-D with bias
        Xt = R.augmented(np.sort(rng.choice(100, n, replace=False))[:, None], True)
    else:
        Xt = rng.integers(-20, 21, size=(n, 2))
        if not R.general_position(Xt):
            pytest.skip("degenerate draw")
    lp = set(R.realisable_patterns(Xt))
    assert lp == R.planar_patterns(Xt)
    assert len(lp) == R.cover_count(n, 2)


def test_lp_with_default_bounds_misses_patterns():
    """The authors' pitfall: linprog's default bounds force w >= 0."""
    Xt = np.array([[1, 0], [0, 1], [-1, -1], [2, -1]])
    free, nonneg = set(R.realisable_patterns(Xt)), set(R.realisable_patterns(Xt, nonneg=True))
    assert nonneg < free


def test_unrealisable_pattern_is_reported_infeasible():
    Xt = np.array([[1.0], [2.0]])  # d_0 = 1, no bias, both positive: (1, 0) is not realisable
    res = R.realisable(np.array([1, 0]), Xt)
    assert not res.feasible and res.w is None


# ---- deep networks --------------------------------------------------------------------------------------------

def test_deep_jacobian_matches_finite_differences():
    rng = np.random.default_rng(3)
    n, d0, ws = 5, 2, [4, 3]
    X = rng.standard_normal((n, d0))
    W1 = rng.standard_normal((ws[0], d0 + 1))
    W2 = rng.standard_normal((ws[1], ws[0]))
    v = rng.standard_normal(ws[1])

    def f(W1flat):
        h1 = np.maximum(W1flat.reshape(ws[0], -1) @ R.augmented(X, True).T, 0)
        return v @ np.maximum(W2 @ h1, 0)

    h1pre = W1 @ R.augmented(X, True).T
    masks = ((h1pre > 0).astype(np.uint8), ((W2 @ np.maximum(h1pre, 0)) > 0).astype(np.uint8))
    J = np.asarray(R.deep_first_layer_jacobian(masks, (W2,), v, X, True), dtype=float)
    h = 1e-7
    fd = np.array([(f(W1.ravel() + h * e) - f(W1.ravel() - h * e)) / (2 * h) for e in np.eye(W1.size)]).T
    assert np.max(np.abs(J - fd)) < 1e-6


# ---- the authors' float32 rank ----------------------------------------------------------------------------------

def test_float32_rank_under_reports_an_exactly_full_jacobian():
    inst = S.sample_volume(np.random.default_rng(0), dict(n=100, d0=2, d1=300, bias=True, law="torch"), 1)[0]
    assert R.pattern_ranks(inst.A, inst.Xt, None)[0] == inst.n  # certified full rank
    assert K.float32_rank(K._full_jacobian_float(inst)) < inst.n


# ---- the catalogue ------------------------------------------------------------------------------------------

def test_every_claim_of_the_claims_file_is_encoded_with_its_label():
    ids = {c.id for c in registry if c.paper.key == "karhadkar2024"}
    for base in ["lem-fullrank-critical-global", "jacobian-khatri-rao", "trainable-v-adds-nothing", "thm-5",
                 "d0-1-no-bias-rank-equals-rank-a", "d0-ge-n-exact", "count-nonempty-regions", "cor-8",
                 "1d-rank-criterion", "thm-10", "1d-log-factor-needed", "thm-12", "deep-count", "volume-d0-ge-n",
                 "volume", "exp-phase-transition", "1d-no-bad-minima-in-closure"]:
        assert f"karhadkar2024/{base}" in ids
    for c in registry:
        if c.paper.key == "karhadkar2024":
            assert any(tag in c.notes for tag in ("[RECON", "[DERIVED", "[PAPER-REVIEW", "[CODE")), c.id


def test_authors_method_readings_are_expected_to_fail():
    fails = {c.id for c in registry if c.paper.key == "karhadkar2024" and c.expect == "fails"}
    assert {"karhadkar2024/thm-12/authors-lp", "karhadkar2024/exp-phase-transition/float32-rank"} <= fails


# ---- reproductions ----------------------------------------------------------------------------------------------

def test_ci_reproductions_run_and_agree_with_the_reference(tmp_path):
    from harness.app.cli import main
    from harness.statistics.reproductions import select

    assert {r.id for r in select("karhadkar2024/*")} >= {"karhadkar2024/exp-ratio", "karhadkar2024/exp-fixed-d0",
                                                          "karhadkar2024/thm-10-table"}
    assert main(["reproduce", "karhadkar2024/thm-10-table,karhadkar2024/exp-ratio", "--out", str(tmp_path)]) == 0
    data = json.loads((tmp_path / "reproductions" / "karhadkar2024__thm-10-table.json").read_text())
    assert data["compared"] == len(data["cells"]) and data["agreeing"] >= data["compared"] - 1
    assert (tmp_path / "reproductions" / "karhadkar2024__exp-ratio.png").stat().st_size > 0
    md = (tmp_path / "reproductions" / "karhadkar2024__exp-ratio.md").read_text()
    assert "(ref 0.33)" in md


def test_unknown_reproduction_is_a_usage_error(tmp_path):
    from harness.app.cli import main

    assert main(["reproduce", "karhadkar2024/nope", "--out", str(tmp_path)]) == 2


def test_reproduction_agreement_rule():
    from harness.statistics.reproductions import agrees

    assert agrees(0.4, 0.6, 0.5, 40) and not agrees(0.9, 1.0, 0.1, 40)


# ---- certified decisions (LP answers are never trusted as they come) -------------------------------------------

@pytest.mark.parametrize("seed", range(4))
def test_farkas_certificates_exactly_for_the_unrealisable_patterns(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 6))
    Xt = R.augmented(np.sort(rng.choice(100, n, replace=False))[:, None], True) if seed % 2 else \
        rng.integers(-20, 21, size=(n, 2))
    realisable = R.planar_patterns(Xt)
    for a in product((0, 1), repeat=n):
        assert R.certified_unrealisable(np.array(a), Xt) == (a not in realisable), a


def test_count_nonempty_regions_is_inconclusive_without_a_certificate(monkeypatch):
    from harness.core.evidence import Inconclusive

    inst = R.ReluRegion(np.array([[1], [2], [3]]), np.zeros((0, 3), np.uint8), np.zeros(0), True)
    assert registry["karhadkar2024/count-nonempty-regions"].check(inst).margin == 0
    monkeypatch.setattr(R, "certified_unrealisable", lambda a, Xt: False)
    with pytest.raises(Inconclusive, match="Farkas"):
        registry["karhadkar2024/count-nonempty-regions"].check(inst)


def _paired_instance():
    from hypothesis import given, settings

    found = []

    @settings(max_examples=30, database=None, derandomize=True)
    @given(K._paired_regions(n=st.just(3)))
    def collect(i):
        if K._paired_sufficient(i):
            found.append(i)

    collect()
    return found[0]


def test_zero_loss_decision_has_a_gap(monkeypatch):
    from harness.core.evidence import Inconclusive

    inst = _paired_instance()
    found, pt, t = K._zero_loss_point(inst, inst.y)
    assert found and t >= K.T_POSITIVE and R.in_open_region(np.array(pt, dtype=object).reshape(inst.d1, 2),
                                                            inst.X, inst.A, True)
    bad = np.zeros(2 * inst.d1)  # a point that does not verify exactly
    monkeypatch.setattr(K, "_region_lp", lambda i, y, **kw: (1e-9, bad))
    with pytest.raises(Inconclusive, match="no gap"):
        K._zero_loss_point(inst, inst.y)
    monkeypatch.setattr(K, "_region_lp", lambda i, y, **kw: (1e-13, bad))
    assert K._zero_loss_point(inst, inst.y)[0] is False
    monkeypatch.setattr(K, "_region_lp", lambda i, y, **kw: (None, None))  # y is in range J: not believed
    with pytest.raises(Inconclusive, match="range of J"):
        K._zero_loss_point(inst, inst.y)


def test_closure_claim_certifies_descent_or_a_bad_minimum():
    from hypothesis import given, settings

    check = registry["karhadkar2024/1d-no-bad-minima-in-closure"].check

    @settings(max_examples=10, database=None, derandomize=True)
    @given(K._deficient_critical_points_1d())
    def bad(i):
        ev = check(i)
        assert ev.margin < 0 and "bad local minimum" in ev.detail

    bad()
    inst = _paired_instance()
    assert check(inst).margin >= 0


def test_volume_full_rank_iff_no_dead_point_on_every_draw():
    rng = np.random.default_rng(11)
    for cell in K.VOL_D0GEN_CELLS:
        insts = S.sample_volume(rng, cell, 300)
        assert all(K._rank_x_full(i) for i in insts)
        m = K._full_iff_alive(insts)
        assert not np.any(m == -2.0) and np.any(m == -1.0) and np.any(m == 0.0)
    narrow = S.sample_volume(rng, dict(d0=2, n=10, d1=4, law="gaussian"), 50)  # H1/H2 fail: identity breaks
    assert np.any(K._full_iff_alive(narrow) == -2.0)


def test_exp_phase_transition_uses_the_spec_thresholds():
    cells = {(c["ratio"], c["n"], c["d1"]): c for c in K.EXP_CELLS}
    assert cells[(0.5, 50, 2)]["want"] == "deficient" and cells[(0.5, 50, 2)]["eps"] == 0.15
    assert all(c["eps"] <= 0.15 for c in K.EXP_CELLS)
