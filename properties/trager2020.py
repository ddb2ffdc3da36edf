"""M. Trager, K. Kohn, J. Bruna, "Pure and spurious critical points: a geometric study of linear networks"
(ICLR 2020, arXiv:1910.01671).

Every claim of ../shared/claims/trager2020.md.  No full text of the paper was reachable: the claims file is a
reconstruction and labels what is the paper's ([PAPER] fragments of the abstract / Figure 1), what is a
reconstruction of a paper statement ([RECON]) and what was derived ([DERIVED]); the paper's theorem numbers are
unknown, so each claim's ``theorem`` names the claims-file section (e.g. "Claim 2.4") and the paper section it
is believed to come from, and its ``notes`` carry the label.

Notation (claims file section 1): widths d = (d_0, ..., d_h), theta = (W_1, ..., W_h), mu(theta) = W_h ... W_1
= Wbar, r = min_i d_i, M_r = {rank <= r} (filling iff r = min(d_0, d_h)), L = ell o mu, G = grad ell(Wbar).
Quadratic loss ell(W) = ||W X - Y||^2, S = X X^T, U = Y X^T S^{-1/2} = sum sigma_i u_i v_i^T, U_I = the part
of the SVD indexed by I; theta_I = the canonical critical point with mu(theta_I) = U_I S^{-1/2}.

Everything polynomial is decided in exact rational arithmetic (python-flint): gradients are zero or not,
ranks and inertias are exact, and a finding is a proof (certification ``exact``).  Local minimality is
certified in function space (the chart Hessian of ell on M_r, plus mu being a submersion at rank-r points),
never by "Hessian of L positive definite" (the GL-orbit makes it singular).  Optimiser evidence is gated on
the gradient: a stalled run is rejected, never reported.
"""
from __future__ import annotations

from itertools import combinations

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from harness.numerics import exact
from harness.core.claims import Assumption, Paper, claim
from harness.numerics.determinantal import chart_hessian, eckart_young_index, is_stratum_critical, purity, stratum_residual, tangent_spanning_set, weighted_index
from harness.core.evidence import Evidence, Inconclusive
from harness.models.losses import WeightedQuadraticLoss
from harness.models.linear import LinearArchitecture, LinearInstance, partial_products, product, rank_dmu_formula
from harness.numerics import Tolerances, numerical_rank
from harness.numerics.optimise import minimise_gated
from strategies.data import seeds
from strategies.linear import (
    canonical_critical_points,
    fiber_points,
    integer_points,
    kernel_augmented_points,
    linear_architectures,
    linear_problems,
    quadratic_losses,
    random_factorization,
    smooth_convex_losses,
    weighted_pattern_points,
    weighted_quadratic_losses,
)

TRAGER2020 = Paper("trager2020", "M. Trager, K. Kohn, J. Bruna",
                   "Pure and spurious critical points: a geometric study of linear networks", 2020, "1910.01671")

RECON = "[RECON] reconstructed from the abstract and fragments; the paper's theorem number is unknown."
DERIVED = "[DERIVED] derived in the claims file, beyond what the paper is known to state."


# ---- hypotheses -----------------------------------------------------------------------------------------
def _filling(violating=None):
    return Assumption("filling: r = min(d_0, d_h)", lambda i: i.arch.filling, violating)


def _non_filling(violating=None):
    return Assumption("non-filling: r < min(d_0, d_h)", lambda i: not i.arch.filling, violating)


def _critical(violating=None):
    """theta is a critical point of L: grad L(theta) = 0 exactly (rational arithmetic)."""
    return Assumption("theta critical: grad L = 0 (exact)", lambda i: exact.is_zero(i.problem.exact_grad(i.exact_theta)),
                      violating)


def _rank_r(violating=None):
    return Assumption("rank mu(theta) = r", lambda i: exact.rank(i.problem.exact_mu(i.exact_theta)) == i.arch.r,
                      violating)


def _max_rank(violating=None):
    return Assumption("rank d mu(theta) = dim M (maximal)",
                      lambda i: exact.rank(i.problem.exact_jacobian_mu(i.exact_theta)) == i.arch.dim_M, violating)


QUADRATIC = Assumption("ell = ||W X - Y||^2 (Frobenius-quadratic after whitening)",
                       lambda i: i.loss.frobenius_quadratic)
NOT_QUADRATIC = Assumption("ell not an affine image of the Frobenius-quadratic loss",
                           lambda i: not i.loss.frobenius_quadratic)
CONVEX = Assumption("ell smooth and convex", lambda i: i.loss.convex and i.loss.smooth)
SMOOTH = Assumption("ell smooth (C^2)", lambda i: i.loss.smooth)


def _generic_sigma(inst) -> bool:
    """sigma_1 > ... > sigma_m > 0 for the whitened target of a quadratic loss with a known exact SVD."""
    w = getattr(inst.loss, "whitening_exact", None)
    if w is None:
        return False
    s = w[1]
    return all(s[k] > s[k + 1] for k in range(len(s) - 1)) and s[-1] > 0


GENERIC = Assumption("generic data: sigma_1 > ... > sigma_m > 0", _generic_sigma)


# ---- shared pieces of checks -----------------------------------------------------------------------------
def _ok(cond: bool, what: str, **values) -> Evidence:
    """An exactly decided statement: margin +1 (holds) or -1 (violated)."""
    return Evidence(1.0 if cond else -1.0, f"{what}: {'yes' if cond else 'NO'}", values)


def _exact_parts(inst):
    """(layers, Wbar, G = grad ell(Wbar)), exact."""
    Ws = inst.problem.exact_layers(inst.exact_theta)
    W = product(Ws)
    return Ws, W, inst.loss.exact_grad(W)


def _inertia(inst):
    return exact.inertia(inst.problem.exact_hessian(inst.exact_theta))


def _sigma(inst) -> list:
    return list(inst.loss.whitening_exact[1])


def _I(inst) -> list[int]:
    return list(inst.point["I"])


def _small(**kw):
    """Architectures with d_theta small enough for exact Hessians in a property loop."""
    kw.setdefault("depth", st.integers(2, 3))
    kw.setdefault("width", st.integers(1, 3))
    return linear_architectures(**kw)


def _quadratic(archs=None, **kw):
    return linear_problems(archs if archs is not None else _small(**kw), quadratic_losses)


# =========================================================================================================
# 2.1 Pure and spurious critical points (definition, Figure 1)
# =========================================================================================================
@st.composite
def _figure_1(draw):
    """d = (1, ..., 1) (h = 2 or 3 layers), ell(w) = (w - u)^2, u a nonzero integer; a nonzero integer a."""
    h = draw(st.integers(2, 3))
    u = draw(st.integers(-5, 5).filter(bool))
    a = draw(st.integers(-3, 3).filter(bool))
    arch = LinearArchitecture((1,) * (h + 1))
    return LinearInstance(arch, WeightedQuadraticLoss(np.array([[float(u)]]), np.ones((1, 1))),
                          np.zeros(h), {"source": "figure-1", "u": u, "a": a})


def _figure_1_points(inst):
    """theta1 = a chain with product u (critical, pure, global); theta2 = 0 (critical, spurious, a saddle);
    theta3 = (a, 0, 1, ..., 1) with mu = 0 = mu(theta2) but not critical."""
    u, a, h = inst.point["u"], inst.point["a"], inst.arch.h
    theta1 = exact.object_array(np.array([u] + [1] * (h - 1)))
    theta2 = exact.object_array(np.zeros(h, dtype=int))
    theta3 = exact.object_array(np.array([a, 0] + [1] * (h - 2)))
    return theta1, theta2, theta3


@claim("trager2020/def-pure", paper=TRAGER2020, exact=True, budget=3, theorem="Claim 2.1 (Sec. 2, Figure 1)",
       statement="A critical point theta of L = ell o mu is pure if mu(theta) is critical for ell restricted to "
                 "the functional space M, spurious otherwise; being critical is a property of theta, not of "
                 "mu(theta) (Figure 1: theta1 pure, theta2 spurious, theta3 maps to mu(theta2) but is not critical).",
       hypotheses=[SMOOTH], strategy=_figure_1(),
       notes="[RECON + PAPER: Figure 1 caption] The instance is the claims file's Figure-1 analogue ([DERIVED]).")
def def_pure(inst) -> Evidence:
    """Claim 2.1 (Figure 1): on d = (1,..,1), M = R, ell(w) = (w - u)^2, u != 0:
    theta1 (product u): grad L = 0 and ell'(mu) = 0 -> pure (global minimum);
    theta2 = 0: grad L = 0 (h >= 2) but ell'(0) = -2u != 0 -> spurious, and a saddle: along theta(s) with
    mu = sign(u) s^h, L = (s^h - |u|)^2 < u^2;  theta3 = (a, 0, 1..): mu = 0 = mu(theta2), grad L != 0."""
    P = inst.problem
    t1, t2, t3 = _figure_1_points(inst)
    u, h = inst.point["u"], inst.arch.h
    g1, g2, g3 = (P.exact_grad(t) for t in (t1, t2, t3))
    ell1, ell2 = (inst.loss.exact_grad(P.exact_mu(t)) for t in (t1, t2))
    s = exact.to_fmpq(1) / 2
    path = exact.object_array(np.array([np.sign(u)] + [1] * (h - 1))) * s
    descent = P.exact_loss(path) < P.exact_loss(t2)
    same_image = exact.is_zero(P.exact_mu(t3) - P.exact_mu(t2))
    return Evidence.all_of(
        _ok(exact.is_zero(g1) and exact.is_zero(ell1), "theta1 critical and pure"),
        _ok(exact.is_zero(g2) and not exact.is_zero(ell2), "theta2 critical and spurious"),
        _ok(bool(descent), "theta2 is not a local minimum (L decreases along mu = sign(u) s^h)"),
        _ok(same_image and not exact.is_zero(g3), "theta3 maps to mu(theta2) but is not critical"))


# =========================================================================================================
# 2.2 Maximal-rank differential => pure; index transfer
# =========================================================================================================
@claim("trager2020/submersion-pure", paper=TRAGER2020, exact=True, theorem="Claim 2.2 (Sec. 2)",
       statement="If theta is critical and d mu(theta) has maximal rank, theta is pure; moreover "
                 "inertia(Hess L(theta)) = inertia(Hess_R(ell|M)(mu(theta))) + (0)^{dim fiber} (index transfer).",
       hypotheses=[_critical(), _max_rank(violating=canonical_critical_points(_quadratic(), sizes="deficient")),
                   QUADRATIC, GENERIC],
       strategy=canonical_critical_points(_quadratic(), sizes="pure"), budget=3,
       notes="[RECON] (i) purity; [DERIVED] index transfer.  Quadratic loss: the Morse index of ell on M_r at "
             "U_I is #{(i, j) in I x I^c: sigma_j > sigma_i} (Claim 2.10), so Hess L must have exactly that many "
             "negative eigenvalues and d_theta - r (d_0 + d_h - r) zero ones.")
def submersion_pure(inst) -> Evidence:
    """Claim 2.2: at a critical theta with rank d mu = dim M_r (here theta_I with |I| = r, and its GL-moves):
    P = mu(theta) satisfies P^T G = 0 = G P^T (pure), and exact inertia of Hess L is
    (-: #{(i, j) in I x I^c : sigma_j > sigma_i}, 0: d_theta - r (d_0 + d_h - r))."""
    _, W, G = _exact_parts(inst)
    In = _inertia(inst)
    index = eckart_young_index(_sigma(inst), _I(inst))
    return Evidence.all_of(_ok(is_stratum_critical(W, G), "pure: G in the normal space of M_r at mu(theta)"),
                           Evidence.equal(In.neg, index, "negative eigenvalues of Hess L", inertia=In.summary()),
                           Evidence.equal(In.zero, inst.arch.fiber_dim, "zero eigenvalues (fiber dimension)"))


@claim("trager2020/submersion-pure/smooth-locus-reading", paper=TRAGER2020, exact=True, expect="fails",
       theorem="Claim 2.2 (reading: smooth image => pure)",
       statement="(Reading) if the architecture is filling, M = R^{d_h x d_0} is smooth everywhere, so every "
                 "critical point of L is pure.",
       hypotheses=[_filling(), _critical(), QUADRATIC, GENERIC],
       strategy=canonical_critical_points(_quadratic(filling=True), sizes="any"),
       notes="The claims file's 'tempting reading' (section 0): smoothness of the image at mu(theta) is not "
             "enough, d mu(theta) must have maximal rank; theta = 0 is a spurious critical point of every "
             "filling net of depth >= 2.  The correct statements are Claims 2.2 and 2.4.")
def smooth_locus_reading(inst) -> Evidence:
    """Claim 2.2, literal reading: at every critical theta of a filling net, grad ell(mu(theta)) = 0 (pure,
    since M is the whole space); exact."""
    _, W, G = _exact_parts(inst)
    return _ok(exact.is_zero(G), "pure (grad ell(mu(theta)) = 0 on the whole space)", rank=exact.rank(W))


# =========================================================================================================
# 2.3 Dimension of the functional space
# =========================================================================================================
def _generic_points(**kw):
    return integer_points(linear_problems(_dims_archs(**kw), weighted_quadratic_losses), ranked=False)


def _dims_archs(**kw):
    kw.setdefault("depth", st.integers(2, 4))
    kw.setdefault("width", st.integers(1, 4))
    return linear_architectures(**kw)


@claim("trager2020/detvar-dim", paper=TRAGER2020, exact=True, budget=3, theorem="Claim 2.3 (Sec. 3)",
       statement="dim M_r = r (d_0 + d_h - r) with r = min_i d_i (input and output included); at generic theta "
                 "rank d mu(theta) = r (d_0 + d_h - r), so the fiber has dimension d_theta - r (d_0 + d_h - r).",
       hypotheses=[_rank_r(violating=integer_points(linear_problems(_dims_archs(), weighted_quadratic_losses)))],
       strategy=_generic_points(),
       notes="[RECON] classical facts on determinantal varieties; r must include d_0 and d_h.")
def detvar_dim(inst) -> Evidence:
    """Claim 2.3: rank J(theta) = r (d_0 + d_h - r) exactly (J = Jacobian of vec mu) at theta with rank mu = r."""
    J = inst.problem.exact_jacobian_mu(inst.exact_theta)
    return Evidence.equal(exact.rank(J), inst.arch.dim_M, "rank d mu(theta)")


# =========================================================================================================
# 2.4 / 2.5 The rank of d mu
# =========================================================================================================
def _ranked_points(filling=None, depth=st.integers(2, 4)):
    return integer_points(linear_problems(linear_architectures(depth=depth, width=st.integers(1, 4),
                                                               filling=filling), weighted_quadratic_losses))


def _filling_criterion(inst) -> bool:
    """exists i in 1..h: rank W_{>i} = d_h and rank W_{<i} = d_0."""
    left, right = partial_products(inst.problem.exact_layers(inst.exact_theta))
    return any(exact.rank(R) == inst.arch.d_out and exact.rank(Lf) == inst.arch.d_in
               for Lf, R in zip(left, right))


def _max_rank_now(inst) -> bool:
    return exact.rank(inst.problem.exact_jacobian_mu(inst.exact_theta)) == inst.arch.dim_M


@claim("trager2020/dmu-rank/filling", paper=TRAGER2020, exact=True, budget=3, theorem="Claim 2.4 (1) (Sec. 3)",
       statement="Filling: d mu(theta) is surjective iff rank W_{>i} = d_h and rank W_{<i} = d_0 for some i.",
       hypotheses=[_filling(violating=_ranked_points(filling=False))], strategy=_ranked_points(filling=True),
       notes="[RECON] the paper's lemma on the differential of mu, two-case form reconstructed.")
def dmu_rank_filling(inst) -> Evidence:
    """Claim 2.4 (1): [rank J = d_0 d_h] <=> [exists i: rk W_{>i} = d_h and rk W_{<i} = d_0] (W_{>h} = I,
    W_{<1} = I included), decided exactly."""
    lhs, rhs = _max_rank_now(inst), _filling_criterion(inst)
    return _ok(lhs == rhs, "max rank <=> the exists-i criterion", max_rank=lhs, criterion=rhs)


@claim("trager2020/dmu-rank/non-filling", paper=TRAGER2020, exact=True, budget=3, theorem="Claim 2.4 (2) (Sec. 3)",
       statement="Non-filling: rank d mu(theta) = dim M_r iff rank mu(theta) = r (mu(theta) a smooth point).",
       hypotheses=[_non_filling(violating=_ranked_points(filling=True))], strategy=_ranked_points(filling=False),
       notes="[RECON]")
def dmu_rank_non_filling(inst) -> Evidence:
    """Claim 2.4 (2): [rank J = r (d_0 + d_h - r)] <=> [rank Wbar = r], decided exactly."""
    lhs = _max_rank_now(inst)
    rhs = exact.rank(inst.problem.exact_mu(inst.exact_theta)) == inst.arch.r
    return _ok(lhs == rhs, "max rank <=> rank mu = r", max_rank=lhs, rank_r=rhs)


@claim("trager2020/dmu-rank-formula", paper=TRAGER2020, exact=True, budget=3, theorem="Claim 2.5 (derived; implies 2.4)",
       statement="rank d mu(theta) = sum_i (c_i - c_{i-1}) rho_i with c_i = rank W_{>i}, rho_i = rank W_{<i}, "
                 "c_0 = 0 (a staircase of rectangles).",
       strategy=_ranked_points(), notes=DERIVED)
def dmu_rank_formula(inst) -> Evidence:
    """Claim 2.5: Im d mu = sum_i Col(W_{>i}) (x) Row(W_{<i}) with nested column and row spaces, so
    rank J = sum_i (c_i - c_{i-1}) rho_i exactly."""
    Ws = inst.problem.exact_layers(inst.exact_theta)
    formula = rank_dmu_formula(Ws, exact.rank)
    return Evidence.equal(exact.rank(inst.problem.exact_jacobian_mu(inst.exact_theta)), formula,
                          "rank d mu vs the staircase formula")


# =========================================================================================================
# 2.6 The image of d mu contains the tangent space of the rank stratum
# =========================================================================================================
@claim("trager2020/image-contains-stratum", paper=TRAGER2020, exact=True, budget=3, theorem="Claim 2.6 (Sec. 3/4)",
       statement="For every theta with e = rank mu(theta): Im d mu(theta) contains T_{Wbar} M_e = "
                 "Col(Wbar) (x) R^{d_0} + R^{d_h} (x) Row(Wbar).",
       strategy=_ranked_points(), notes=RECON)
def image_contains_stratum(inst) -> Evidence:
    """Claim 2.6 (containment): rank [J | T] = rank J exactly, T a spanning set of T_{Wbar} M_e^o."""
    J = inst.problem.exact_jacobian_mu(inst.exact_theta)
    T = tangent_spanning_set(inst.problem.exact_mu(inst.exact_theta))
    both = np.concatenate([J, T.T], axis=1) if T.size else J
    rJ, rboth = exact.rank(J), exact.rank(both)
    return Evidence.equal(rboth, rJ, "rank [J | T_{Wbar} M_e] vs rank J")


def _critical_points_any():
    """Exact critical points of every family: canonical theta_I (any |I|, GL-moved or not), kernel-augmented
    ones, and weighted-quadratic pattern points."""
    return st.one_of(
        canonical_critical_points(_quadratic(), sizes="any"),
        kernel_augmented_points(_quadratic(depth=st.just(2), end_width=st.integers(2, 4))),
        weighted_pattern_points(linear_problems(_small(), weighted_quadratic_losses), sizes="any"))


@claim("trager2020/image-contains-stratum/critical", paper=TRAGER2020, exact=True, budget=3, theorem="Claim 2.6 (Sec. 3/4)",
       statement="Every critical point theta of L = ell o mu satisfies Wbar^T grad ell(Wbar) = 0 and "
                 "grad ell(Wbar) Wbar^T = 0: Wbar is critical for ell on its rank stratum M_e.",
       hypotheses=[_critical()], strategy=_critical_points_any(), notes=RECON)
def image_contains_stratum_critical(inst) -> Evidence:
    """Claim 2.6 (consequence): at grad L(theta) = 0, Wbar^T G = 0 and G Wbar^T = 0 exactly, G = grad ell(Wbar)."""
    _, W, G = _exact_parts(inst)
    return _ok(is_stratum_critical(W, G), "Wbar^T G = 0 and G Wbar^T = 0", rank=exact.rank(W))


# =========================================================================================================
# 2.7 Which critical points are pure
# =========================================================================================================
def _fiber_over_pure(draw_problem):
    """Random fiber points over a pure critical point U_I S^{-1/2} (|I| = r) of a non-filling architecture."""

    @st.composite
    def build(draw):
        inst = draw(canonical_critical_points(draw_problem, sizes="pure", gl=False))
        W = inst.problem.exact_mu(inst.exact_theta)
        Ws = draw(random_factorization(inst.arch, W))
        return inst.with_theta(np.concatenate([M.ravel() for M in Ws]), source="fiber-of-pure")

    return build()


@claim("trager2020/crit-classification-by-rank/fiber", paper=TRAGER2020, exact=True,
       theorem="Claim 2.7 (1) (Sec. 3)",
       statement="Non-filling: if theta is critical with rank mu(theta) = r then theta is pure and every point of "
                 "the fiber mu^{-1}(mu(theta)) is a (pure) critical point with d mu of maximal rank.",
       hypotheses=[_non_filling(violating=_fiber_over_pure(_quadratic(filling=True)))],
       strategy=_fiber_over_pure(_quadratic(filling=False)), budget=3, notes=RECON)
def crit_classification_fiber(inst) -> Evidence:
    """Claim 2.7 (1): at a random point of the fiber over U_I S^{-1/2}, |I| = r: grad L = 0 exactly, rank J =
    dim M_r, and Wbar^T G = 0 = G Wbar^T (pure)."""
    _, W, G = _exact_parts(inst)
    return Evidence.all_of(_ok(exact.is_zero(inst.problem.exact_grad(inst.exact_theta)), "fiber point critical"),
                           _ok(_max_rank_now(inst), "rank d mu = dim M_r"),
                           _ok(is_stratum_critical(W, G), "pure"))


def _rank_one_witness(inst):
    """D = u_j v_j^T R^{-1} for the first j not in I: <grad ell(Wbar), D> = -2 sigma_j (whitened coordinates)
    and Wbar + t D has rank <= |I| + 1 <= r, so the curve stays in M_r."""
    P, sigma, Q, R = inst.loss.whitening_exact
    j = next(k for k in range(inst.arch.m) if k not in _I(inst))
    Rinv = exact.to_object_array(exact.rational_matrix(R).inv())
    return np.multiply.outer(P[:, j], Q[:, j]) @ Rinv, j


@claim("trager2020/crit-classification-by-rank/deficient", paper=TRAGER2020, exact=True, budget=3,
       theorem="Claim 2.7 (1) (Sec. 3)",
       statement="A critical point with rank mu(theta) < r and grad ell(mu(theta)) != 0 is spurious (under both "
                 "readings of 'critical on M_r' at singular points): a rank-one curve in M_r through mu(theta) "
                 "has nonzero derivative.",
       hypotheses=[_critical(), QUADRATIC, GENERIC],
       strategy=canonical_critical_points(_quadratic(), sizes="deficient"), notes=RECON)
def crit_classification_deficient(inst) -> Evidence:
    """Claim 2.7 (1), e < r: with D = u_j v_j^T R^{-1} (j not in I), <G, D> = -2 sigma_j != 0 and
    rank(Wbar + t D) <= r, so theta is spurious under readings (a) and (b)."""
    _, W, G = _exact_parts(inst)
    D, j = _rank_one_witness(inst)
    slope = (G * D).sum()
    cls = purity(W, G, inst.arch.r, inst.arch.filling)
    return Evidence.all_of(_ok(slope != 0, "<grad ell, D> != 0", slope=str(slope), j=j),
                           _ok(exact.rank(W + D) <= inst.arch.r, "Wbar + D in M_r"),
                           _ok(not cls.pure_a and not cls.pure_b, "spurious under both readings"))


# =========================================================================================================
# 2.8 Local minima are pure (the main landscape theorem)
# =========================================================================================================
def _channel_path(inst, s, u, v):
    """theta(s): a fresh channel e = |I| through every hidden layer (free at canonical points, e < r <= d_i):
    W_1 += s e_e v^T, W_k += s e_e e_e^T, W_h += s u e_e^T, so mu(theta(s)) = Wbar + s^h u v^T."""
    Ws = [M.copy() for M in inst.problem.exact_layers(inst.exact_theta)]
    e = len(_I(inst))
    h = inst.arch.h
    for k in range(h):
        if k == 0:
            Ws[0][e, :] = Ws[0][e, :] + s * v
        elif k == h - 1:
            Ws[k][:, e] = Ws[k][:, e] + s * u
        else:
            Ws[k][e, e] = Ws[k][e, e] + s
    return np.concatenate([M.ravel() for M in Ws])


def _descent_margin(inst, u, v, slope):
    """Best of s in {1/10, 1/100, 1/1000}: -(L(theta(s)) - L(theta)) / (s^h |slope|), exact; > 0 <=> descent."""
    P, h = inst.problem, inst.arch.h
    L0 = P.exact_loss(inst.exact_theta)
    best = None
    for k in (10, 100, 1000):
        s = exact.to_fmpq(1) / k
        dL = P.exact_loss(_channel_path(inst, s, u, v)) - L0
        m = -dL / (s ** h * abs(slope))
        best = m if best is None or m > best else best
    return best


def _deficient_for_localmin():
    return st.one_of(
        canonical_critical_points(_quadratic(), sizes="deficient", gl=False),
        weighted_pattern_points(linear_problems(_small(), weighted_quadratic_losses), sizes="deficient"))


@claim("trager2020/localmin-pure", paper=TRAGER2020, exact=True, theorem="Claim 2.8 (1) (Sec. 4, main theorem)",
       statement="If theta is a local minimum of L = ell o mu with rank mu(theta) < r then grad ell(mu(theta)) = 0; "
                 "equivalently a critical point with rank < r and grad ell != 0 is not a local minimum (an "
                 "explicit order-h path decreases L).",
       hypotheses=[_critical(), SMOOTH], strategy=_deficient_for_localmin(), budget=3,
       notes="[RECON + PAPER fragment: 'non-global local minima for convex losses are always pure'].  Checked "
             "on canonical rank-deficient critical points (quadratic and weighted quadratic losses) with the "
             "claims file's channel path; exact.")
def localmin_pure(inst) -> Evidence:
    """Claim 2.8 (1): at critical theta with e = rank mu < r and G = grad ell(Wbar) != 0, take (p, q) with
    G_pq != 0, u = -sign(G_pq) e_p, v = e_q: L(theta(s)) - L(theta) = -s^h |G_pq| + O(s^{2h}) < 0 along the
    channel path mu(theta(s)) = Wbar + s^h u v^T, so theta is not a local minimum.  Margin: the normalised
    decrease -(Delta L) / (s^h |G_pq|) (-> 1 as s -> 0), exact."""
    _, W, G = _exact_parts(inst)
    if exact.is_zero(G):
        return Evidence(1.0, "grad ell(Wbar) = 0: nothing to show (theta is a global minimum of a convex ell)")
    p, q = next((p, q) for p in range(G.shape[0]) for q in range(G.shape[1]) if G[p, q] != 0)
    one = exact.to_fmpq(1)
    u = exact.object_array(np.zeros(G.shape[0], dtype=int))
    v = exact.object_array(np.zeros(G.shape[1], dtype=int))
    u[p] = -one if G[p, q] > 0 else one
    v[q] = one
    m = _descent_margin(inst, u, v, G[p, q])
    return Evidence(float(min(m, 1)), f"normalised decrease along the order-{inst.arch.h} channel path: "
                                      f"{float(m):.4g} (> 0: not a local minimum)", {"rank": len(_I(inst))})


@st.composite
def _optimised_minima(draw, archs, losses=smooth_convex_losses, gtol: float = 1e-8):
    """A local minimum found from a N(0, 1) start (minimise_gated); draws that do not meet the gradient gate
    are rejected (never reported as minima)."""
    inst = draw(linear_problems(archs, losses))
    rng = np.random.default_rng(draw(seeds))
    r = minimise_gated(inst.problem, rng.standard_normal(inst.arch.n_params), gtol=gtol)
    assume(r.converged)
    return inst.with_theta(r.theta, source="linear-optimised", method=r.method, grad_norm=r.grad_norm)


def _gated(gtol=1e-6):
    return Assumption(f"theta a local minimum (optimiser converged, ||grad L|| <= {gtol:g})",
                      lambda i: np.linalg.norm(i.problem.grad(i.float_theta)) <= gtol)


RANK_TOL = Tolerances(rank_cut=1e-6, rank_low=1e-5, rank_high=1e-8)


@claim("trager2020/localmin-pure/optimised", paper=TRAGER2020, theorem="Claim 2.8 (corollary) (Sec. 4)",
       statement="Smooth convex ell, non-filling: every local minimum theta of L has rank mu(theta) = r and is pure "
                 "(mu(theta) is critical for ell on M_r).",
       hypotheses=[_non_filling(), CONVEX, _gated()],
       strategy=_optimised_minima(linear_architectures(depth=st.integers(2, 3), width=st.integers(1, 3),
                                                       filling=False)), budget=0.5,
       notes="[RECON + PAPER fragment] Optimiser evidence, not proof: gated runs of L-BFGS/BFGS/trust-exact; the "
             "rank of mu is decided with a gap rule (cut 1e-6, no singular value in [1e-8, 1e-5]).")
def localmin_pure_optimised(inst) -> Evidence:
    """Claim 2.8 (corollary): at a converged local minimum of a non-filling net with a smooth convex loss,
    rank mu(theta) = r (gap rule) and the stratum residual max(||W^T G||, ||G W^T||) / (||W|| max(||G||, g0))
    <= 1e-6, g0 = ||grad ell(0)|| the loss's gradient scale (G ~ 0 at a global minimum of ell is pure too)."""
    W = inst.problem.mu(inst.float_theta)
    G = inst.loss.grad(W)
    g0 = float(np.linalg.norm(inst.loss.grad(np.zeros_like(W))))
    rank = numerical_rank(W, RANK_TOL, "mu(theta)").rank
    return Evidence.all_of(Evidence.equal(rank, inst.arch.r, "rank mu(theta)"),
                           Evidence.within(stratum_residual(W, G, g0), 1e-6, "stratum residual (pure)"))


# =========================================================================================================
# 2.9 Filling + smooth convex => no bad minima
# =========================================================================================================
@claim("trager2020/filling-convex-no-bad-minima", paper=TRAGER2020, theorem="Claim 2.9 (Sec. 4)",
       statement="If the architecture is filling and ell is smooth and convex, every local minimum of L = ell o mu "
                 "is a global minimum, and mu(theta) minimises ell over all linear maps.",
       hypotheses=[_filling(violating=_optimised_minima(
           linear_architectures(depth=st.just(2), width=st.just(1), end_width=st.just(3), filling=False),
           lambda a: weighted_quadratic_losses(a, weights=st.sampled_from((1, 10))))),
           CONVEX, _gated()],
       strategy=_optimised_minima(linear_architectures(depth=st.integers(2, 3), width=st.integers(1, 4),
                                                       filling=True)), budget=0.5,
       notes="[RECON; PAPER abstract; = Laurent & von Brecht 2018] Optimiser evidence (gated on the gradient).")
def filling_convex_no_bad_minima(inst) -> Evidence:
    """Claim 2.9: (L(theta) - min ell) / max(1, |min ell|) <= 1e-6 at a gated local minimum, min ell by direct
    convex minimisation over all of R^{d_h x d_0}."""
    best, _ = inst.loss.minimum()
    gap = (inst.problem.loss(inst.float_theta) - best) / max(1.0, abs(best))
    return Evidence.at_most(gap, 1e-6, "relative gap to min ell", L=inst.problem.loss(inst.float_theta), min_ell=best)


# =========================================================================================================
# 2.10 Eckart-Young: critical points of the distance to M_e
# =========================================================================================================
@st.composite
def _eckart_young(draw):
    """h_U(P) = ||P - U||^2 (quadratic loss with X = I) on a two-layer net (d_0, e, d_h) with e < m, at the
    canonical point theta_I, |I| = e: mu(theta_I) = U_I."""
    d0, dh = draw(st.integers(2, 4)), draw(st.integers(2, 4))
    e = draw(st.integers(1, min(d0, dh) - 1))
    arch = LinearArchitecture((d0, e, dh))
    inst = draw(canonical_critical_points(st.just(LinearInstance(arch, draw(quadratic_losses(arch, whiten=False)),
                                                                 np.zeros(arch.n_params), {"source": "none"})),
                                          sizes="pure", gl=False))
    return inst


@claim("trager2020/eckart-young", paper=TRAGER2020, exact=True, budget=3, theorem="Claim 2.10 (Sec. 5, Eckart-Young)",
       statement="For U with sigma_1 > ... > sigma_m > 0 and e < m, the critical points of ||P - U||^2 on M_e^o "
                 "include every U_I (|I| = e); each is non-degenerate with Morse index "
                 "#{(i, j) in I x I^c: sigma_j > sigma_i}, so U_{1..e} is the unique local minimum.",
       hypotheses=[QUADRATIC, GENERIC], strategy=_eckart_young(),
       notes="[RECON; classical, cited by the paper] Index formula [DERIVED].  Exact chart Hessian of ell on "
             "M_e^o at U_I.")
def eckart_young(inst) -> Evidence:
    """Claim 2.10: P = U_I is critical on M_e^o (P^T G = 0 = G P^T) and the exact inertia of the chart Hessian
    (dimension e (d_0 + d_h - e)) is (-: #{(i, j) in I x I^c : sigma_j > sigma_i}, 0: 0)."""
    _, W, G = _exact_parts(inst)
    H = chart_hessian(W, G, inst.loss.exact_hessian(W))
    In = exact.inertia(H)
    e, (d0, dh) = len(_I(inst)), (inst.arch.d_in, inst.arch.d_out)
    return Evidence.all_of(_ok(is_stratum_critical(W, G), "U_I critical on M_e"),
                           Evidence.equal(H.shape[0], e * (d0 + dh - e), "chart dimension"),
                           Evidence.equal(In.neg, eckart_young_index(_sigma(inst), _I(inst)), "Morse index",
                                          inertia=In.summary()),
                           Evidence.equal(In.zero, 0, "degenerate directions"))


@st.composite
def _ey_root_found(draw):
    """A critical point of L(A, B) = ||B A - U||^2 + c on (d_0, e, d_h), found by least-squares root finding on
    grad L = 0 (residual grad L, Jacobian Hess L: reaches saddles as well as minima) from a N(0, 1) start;
    draws that do not reach ||grad L|| <= 1e-10 (1 + ||U||^2), or whose image has rank < e, are rejected."""
    import scipy.optimize as so

    inst = draw(_eckart_young())
    P = inst.problem
    theta0 = np.random.default_rng(draw(seeds)).standard_normal(inst.arch.n_params)
    res = so.least_squares(P.grad, theta0, jac=P.hessian, method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15,
                           max_nfev=200)
    U = inst.loss.whitening[0]
    assume(np.linalg.norm(P.grad(res.x)) <= 1e-10 * (1 + float(np.sum(U ** 2))))
    # roots of lower rank are critical points too, but not on M_e^o: the claim is about the manifold
    assume(_rank_against(P.mu(res.x), np.linalg.norm(U)) == inst.arch.widths[1])
    return inst.with_theta(res.x, source="linear-root-found")


def _rank_e_gap(violating=None):
    return Assumption("rank mu(theta) = e (gap rule, relative to ||U||)",
                      lambda i: _rank_against(i.problem.mu(i.float_theta), np.linalg.norm(i.loss.whitening[0]))
                      == i.arch.widths[1], violating)


def _rank_against(W, scale: float) -> int:
    """#{sigma_k(W) > 1e-6 scale}, or -1 when a singular value lies in the ambiguous band [1e-10, 1e-5] scale.
    The scale is the problem's (||U||), not sigma_1(W): a root finder can stop at W ~ 1e-47, which is the zero
    matrix (rank 0), not a rank-one matrix."""
    s = np.linalg.svd(np.asarray(W, float), compute_uv=False) / scale
    if np.any((s > 1e-10) & (s < 1e-5)):
        return -1
    return int(np.sum(s > 1e-6))


@claim("trager2020/eckart-young/complete", paper=TRAGER2020, theorem="Claim 2.10 (a) (Sec. 5, Eckart-Young)",
       statement="Every critical point of ||P - U||^2 on M_e^o (generic U, e < m) is one of the C(m, e) matrices "
                 "U_I: critical points found by root finding at rank e match some U_I.",
       hypotheses=[QUADRATIC, GENERIC, _rank_e_gap()], strategy=_ey_root_found(), budget=0.6,
       notes="[RECON; classical] Float evidence: root finding on grad L (saddles included), rank decided with "
             "a gap, distance to the nearest U_I relative to ||U||.")
def eckart_young_complete(inst) -> Evidence:
    """Claim 2.10 (a): min over |I| = e of ||mu(theta) - U_I|| / ||U|| <= 1e-7 at a root-found critical point
    of rank e (U_I from the float SVD of U, whose singular values are distinct)."""
    W = inst.problem.mu(inst.float_theta)
    U = inst.loss.whitening[0]
    Uu, su, Vt = np.linalg.svd(U)
    e = inst.arch.widths[1]
    best = min(np.linalg.norm(W - (Uu[:, list(I)] * su[list(I)]) @ Vt[list(I)])
               for I in combinations(range(len(su)), e)) / np.linalg.norm(U)
    return Evidence.within(best, 1e-7, "distance to the nearest U_I, relative to ||U||")


# =========================================================================================================
# 2.11 Quadratic loss: every critical point, purity, no bad minima
# =========================================================================================================
def _quad_critical():
    return st.one_of(canonical_critical_points(_quadratic(), sizes="any"),
                     kernel_augmented_points(_quadratic(depth=st.just(2), end_width=st.integers(2, 4))))


@claim("trager2020/quad-critical-structure", paper=TRAGER2020, exact=True, theorem="Claim 2.11 (Sec. 5)",
       statement="Quadratic loss, generic data: a critical point theta has mu(theta) = U_I S^{-1/2} with "
                 "|I| = rank mu <= r; it is pure iff |I| = r; L(theta) = c + sum_{j not in I} sigma_j^2; for "
                 "|I| = r its Morse index is #{(i, j) in I x I^c: sigma_j > sigma_i} and nullity "
                 "d_theta - r (d_0 + d_h - r), so it is a local minimum iff I = {1..r} iff it is global.",
       hypotheses=[_critical(), QUADRATIC, GENERIC], strategy=_quad_critical(), budget=3,
       notes="[RECON; Baldi-Hornik 1989 (h = 2), Kawaguchi 2016 (deep); PAPER abstract] (v) [DERIVED].")
def quad_critical_structure(inst) -> Evidence:
    """Claim 2.11 (i)-(v) at exact critical points (canonical theta_I, GL-moved, kernel-augmented):
    Wbar R = U_I, purity <=> |I| = r (both readings), L = c + sum_{j not in I} sigma_j^2, and for |I| = r exact
    inertia (-: EY index, 0: fiber dim), local minimum <=> I = {1..r}."""
    P_, sigma, Q, R = inst.loss.whitening_exact
    I, r = _I(inst), inst.arch.r
    _, W, G = _exact_parts(inst)
    U_I = sum((sigma[i] * np.multiply.outer(P_[:, i], Q[:, i]) for i in I),
              exact.object_array(np.zeros(W.shape, dtype=int)))
    X, Y = inst.loss._exact[:2]
    c = (Y * Y).sum() - sum(s * s for s in sigma)
    L_expected = c + sum(sigma[j] ** 2 for j in range(len(sigma)) if j not in I)
    cls = purity(W, G, r, inst.arch.filling)
    parts = [_ok(exact.is_zero(W @ R - U_I), "mu(theta) R = U_I"),
             _ok(inst.problem.exact_loss(inst.exact_theta) == L_expected, "L = c + sum_{j not in I} sigma_j^2"),
             _ok(cls.pure_a == (len(I) == r) and cls.pure_b == (len(I) == r), "pure <=> |I| = r")]
    if len(I) == r:
        In = _inertia(inst)
        top = I == list(range(r))
        parts += [Evidence.equal(In.neg, eckart_young_index(sigma, I), "Morse index", inertia=In.summary()),
                  Evidence.equal(In.zero, inst.arch.fiber_dim, "nullity = fiber dimension"),
                  _ok((In.neg == 0) == top, "local minimum <=> I = {1..r}")]
    return Evidence.all_of(*parts)


@claim("trager2020/quad-critical-structure/optimised", paper=TRAGER2020, theorem="Claim 2.11 (iv) (Sec. 5)",
       statement="Quadratic loss: every local minimum is global (L = c + sum_{i > r} sigma_i^2), for filling and "
                 "non-filling architectures.",
       hypotheses=[QUADRATIC, _gated()],
       strategy=_optimised_minima(linear_architectures(depth=st.integers(2, 3), width=st.integers(1, 3)),
                                  losses=lambda a: quadratic_losses(a)), budget=0.5,
       notes="[RECON; PAPER abstract] Optimiser evidence, gated on the gradient (a stall is never a minimum).")
def quad_no_bad_minima_optimised(inst) -> Evidence:
    """Claim 2.11 (iv): (L(theta) - L_EY) / max(1, L_EY) <= 1e-6 with L_EY = c + sum_{i > r} sigma_i^2 at a gated
    local minimum."""
    sigma = [float(s) for s in inst.loss.whitening_exact[1]]
    U, R, c = inst.loss.whitening
    L_ey = c + sum(s * s for s in sigma[inst.arch.r:])
    gap = (inst.problem.loss(inst.float_theta) - L_ey) / max(1.0, L_ey)
    return Evidence.at_most(gap, 1e-6, "relative gap to the Eckart-Young value", L_EY=L_ey)


@claim("trager2020/quad-critical-structure/ols", paper=TRAGER2020, theorem="Claim 2.11 (H4: whitening)",
       expect="fails",
       statement="(Reading without whitening) the best rank-r network is the rank-r truncation of the least-"
                 "squares solution W_ols = Y X^+: min_{M_r} ell = ell(trunc_r(W_ols)).",
       hypotheses=[QUADRATIC, GENERIC, _non_filling()],
       strategy=canonical_critical_points(_quadratic(filling=False), sizes="pure", gl=False),
       notes="The claims file's hypothesis H4: the relevant matrix is Y X^T (X X^T)^{-1/2}, not Y X^+; when "
             "X X^T is not a multiple of I the truncated OLS solution is not optimal on M_r.")
def quad_ols_reading(inst) -> Evidence:
    """Claim 2.11, H4 dropped: ell(trunc_r(Y X^+)) <= ell(U_{1..r} S^{-1/2}) + 1e-9 (1 + ell): false in general."""
    X, Y = inst.loss.X, inst.loss.Y
    W_ols = Y @ np.linalg.pinv(X)
    Uo, so_, Vt = np.linalg.svd(W_ols)
    r = inst.arch.r
    trunc = (Uo[:, :r] * so_[:r]) @ Vt[:r]
    U, R, c = inst.loss.whitening
    Uu, su, Vu = np.linalg.svd(U)
    best = (Uu[:, :r] * su[:r]) @ Vu[:r] @ np.linalg.inv(R)
    lt, lb = inst.loss.value(trunc), inst.loss.value(best)
    return Evidence.at_most(lt - lb, 1e-9 * (1 + abs(lb)), "ell(trunc_r(W_ols)) - min_{M_r} ell", ols=lt, best=lb)


# =========================================================================================================
# 2.12 Non-filling + smooth convex non-quadratic => bad (pure) minima
# =========================================================================================================
def _weighted_pure_points(weights=st.integers(1, 10)):
    return weighted_pattern_points(
        linear_problems(linear_architectures(depth=st.integers(2, 3), width=st.integers(1, 3), filling=False),
                        lambda a: weighted_quadratic_losses(a, weights=weights)), sizes="pure")


def _pattern_values(inst):
    """Exact ell(U_J) for every |J| = r (the diagonal patterns): the critical values on M_r^o."""
    U = inst.loss._exact[0]
    m, r = inst.arch.m, inst.arch.r
    out = {}
    for J in combinations(range(m), r):
        P = exact.object_array(np.zeros(U.shape, dtype=int))
        for j in J:
            P[j, j] = U[j, j]
        out[J] = inst.loss.exact_value(P)
    return out


def _chart_inertia(inst):
    _, W, G = _exact_parts(inst)
    return exact.inertia(chart_hessian(W, G, inst.loss.exact_hessian(W)))


@claim("trager2020/nonquadratic-bad-minima", paper=TRAGER2020, exact=True, budget=3, kind="exists",
       theorem="Claim 2.12 (Sec. 5/6)",
       statement="For a non-filling architecture there is a smooth (strongly) convex ell for which L = ell o mu has "
                 "a non-global local minimum; it is pure.",
       hypotheses=[_non_filling(), NOT_QUADRATIC, CONVEX, _critical(), _rank_r()],
       strategy=_weighted_pure_points(),
       notes="[PAPER abstract: 'smooth convex losses may lead to landscapes with many bad minima'; the instances "
             "are DERIVED].  Certified exactly: theta critical, rank mu = r (so mu is a submersion onto M_r^o "
             "near theta), the chart Hessian of ell on M_r^o positive definite (a strict local minimum in "
             "function space, hence theta is a local minimum of L), and a diagonal pattern of lower loss.")
def nonquadratic_bad_minima(inst) -> Evidence:
    """Claim 2.12: witness = theta_I (|I| = r) for the weighted quadratic loss with U = diag(sigma) such that the
    exact chart Hessian of ell on M_r^o at U_I is positive definite and some U_J has ell(U_J) < ell(U_I).
    Margin > 0 iff both (a certified non-global local minimum)."""
    In = _chart_inertia(inst)
    values = _pattern_values(inst)
    here = values[tuple(_I(inst))]
    lower = min(values.values())
    pd = In.neg == 0 and In.zero == 0
    non_global = lower < here
    _, W, G = _exact_parts(inst)
    pure = is_stratum_critical(W, G)
    return Evidence(1.0 if pd and non_global and pure else -1.0,
                    f"chart Hessian {In.summary()} ({'PD' if pd else 'not PD'}), L = {here} vs lowest pattern "
                    f"{lower}{'' if pure else ', NOT pure'}",
                    {"inertia": In.summary(), "L": str(here), "lowest": str(lower), "I": _I(inst)})


@claim("trager2020/nonquadratic-bad-minima/threshold-law", paper=TRAGER2020, exact=True, budget=3,
       theorem="Claim 2.12 (B) (derived)",
       statement="Weighted quadratic loss, U = diag(sigma), lambda > 0: U_I (|I| = r) is critical on M_r^o with "
                 "Morse index #{(i, j) in I x I^c, j <= m: lambda_ij lambda_ji sigma_i^2 < lambda_jj^2 sigma_j^2}.",
       hypotheses=[_critical(), _rank_r()], strategy=_weighted_pure_points(), notes=DERIVED)
def threshold_law(inst) -> Evidence:
    """Claim 2.12 (B): exact inertia of the chart Hessian at U_I equals the threshold-law count (and no zero
    eigenvalue unless a threshold is met with equality, which the check then reports as inconclusive)."""
    U, lam = inst.loss.U, inst.loss.lam
    m = inst.arch.m
    sigma = [U[i, i] for i in range(m)]
    I = _I(inst)
    if any(lam[i][j] * lam[j][i] * sigma[i] ** 2 == lam[j][j] ** 2 * sigma[j] ** 2
           for i in I for j in range(m) if j not in I):
        raise Inconclusive("threshold met with equality: U_I is a degenerate critical point")
    In = _chart_inertia(inst)
    return Evidence.all_of(Evidence.equal(In.neg, weighted_index(sigma, lam, I), "Morse index",
                                          inertia=In.summary()),
                           Evidence.equal(In.zero, 0, "degenerate directions"))


# =========================================================================================================
# 2.13 Rank-deficient critical points are saddles
# =========================================================================================================
def _channel_j(inst):
    """The first j not in I and the channel path adding sigma_j u_j v_j^T R^{-1} with scale s^h."""
    P, sigma, Q, R = inst.loss.whitening_exact
    j = next(k for k in range(inst.arch.m) if k not in _I(inst))
    Rinv = exact.to_object_array(exact.rational_matrix(R).inv())
    return j, P[:, j], sigma[j] * (Q[:, j] @ Rinv), sigma[j]


@claim("trager2020/spurious-saddles", paper=TRAGER2020, exact=True, theorem="Claim 2.13 (Sec. 5)",
       statement="Quadratic loss, generic data: a canonical critical point with rank < r is a saddle: adding "
                 "channel j gives L(theta(s)) - L(theta_I) = sigma_j^2 (s^{2h} - 2 s^h) < 0; for h = 2 it is a "
                 "strict saddle (Hess L has a negative eigenvalue).",
       hypotheses=[_critical(), QUADRATIC, GENERIC],
       strategy=canonical_critical_points(_quadratic(), sizes="deficient", gl=False), budget=3,
       notes="[RECON/DERIVED; strictness for h = 2 = Kawaguchi 2016 Thm 2.3(iv)]")
def spurious_saddles(inst) -> Evidence:
    """Claim 2.13: exact Delta L along the channel path equals sigma_j^2 (s^{2h} - 2 s^h) at s = 1/10 and 1/1000
    and is negative; for h = 2 the exact inertia of Hess L has at least one negative eigenvalue."""
    j, u, v, sj = _channel_j(inst)
    P, h = inst.problem, inst.arch.h
    L0 = P.exact_loss(inst.exact_theta)
    parts = []
    for k in (10, 1000):
        s = exact.to_fmpq(1) / k
        dL = P.exact_loss(_channel_path(inst, s, u, v)) - L0
        parts.append(_ok(dL == sj ** 2 * (s ** (2 * h) - 2 * s ** h) and dL < 0,
                         f"Delta L = sigma_j^2 (s^2h - 2 s^h) < 0 at s = 1/{k}"))
    if h == 2:
        In = _inertia(inst)
        parts.append(Evidence.at_least(In.neg, 1, "negative eigenvalues (h = 2)", inertia=In.summary()))
    return Evidence.all_of(*parts)


@claim("trager2020/spurious-saddles/strict-any-depth", paper=TRAGER2020, exact=True, budget=3, expect="fails",
       theorem="Claim 2.13 (reading: strict for every h)",
       statement="(Reading) every rank-deficient critical point of a linear network with the quadratic loss is a "
                 "strict saddle (Hess L has a negative eigenvalue), at any depth.",
       hypotheses=[_critical(), QUADRATIC, GENERIC],
       strategy=canonical_critical_points(_quadratic(depth=st.integers(2, 3)), sizes="deficient", gl=False),
       notes="Strictness needs h = 2: for h >= 3, theta = 0 has Hess L = 0 and d = (3,2,2,3), I = {1} has inertia "
             "(+5, -0, 0:11) (claims file 2.13).")
def strict_any_depth(inst) -> Evidence:
    """Claim 2.13 without h = 2: exact inertia of Hess L at theta_I (|I| < r) has a negative eigenvalue."""
    In = _inertia(inst)
    return Evidence.at_least(In.neg, 1, "negative eigenvalues", inertia=In.summary(), h=inst.arch.h)


# =========================================================================================================
# 2.14 Fibers over rank-r matrices
# =========================================================================================================
def _sign_invariants(inst, Ws) -> list[int]:
    """s_i = sign det(W_i ... W_1 V) for the hidden layers of width r (V: basis of Row(Wbar)^T, d_0 x r)."""
    from harness.numerics.determinantal import column_basis

    V = column_basis(product(Ws))[1].T
    left, _ = partial_products(Ws)
    out = []
    for i in range(1, inst.arch.h):
        if inst.arch.widths[i] == inst.arch.r:
            d = exact.rational_matrix(left[i] @ V).det()
            out.append(0 if d == 0 else (1 if d > 0 else -1))
    return out


def _flip(Ws, i: int) -> list:
    """Negate channel 0 of hidden layer i (row 0 of W_i, column 0 of W_{i+1}): same mu."""
    Ws = [M.copy() for M in Ws]
    Ws[i - 1][0, :] = -Ws[i - 1][0, :]
    Ws[i][:, 0] = -Ws[i][:, 0]
    return Ws


@claim("trager2020/fiber-structure", paper=TRAGER2020, exact=True, budget=3, theorem="Claim 2.14 (Sec. 3/4)",
       statement="Over a rank-r matrix, mu^{-1}(Wbar) is smooth of dimension d_theta - r (d_0 + d_h - r) and has at "
                 "least 2^b connected components, b = #{hidden i: d_i = r}: the signs s_i = sign det(W_i...W_1 V) "
                 "never vanish on the fiber and flipping a channel at layer i changes exactly s_i.",
       hypotheses=[_rank_r()],
       strategy=fiber_points(linear_architectures(depth=st.integers(2, 4), width=st.integers(1, 3))),
       notes="[RECON; component count uncertain]: only the lower bound 2^b and the sign invariance are encoded "
             "as hard checks (the claims file's advice).")
def fiber_structure(inst) -> Evidence:
    """Claim 2.14: exact corank of J = fiber dimension; every s_i != 0; flipping channel 0 at a width-r hidden
    layer i keeps mu and changes s_i alone, so all 2^b sign patterns occur on the fiber."""
    Ws = inst.problem.exact_layers(inst.exact_theta)
    J = inst.problem.exact_jacobian_mu(inst.exact_theta)
    signs = _sign_invariants(inst, Ws)
    parts = [Evidence.equal(inst.arch.n_params - exact.rank(J), inst.arch.fiber_dim, "corank of d mu"),
             _ok(all(s != 0 for s in signs), "sign invariants nonzero", signs=signs)]
    narrow = [i for i in range(1, inst.arch.h) if inst.arch.widths[i] == inst.arch.r]
    for k, i in enumerate(narrow):
        flipped = _flip(Ws, i)
        new = _sign_invariants(inst, flipped)
        expected = [(-s if t == k else s) for t, s in enumerate(signs)]
        parts.append(_ok(exact.is_zero(product(flipped) - product(Ws)) and new == expected,
                         f"flip at layer {i} keeps mu and changes s_{i} alone"))
    return Evidence.all_of(*parts)
