"""L. Venturi, A. S. Bandeira, J. Bruna, "Spurious valleys in one-hidden-layer neural network optimization
landscapes" (JMLR 20(133), 2019, arXiv:1802.06384).

Every claim of ../shared/claims/venturi2019.md (9).  No full text with formulas was reachable: the claims file
is a reconstruction; only the numbers of Theorems 8, 13 and 16 are known (fixed by the thesis code base
github.com/bfausten/spurious-valleys), the others are guesses and each claim's ``theorem`` says so.  Each
claim's notes carry the file's labels: [PAPER] (abstract wording), [RECON] (reconstructed statement),
[DERIVED] (stated and proved in the claims file: what is encoded where the paper's form is unknown),
[VERIFIED] (the file's numbers, reproduced here).

Model: f(x) = U rho(W x) = sum_i u_i rho(<w_i, x>) (harness.models.two_layer), square loss over an empirical
measure or a population (harness.models.population).  "No spurious valley" is tested through the proofs: the path the
proof constructs is built explicitly (harness.certificates.paths) and certified never to rise above its start and to end at
L* computed independently (least squares in the feature space phi, never through the network); for polynomial
models the certificate is exact (the loss on a segment is a polynomial in t).  "A spurious valley exists" is
certified by a barrier (a separating set on which L is provably above the level, the start below it, and no
global minimiser inside) or a strict local minimum with a lower point; an optimiser stall is never evidence.
"""
from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st
from scipy import stats

from harness.numerics import exact
from harness.core.claims import Assumption, Paper, claim
from harness.core.evidence import Evidence, Inconclusive
from harness.models.two_layer import (
    Rho,
    TwoLayerArchitecture,
    TwoLayerInstance,
    TwoLayerProblem,
    UnknownIntrinsicDimension,
    exact_feature_rank,
    intrinsic_dimension,
    phi,
    psi,
)
from harness.numerics import inertia, numerical_rank
from harness.certificates.paths import GAP_RULE, _greedy_independent, certify_path, theorem8_path
from harness.models.population import EmpiricalLoss, PopulationLoss, _matmul, theorem13_mixture
from harness.statistics.proportion import clopper_pearson
from strategies import two_layer as S
from strategies.data import seeds

VENTURI2019 = Paper("venturi2019", "L. Venturi, A. S. Bandeira, J. Bruna",
                    "Spurious valleys in one-hidden-layer neural network optimization landscapes", 2019, "1802.06384")
P = VENTURI2019

#: Tolerances of the claims file (section 1, conventions): monotone phase, constant phases, endpoint; rank
#: decisions use its gap rule (harness.certificates.paths.GAP_RULE: cut 1e-9, sigma_q/sigma_1 >= 1e-6, sigma_(q+1)/sigma_1
#: <= 1e-12).
TOL_MONO, TOL_CONST, TOL_END = 1e-10, 1e-9, 1e-8
PATH_SEED = 20190133


def _ok(cond: bool, what: str, **values) -> Evidence:
    """An exactly decided statement: margin +1 (holds) or -1 (violated)."""
    return Evidence(1.0 if cond else -1.0, f"{what}: {'yes' if cond else 'NO'}", values)


def _q(x):
    return exact.to_fmpq(x)


# =========================================================================================================
# Shared: the independent global minimum and the path evidence
# =========================================================================================================
def _independent_columns(M) -> list[int]:
    """A maximal set of independent columns of M, greedily from the left (exact ranks)."""
    return _greedy_independent(np.asarray(M).T, True)


def least_squares(F, Y, N):
    """Exactly: (min_C sum_j ||C f_j - y_j||^2 / N, C*) for the rows f_j of the feature matrix F (N x k) and of
    Y (N x m), by the normal equations on a maximal independent column set of F; C* (m x k) is zero on the
    other columns.  The one least-squares solve behind L* (Theorem 8 and the linear claim)."""
    cols = _independent_columns(F)
    Fc = F[:, cols]
    M = _matmul(Fc.T, Fc)
    B = _matmul(Fc.T, Y)
    sol = exact.to_object_array(exact.rational_matrix(M).solve(exact.rational_matrix(B)))
    fit = _matmul(B.T, sol)
    yy = _matmul(Y.T, Y)
    C = np.empty((Y.shape[1], F.shape[1]), dtype=object)
    C[...] = _q(0)
    C[:, cols] = sol.T
    return (sum(yy[i, i] for i in range(len(yy))) - sum(fit[i, i] for i in range(len(fit)))) / _q(N), C


def exact_lstar(inst: TwoLayerInstance):
    """L* = min over C in R^{m x q} of E ||C phi(X) - Y||^2, computed from the data / teacher alone:
    empirical -- least squares on the feature matrix phi(X) (exact); population with a teacher of the same
    polynomial activation -- the teacher is in V_rho, so L* = m * noise."""
    loss = inst.loss
    if isinstance(loss, PopulationLoss):
        return _q(inst.arch.m) * _q(loss.noise)
    return least_squares(phi(inst.rho, loss.Xq), loss.Yq, loss.N)[0]


def _exact_path_evidence(inst, nodes, labels, Lstar) -> Evidence:
    cert = certify_path(inst.problem, nodes, labels, exact_=True)
    L0 = inst.problem.exact_loss(nodes[0])
    Lend = inst.problem.exact_loss(nodes[-1])
    scale = max(1.0, abs(exact.to_float(L0)))
    bad = [s for s in cert.segments if not s.ok]
    mono = Evidence(1.0, "loss never above the segment start on any segment (exact)") if not bad else Evidence(
        -max(max(s.rise for s in bad) / scale, 1e-300),
        f"loss rises on {bad[0].label} by {bad[0].rise:.3g} at t = {bad[0].t_max:.3f} (exact)")
    gap = exact.to_float(Lend - Lstar) / scale
    end = Evidence.within(gap, TOL_END, "endpoint |L(end) - L*| / max(1, L(theta_0))",
                          L_start=exact.to_float(L0), L_end=exact.to_float(Lend), L_star=exact.to_float(Lstar),
                          segments=[(s.label, s.start, s.end, s.method) for s in cert.segments])
    return Evidence.all_of(mono, end)


def _phase2_reached(path, q: int) -> None:
    """The proof's phase 2 must bring rank Psi(W') to q before phase 3 can end at L*; when the re-draws do not,
    the proof path does not apply here (a path ending above L* is no evidence either way)."""
    if path.rank_after < q:
        raise Inconclusive(f"proof path does not apply: phase 2 reached rank {path.rank_after} < {q}")


# =========================================================================================================
# Hypotheses
# =========================================================================================================
def _dim(inst):
    try:
        return intrinsic_dimension(inst.rho, inst.arch.n)
    except UnknownIntrinsicDimension:
        return math.inf


POLY = Assumption("rho polynomial (dim* < infinity)", lambda i: i.rho.polynomial)
WIDTH = Assumption("p >= dim*(rho)", lambda i: i.arch.p >= _dim(i))
CONVEX = Assumption("loss convex in the prediction (square loss)", lambda i: True)


# =========================================================================================================
# VBB-L2: descent paths exclude spurious valleys; non-strict spurious minima and valleys without minima
# =========================================================================================================
def _e1_instance(u) -> TwoLayerInstance:
    arch = TwoLayerArchitecture(1, 1, 1)
    loss = EmpiricalLoss(np.array([[1.0]]), np.array([[1.0]]), "E1: X = 1, Y = 1")
    return TwoLayerInstance(arch, Rho.of("square"), loss, np.array([0.0, u]), {"source": "E1"})


def _e2_instance(u, w) -> TwoLayerInstance:
    arch = TwoLayerArchitecture(1, 1, 1)
    loss = EmpiricalLoss(np.array([[-1.0], [1.0]]), np.array([[0.0], [2.0]]), "E2: X = +-1, Y = X + X^2")
    return TwoLayerInstance(arch, Rho.of((0, 1, 1)), loss, np.array([w, u]), {"source": "E2"})


@st.composite
def e2_points(draw):
    """E2 (rho = z + z^2, n = p = m = 1, X = +-1, Y = X + X^2) at w = -j/8 in (-1, 0) with u = u*(w) + d/8 and
    L < 2: points of a spurious valley (p = 1 < dim* = 2)."""
    w = -draw(st.integers(1, 7)) / 8
    ustar = (1 + w) / (w * (1 + w * w))
    u = round(ustar * 8) / 8 + draw(st.integers(-2, 2)) / 8
    inst = _e2_instance(u, w)
    if inst.problem.loss(inst.theta) >= 2:  # outside the valley level: use the profile minimiser
        inst = _e2_instance(round(ustar * 64) / 64, w)
    return inst


@st.composite
def _descent_examples(draw):
    """E1 at (u, w) = (-k/4, 0); E2 points (:func:`e2_points`)."""
    if draw(st.booleans()):
        return _e1_instance(-draw(st.integers(1, 16)) / 4)
    return draw(e2_points())


def _line_polynomial(inst, point, direction):
    """L(point + t direction) as an exact polynomial (degree <= 6 here), on the line through a point."""
    from harness.certificates.paths import segment_polynomial

    a = exact.object_array(np.asarray(point, float))
    b = a + exact.object_array(np.asarray(direction, float))
    return segment_polynomial(inst.problem, a, b)


@claim("venturi2019/lem-descent", paper=P, exact=True, budget=0.6,
       theorem="VBB-L2 (an early lemma / remark of section 2, no. ~2-3?)",
       statement="(a) A non-increasing path from every point to a global minimiser excludes spurious valleys; (b) a "
                 "strict spurious local minimum lies in a spurious valley; (c) neither converse: a non-strict "
                 "spurious local minimum can sit outside any valley (E1) and a valley can hold no critical point (E2).",
       strategy=_descent_examples(),
       notes="[RECON] paper's lemma number unknown; (a),(b) trivially true, the examples E1/E2 are [DERIVED] and "
             "[VERIFIED] in the claims file.  E1 is the pitfall: an optimiser stalls there with a PSD Hessian and "
             "L = 1 > L* = 0, yet the exact descent path (u: -> 1 at w = 0, then w: 0 -> 1) shows it is in no "
             "spurious valley.  E2: the analytic separating set {w = 0} u {w = -1} (L = 2 on w = 0, L = 2 + 2u^2 "
             "on w = -1) certifies a valley for every level in (L(theta), 2); the profile "
             "min_u L = 2 - (1 + w)^2 / (1 + w^2) has derivative -2(1 - w^2)/(1 + w^2)^2 != 0 on (-1, 0), so the "
             "strip holds no critical point.  Part (b) is exercised by venturi2019/inf-dim (strict tanh minimum).")
def lem_descent(inst) -> Evidence:
    """VBB-L2 (claims file, lemma ~2-3): E1 (rho = z^2, X = Y = 1, L = (u w^2 - 1)^2) at (u < 0, w = 0): a local
    minimum (u' w'^2 <= 0 near it, so L >= 1), non-strict (L constant along u), L = 1 > L* = 0, and the exact
    descent path (u -> 1, then w -> 1) never rises: not in a spurious valley.  E2 (rho = z + z^2, X = +-1,
    Y = X + X^2, L = (u w - 1)^2 + (u w^2 - 1)^2) at w in (-1, 0), L < 2: L = 2 on the line w = 0 and
    L = 2 + 2u^2 >= 2 on w = -1 (exact polynomials along the lines), every global minimiser has w = 1: the
    component of {L <= c}, c in [L(theta), 2), is a spurious valley, and it holds no critical point."""
    Pb = inst.problem
    w, u = (float(x) for x in inst.theta)
    L0 = Pb.exact_loss(inst.theta)
    if inst.source == "E1":
        one = _q(1)
        local = all(Pb.exact_loss(np.array([w + dw, u + du])) >= L0
                    for r in (1e-1, 1e-2, 1e-4) for dw in (-r, 0, r) for du in (-r, 0, r))
        flat = _line_polynomial(inst, [0.0, u], [0.0, 1.0])  # along u at w = 0
        nodes = [exact.object_array(np.array(v)) for v in ([0.0, u], [0.0, 1.0], [1.0, 1.0])]
        path = _exact_path_evidence(inst, nodes, ["u -> 1 at w = 0", "w: 0 -> 1 at u = 1"], exact.to_fmpq(0))
        return Evidence.all_of(
            _ok(bool(local) and L0 == one, "E1: local minimum (perturbations) with L = 1 > L* = 0"),
            _ok(flat.degree() <= 0, "E1: non-strict (L constant along u at w = 0)"),
            path)
    return e2_valley_evidence(inst)


def e2_valley_evidence(inst) -> Evidence:
    """E2 (claims file VBB-L2 (c)) at theta = (w, u), w in (-1, 0), L(theta) < 2: the exact certificate of a
    spurious valley -- L = 2 on the line w = 0, L = 2 + 2u^2 >= 2 on w = -1 (exact polynomials along the lines),
    so the component of {L <= c}, c in [L(theta), 2), containing theta stays in the strip -1 < w < 0, while every
    global minimiser (L = 0: u w = u w^2 = 1) has w = 1; the profile derivative is nonzero at w (no critical
    point).  Margin >= 0 iff every part of the certificate holds."""
    Pb = inst.problem
    w = float(inst.theta[0])
    L0 = Pb.exact_loss(inst.theta)
    on_w0 = _line_polynomial(inst, [0.0, 0.0], [0.0, 1.0])  # L(u, 0)
    on_w1 = _line_polynomial(inst, [-1.0, 0.0], [0.0, 1.0])  # L(u, -1)
    from flint import fmpq_poly

    level = _q(2)
    wq = _q(w)
    dprofile = -2 * (1 + wq) * (1 - wq) / (1 + wq * wq) ** 2
    return Evidence.all_of(
        _ok(on_w0 == fmpq_poly([2]), "E2: L = 2 on the separating line w = 0 (exact)"),
        _ok(on_w1 == fmpq_poly([2, 0, 2]), "E2: L = 2 + 2u^2 on the separating line w = -1 (exact)"),
        _ok(-1 < w < 0, "E2: start strictly between the lines"),
        Evidence.at_least(exact.to_float(level - L0) / 2, 0.0, "E2: (2 - L(theta)) / 2, the valley's depth",
                          L=exact.to_float(L0)),
        _ok(dprofile != 0, "E2: profile derivative nonzero (no critical point at this w)"))


# =========================================================================================================
# VBB-DIM: intrinsic dimension
# =========================================================================================================
@st.composite
def _dim_settings(draw, relu_n=st.sampled_from([1, 3, 4])):
    if draw(st.integers(0, 3)) == 0:
        return {"kind": "relu", "n": draw(relu_n), "K": draw(st.sampled_from([8, 16, 24])), "seed": draw(seeds)}
    n = draw(st.integers(1, 4))
    rho = draw(S.poly_activations(n, q_max=40))
    return {"kind": "poly", "coeffs": list(rho.coeffs), "n": n, "seed": draw(seeds)}


def _rho_of(s) -> Rho:
    return Rho.poly(s["coeffs"]) if s["kind"] == "poly" else Rho.of(s["kind"])


def dim_expected(s) -> int:
    """The formula: sum_{a_k != 0} C(n + k - 1, k); ReLU: 2 for n = 1, infinite (all K of a K x K section)
    for n >= 2."""
    d = intrinsic_dimension(_rho_of(s), s["n"])
    return s["K"] if d == math.inf else d


def dim_measured(s, draws: int = 4) -> tuple[int, int]:
    """(exact rank of rho(<w_i, x_j>), K), the largest over ``draws`` independent sections: polynomials at
    K = dim* + 6 random integer w's and x's in [-4, 4]^n; ReLU at 4K w's and K x's in [-20, 20]^n (a K-column
    section: rank K means dim* >= K).  Every section's rank is <= dim*; it equals dim* only at generic points
    (for ReLU in n = 1 the x's must take both signs), hence the maximum over independent draws."""
    rho, n = _rho_of(s), s["n"]
    best, K = 0, 0
    for k in range(draws):
        rng = np.random.default_rng([s["seed"], k])
        if s["kind"] == "relu":  # many more w's than x's (claims file pitfall), entries in [-20, 20]
            K = s["K"]
            W, X = rng.integers(-20, 21, (4 * K, n)), rng.integers(-20, 21, (K, n))
        else:
            K = intrinsic_dimension(rho, n) + 6
            W, X = rng.integers(-4, 5, (K, n)), rng.integers(-4, 5, (K, n))
        best = max(best, exact_feature_rank(rho, W.astype(float), X.astype(float)))
    return best, K


@claim("venturi2019/dim-poly", paper=P, exact=True, budget=1.0,
       theorem="VBB-DIM (section 3 example / corollary, no. unknown)",
       statement="dim*(rho) = sum_{k: a_k != 0} C(n + k - 1, k) for rho(z) = sum_k a_k z^k; infinite for a "
                 "non-polynomial continuous rho when n >= 2 (ReLU, n = 1: 2).",
       hypotheses=[Assumption("rho polynomial, or ReLU with n = 1 or n >= 3 (n = 2: finite square sections of "
                              "relu(W X^T) are rank-deficient, the claims file's pitfall)",
                              lambda s: s["kind"] == "poly" or s["n"] != 2)],
       strategy=_dim_settings(),
       notes="[RECON] as the paper's statement; formula [DERIVED] + [VERIFIED] exactly (16/16 patterns in the "
             "claims file).  Decided by python-flint ranks of integer feature matrices: K = q + 6 random integer "
             "w's and x's for polynomials; sections with 4K w's and K x's (K = 8, 16, 24) for ReLU, whose rank K for n >= 3 "
             "shows dim* >= K (infinite: the rank keeps growing), and rank 2 for n = 1.  Smooth non-polynomial "
             "activations are not decided here (irrational entries; float ranks of their sections are "
             "ill-conditioned, the claims file needs 60 digits).  A section at non-generic points has lower rank "
             "(the default-profile audit found 8 x's of one sign for ReLU, n = 1: rank 1), so the rank is the "
             "largest over four independent sections.")
def dim_poly(s) -> Evidence:
    """VBB-DIM: rank over Q of [rho(<w_i, x_j>)] (exact) = sum_{k: a_k != 0} C(n+k-1, k) for polynomial rho
    (K = dim* + 6 random integer points: the rank equals dim V_rho generically); for ReLU with n >= 3 every
    K x K section has full rank K (dim* = infinity), with n = 1 rank 2 (span{relu(x), relu(-x)})."""
    r, K = dim_measured(s)
    return Evidence.equal(r, dim_expected(s), f"exact rank of the feature matrix ({K} points) vs dim*",
                          rho=str(_rho_of(s)), n=s["n"])


# =========================================================================================================
# VBB-T8: Theorem 8
# =========================================================================================================
def _theorem8_evidence(inst) -> Evidence:
    if not inst.rho.polynomial:
        raise Inconclusive(f"unknown intrinsic dimension: {inst.rho} has no finite factorisation psi / phi")
    q = intrinsic_dimension(inst.rho, inst.arch.n)
    if inst.arch.p < q:
        raise Inconclusive(f"proof path does not apply: p = {inst.arch.p} < dim* = {q}, phase 2 cannot reach rank "
                           "dim* and the path's end is not L* (no valley certificate either)")
    features = (lambda W: psi(inst.rho, W))
    path = theorem8_path(inst.problem, inst.exact_theta, features, q, np.random.default_rng(PATH_SEED), True,
                         tol=GAP_RULE)
    _phase2_reached(path, q)
    ev = _exact_path_evidence(inst, path.nodes, path.labels, exact_lstar(inst))
    ev.values.update(independent=path.independent, rank_after_phase_2=path.rank_after, q=q)
    return ev


@claim("venturi2019/thm-8", paper=P, exact=True, budget=1.5, theorem="Theorem 8",
       statement="If rho has finite intrinsic dimension q = dim*(rho) and p >= q, then for every data distribution "
                 "and convex loss L(W, U) = E l(U rho(W X), Y) has no spurious valleys: from every theta a "
                 "continuous path along which L does not increase ends at a global minimiser.",
       hypotheses=[POLY, Assumption(WIDTH.name, WIDTH.holds, S.theorem8_instances(below=True)), CONVEX],
       strategy=S.theorem8_instances(),
       examples=(lambda: _e1_instance(-1.0),),
       notes="[RECON] (high confidence; number fixed by the thesis code); proof path [DERIVED] and [VERIFIED] "
             "(200 instances in the claims file).  The proof's path is built exactly (rationals): (1) dependent "
             "neurons re-expressed through a maximal independent set of psi(w_i) (exact solve), (2) the silent "
             "neurons re-drawn until rank Psi = q, (3) the output layer to its optimum.  Every segment's loss is a "
             "polynomial in t, certified <= its start exactly; the endpoint must equal L* from least squares on "
             "phi(X) (empirical) or 0 (Gaussian population loss with a teacher of the same activation: "
             "Isserlis moments, exact).  A faithful test of the proof, not of the theorem's universality.  Where the "
             "proof path does not apply (p < dim*, the ablation; or phase 2 short of rank dim*) the instance is "
             "inconclusive: the path's end then lies above L*, which the claims file warns is no valley "
             "certificate.  A real valley one below the bound is E2 (p = 1 < dim*(z + z^2) = 2, venturi2019/"
             "lem-descent).")
def thm_8(inst) -> Evidence:
    """Theorem 8: p >= dim*(rho) => no spurious valleys.  The proof's path (phases 1-2 keep f fixed, phase 3
    is a segment of a convex function) never rises above L(theta_0) (exact polynomial certificates) and ends
    at L* = min_C E||C phi(X) - Y||^2 (computed without the network)."""
    return _theorem8_evidence(inst)


# =========================================================================================================
# VBB-EMP: empirical risk, any continuous activation, p >= N
# =========================================================================================================
def _span_basis(inst, rng) -> tuple[np.ndarray, int]:
    """Orthonormal basis of span{rho(X w) : w in R^n} in R^N from 20 N random w (gap rule), and q_N."""
    X = np.asarray(inst.loss.X, float)
    N = len(X)
    Wr = rng.standard_normal((20 * N, X.shape[1])) * np.exp(rng.uniform(-1, 1, (20 * N, 1)))
    F = inst.rho(Wr @ X.T)  # 20N x N: rows are psi(w)
    r = numerical_rank(F, GAP_RULE, "span of rho(X w)").rank
    _, _, Vt = np.linalg.svd(F)
    return Vt[:r].T, r


@claim("venturi2019/emp", paper=P, budget=1.0, theorem="VBB-EMP (corollary ~9-11?)",
       statement="For the empirical risk on N samples, any continuous rho and p >= N (sharper: p >= q_N = "
                 "dim span{(rho(<w, x_j>))_j}), the square loss has no spurious valleys.",
       hypotheses=[Assumption("empirical measure on N points", lambda i: isinstance(i.loss, EmpiricalLoss)),
                   Assumption("rho continuous", lambda i: i.rho.continuous),
                   Assumption("p >= N", lambda i: i.arch.p >= i.loss.N, S.empirical_instances(
                       acts=st.sampled_from(["tanh", "sigmoid", "sin"]), below=True))],
       strategy=S.empirical_instances(),
       notes="[RECON] (v1 abstract: 'generic activations in the empirical risk case'); [DERIVED] as Theorem 8 "
             "with psi(w) = rho(X w) in R^N; [VERIFIED] (120 instances, 16 inconclusive in the claims file).  "
             "The path needs p >= q_N (p < q_N, the ablation: the proof path does not apply, inconclusive -- an end "
             "above L* is no valley certificate).  "
             "Float64 path (non-polynomial rho): output-layer segments are exact quadratics in t from the "
             "kernel blocks; the silent-neuron segment is checked densely with a Lipschitz bound.  Rank "
             "decisions use the gap rule (no gap: inconclusive).  Phase-1 tolerance: 1e-9, or the rounding "
             "bound 100 eps cond(Psi_I) of the least-squares solve when larger (claims file pitfall (i)).  "
             "L* is the projection of Y on span{rho(X w)} from 20N independent random w, not the path's W.  A "
             "thorough run found the path stopping short where the re-drawn features' rank q_N had no gap "
             "(sigmoid on inputs below 0.65: nearly linear features); that is now inconclusive, and the re-draws "
             "use larger weights and, in float64, pick from a pool of 64 candidates the one farthest from the span (random ReLU draws in n = 2 can miss the cells that add a direction: a thorough run found one).")
def emp(inst) -> Evidence:
    """VBB-EMP (Cor ~9-11): p >= N => no spurious valleys of the empirical square loss, any continuous rho.
    Theorem 8's path with psi(w) = rho(X w): constant phases within 1e-9 (or the conditioning bound),
    convex phase non-increasing within 1e-10, endpoint within 1e-8 of L* = ||Y - proj Y||^2 / N."""
    return emp_evidence(inst)


def emp_lstar(inst, Q) -> float:
    """L* = ||Y - Q Q^T Y||^2 / N: the projection of Y on span{rho(X w)} (orthonormal basis Q)."""
    Y = np.asarray(inst.loss.Y, float)
    R = Y - Q @ (Q.T @ Y)
    return float(np.sum(R * R) / len(Y))


def emp_evidence(inst, lstar=emp_lstar) -> Evidence:
    """The path evidence of venturi2019/emp, its endpoint compared with ``lstar(inst, Q)`` (Q an orthonormal
    basis of span{rho(X w)})."""
    rng = np.random.default_rng(PATH_SEED)
    X = np.asarray(inst.loss.X, float)
    Q, qN = _span_basis(inst, rng)
    if inst.arch.p < qN:
        raise Inconclusive(f"proof path does not apply: p = {inst.arch.p} < q_N = {qN}, phase 2 cannot reach rank "
                           "q_N and the path's end is not L* (no valley certificate either)")
    features = (lambda W: inst.rho(np.asarray(W, float) @ X.T))
    th = inst.float_theta
    path = theorem8_path(inst.problem, th, features, qN, rng, False, tol=GAP_RULE)
    _phase2_reached(path, qN)
    cert = certify_path(inst.problem, path.nodes, path.labels, exact_=False)
    W0, _ = inst.arch.unflatten(th)
    PsiI = features(W0)[path.independent]
    cond = np.linalg.cond(PsiI) if len(path.independent) else 1.0
    tol1 = max(TOL_CONST, 100 * np.finfo(float).eps * cond)
    scale = max(1.0, abs(cert.start))
    for s in cert.segments:
        s.ok = s.rise <= (tol1 if s.label.startswith("1") else TOL_CONST if s.label.startswith("2")
                          else TOL_MONO) * scale
    Lstar = lstar(inst, Q)
    bad = [s for s in cert.segments if not s.ok]
    worst = max(cert.segments, key=lambda s: s.rise / scale)
    mono = Evidence(1.0, f"no rise beyond tolerance; largest relative rise {worst.rise / scale:.3g} "
                         f"({worst.label}, {worst.method})") if not bad else \
        Evidence(-bad[0].rise / scale, f"loss rises on {bad[0].label} by {bad[0].rise:.3g} ({bad[0].method})")
    end = Evidence.within((cert.end - Lstar) / scale, TOL_END, "endpoint |L(end) - L*| / max(1, L0)",
                          q_N=qN, L_star=Lstar, L_end=cert.end, phase1_tol=tol1)
    return Evidence.all_of(mono, end)


# =========================================================================================================
# VBB-LIN: linear networks
# =========================================================================================================
def _linear_lstar(inst):
    """(min_M mean ||M x - y||^2, M*): exact least squares on the data (features x themselves)."""
    return least_squares(inst.loss.Xq, inst.loss.Yq, inst.loss.N)


def linear_transposed_path(inst, rng):
    """Depth 2, m <= p < n (claims file VBB-LIN): the columns u_i are the neurons.  (1) dependent columns
    u_j = sum_{i in I} c_ji u_i: w_i += sum_j c_ji w_j, w_j -> 0 (f constant); (2) the zeroed columns re-drawn
    until rank U = m (their w_j = 0: f constant); (3) W -> U^+ M* on a straight line (L convex in W)."""
    W0, U0 = (exact.object_array(A) for A in inst.arch.unflatten(inst.float_theta))
    I = _independent_columns(U0)
    dep = [j for j in range(inst.arch.p) if j not in I]
    W1 = W0.copy()
    if dep:
        A = _matmul(U0[:, I].T, U0[:, I])
        C = exact.to_object_array(exact.rational_matrix(A).solve(exact.rational_matrix(_matmul(U0[:, I].T,
                                                                                                U0[:, dep]))))
        W1[I] = W1[I] + _matmul(C, W0[dep])
        W1[dep] = _q(0)
    U2 = U0.copy()
    for _ in range(20):
        if dep:
            U2[:, dep] = exact.object_array(rng.integers(-3, 4, (inst.arch.m, len(dep))))
        if exact.rank(U2) == inst.arch.m:
            break
    _, Mstar = _linear_lstar(inst)
    UUt = exact.rational_matrix(_matmul(U2, U2.T))
    if UUt.rank() < inst.arch.m:
        raise Inconclusive(f"proof path does not apply: phase 2 reached rank {UUt.rank()} < m = {inst.arch.m}")
    W3 = _matmul(U2.T, exact.to_object_array(UUt.solve(exact.rational_matrix(Mstar))))
    f = inst.arch.flatten
    return ([f(W0, U0), f(W1, U0), f(W1, U2), f(W3, U2)],
            ["1: move dependent columns' rows (f constant)", "2: re-draw zeroed columns", "3: W -> U^+ M*"])


@claim("venturi2019/linear", paper=P, exact=True, budget=1.0, theorem="VBB-LIN (Thm ~4?)",
       statement="Linear activation: p >= n gives no spurious valleys (dim* = n); more generally a linear network "
                 "whose hidden width is >= min(n, m) has no spurious valleys (depth 2 encoded).",
       hypotheses=[Assumption("rho(z) = z", lambda i: i.rho.polynomial and i.rho.support == (1,)),
                   Assumption("p >= min(n, m)", lambda i: i.arch.p >= min(i.arch.n, i.arch.m),
                              S.linear_instances(narrow=True)), CONVEX],
       strategy=S.linear_instances(),
       notes="(a) special case of Theorem 8 [RECON]; (b) [RECON] (medium confidence, paper number ~4 guessed), "
             "depth-2 path [DERIVED] + [VERIFIED].  Regime p >= n: Theorem 8's path with psi(w) = w; regime "
             "m <= p < n: the transposed path (columns of U as neurons), all segments exact polynomials.  Depth "
             ">= 3 is not encoded (the claims file has no path for it; optimiser stalls there are saddles, not "
             "evidence).  With the square loss the width is load-bearing for the *proof's path*, not for the "
             "landscape (narrow linear nets have no spurious minima): for p < min(n, m) (the ablation) the proof "
             "path does not apply and the instance is inconclusive.")
def linear(inst) -> Evidence:
    """VBB-LIN (Thm ~4): rho(z) = z, p >= min(n, m): p >= n -> Theorem 8's path; m <= p < n -> the transposed
    path.  Exact: the loss never rises on any segment and the end equals the least-squares L* of the data."""
    n, p, m = inst.arch.n, inst.arch.p, inst.arch.m
    if p < min(n, m):
        raise Inconclusive(f"proof path does not apply: p = {p} < min(n, m) = {min(n, m)}, neither path reaches the "
                           "least-squares map (no valley certificate either)")
    Lstar, _ = _linear_lstar(inst)
    rng = np.random.default_rng(PATH_SEED)
    if p >= n:
        path = theorem8_path(inst.problem, inst.exact_theta, lambda W: W, n, rng, True)
        _phase2_reached(path, n)
        return _exact_path_evidence(inst, path.nodes, path.labels, Lstar)
    nodes, labels = linear_transposed_path(inst, rng)
    return _exact_path_evidence(inst, nodes, labels, Lstar)


# =========================================================================================================
# VBB-QUAD: quadratic activation, scalar output, p >= 2n
# =========================================================================================================
def _sym_design(X):
    n = X.shape[1]
    pairs = [(a, b) for a in range(n) for b in range(a, n)]
    D = np.stack([(1 if a == b else 2) * X[:, a] * X[:, b] for a, b in pairs], axis=1)
    return D, pairs


def _quad_Astar(X, y):
    D, pairs = _sym_design(X)
    c, *_ = np.linalg.lstsq(D, y, rcond=None)
    A = np.zeros((X.shape[1],) * 2)
    for (a, b), v in zip(pairs, c):
        A[a, b] = A[b, a] = v
    r = D @ c - y
    return A, float(r @ r / len(y))


def _psd_sqrt(M):
    lam, V = np.linalg.eigh(0.5 * (M + M.T))
    return (V * np.sqrt(np.clip(lam, 0, None))) @ V.T


def quadratic_2n_path(W0, u0, Astar, K: int = 40):
    """The claims file's path for rho = z^2, m = 1, p >= 2n, as dense samples [(phase, W, u, A_designed)]:
    (a) normalise |u_i| -> 1 by (w_i r, u_i / r^2) and silent neurons w_i -> 0 then u_i -> +1 (A constant);
    (b) if one sign has < n neurons, rotate the other block W_B by a sequence of Givens rotations (each a path in
    SO(|B|), W_B^T W_B constant) until its rows n+1.. vanish, then flip the freed neurons' signs (A constant);
    (c) A(t) = (1-t) A_0 + t A* lifted as W_P(t) = Q_P P(t)^(1/2), W_N(t) likewise (polar factors)."""
    W, u = np.array(W0, float), np.array(u0, float)
    n = W.shape[1]
    A0 = W.T @ (u[:, None] * W)
    out = [("start", W.copy(), u.copy(), A0)]
    ss = np.linspace(0, 1, K + 1)[1:]
    nz = u != 0
    r = np.where(nz, np.sqrt(np.abs(u)), 1.0)
    for s in ss:
        c = 1 + s * (r - 1)
        Wc = W * c[:, None]
        Wc[~nz] = W[~nz] * (1 - s)
        out.append(("a: normalise", Wc, np.where(nz, u / c ** 2, 0.0), A0))
    W = out[-1][1].copy()
    u = np.where(nz, np.sign(u), 0.0)
    for s in ss:
        out.append(("a: silent to +1", W.copy(), np.where(nz, u, s), A0))
    u = np.where(nz, u, 1.0)
    pos, neg = np.flatnonzero(u > 0), np.flatnonzero(u < 0)
    B = neg if len(pos) < n else pos if len(neg) < n else None
    if B is not None and len(B) > n:
        WB = W[B].copy()
        for c in range(n):  # Givens rotations (each a path in SO(|B|)) zero the block below its first n rows
            for r in range(len(B) - 1, c, -1):
                a, b = WB[r - 1, c], WB[r, c]
                if b == 0:
                    continue
                theta = np.arctan2(b, a)
                for s in np.linspace(0, 1, 9)[1:]:
                    cs, sn = np.cos(s * theta), np.sin(s * theta)
                    W2 = W.copy()
                    W2[B] = WB
                    W2[B[r - 1]] = cs * WB[r - 1] + sn * WB[r]
                    W2[B[r]] = -sn * WB[r - 1] + cs * WB[r]
                    out.append(("b: rotate block", W2, u.copy(), A0))
                WB = out[-1][1][B].copy()
        W = out[-1][1].copy()
        freed = B[n:]
        W[freed] = 0.0
        out.append(("b: rotate block", W.copy(), u.copy(), A0))
        for s in ss:
            u2 = u.copy()
            u2[freed] = u[freed] * (1 - 2 * s)
            out.append(("b: flip freed", W.copy(), u2, A0))
        u[freed] = -u[freed]
    pos, neg = np.flatnonzero(u > 0), np.flatnonzero(u < 0)
    if min(len(pos), len(neg)) < n:  # only when p < 2n: the polar lift cannot realise every P(t), N(t)
        raise Inconclusive(f"proof path does not apply: after rebalancing {len(pos)} positive and {len(neg)} "
                           f"negative neurons, fewer than n = {n} of one sign (p = {len(u)} < 2n)")
    lam, V = np.linalg.eigh(Astar)
    Pstar, Nstar = (V * np.clip(lam, 0, None)) @ V.T, (V * np.clip(-lam, 0, None)) @ V.T

    def polar(WX):
        if len(WX) == 0:
            return np.zeros((0, n)), np.zeros((n, n))
        Uw, Sw, Vwt = np.linalg.svd(WX, full_matrices=False)
        return Uw @ Vwt, WX.T @ WX

    QP, P0 = polar(W[pos])
    QN, N0 = polar(W[neg])
    for s in ss:
        W2 = W.copy()
        if len(pos):
            W2[pos] = QP @ _psd_sqrt((1 - s) * P0 + s * Pstar)
        if len(neg):
            W2[neg] = QN @ _psd_sqrt((1 - s) * N0 + s * Nstar)
        out.append(("c: straight line in A", W2, u.copy(), (1 - s) * A0 + s * Astar))
    return out


@claim("venturi2019/quad", paper=P, budget=1.0, theorem="VBB-QUAD (Thm ~10?)",
       statement="Quadratic activation rho(z) = z^2, scalar output: p >= 2n gives no spurious valleys for any loss "
                 "convex in A = W^T diag(u) W (square loss, any P); with any m, p >= n(n+1)/2 (Theorem 8).",
       hypotheses=[Assumption("rho(z) = z^2", lambda i: i.rho.polynomial and i.rho.support == (2,)),
                   Assumption("m = 1", lambda i: i.arch.m == 1),
                   Assumption("p >= 2n", lambda i: i.arch.p >= 2 * i.arch.n,
                              S.quadratic_instances(width=lambda n: 2 * n - 1)), CONVEX],
       strategy=S.quadratic_instances(),
       notes="(a) special case of Theorem 8 (encoded there when z^2 is drawn); (b) the paper's exact bound is "
             "[RECON] (medium/low confidence), the statement and path [DERIVED] + [VERIFIED] (150 instances).  "
             "Float64: the curved phases (rescaling, Givens rotations, matrix square roots) are "
             "sampled densely (40 points per phase) and checked in function space: the realised "
             "A = W^T diag(u) W must equal the designed one (A_0 in phases a-b, (1-t)A_0 + tA* in c) to 1e-9 "
             "relative, the loss constant within 1e-9 and non-increasing within 1e-10; no Lipschitz bound "
             "between samples for these curved phases (the function-space path is exact: constant, then a "
             "segment of a convex quadratic ending at its minimiser).  Endpoint vs least squares over Sym(n).  The first "
             "encoding rotated by R(s) = expm(s Re log R) as the claims file suggests; the ci run found a 1-4-1 "
             "instance where log R is complex (eigenvalue -1) and the real part is no path to R (A jumped): our "
             "encoding's error, replaced by Givens rotations.  "
             "Optimiser stalls for n <= p < 2n (claims file: PSD second-order points) are not encoded as "
             "valleys: for n = 2, p = 3 = dim* Theorem 8 excludes valleys there.  For p < 2n (the ablation) one "
             "sign keeps fewer than n neurons, the proof path does not apply: inconclusive, not a counterexample "
             "(n = p = 1 is even covered by Theorem 8: dim*(z^2) = 1).")
def quad(inst) -> Evidence:
    """VBB-QUAD (Thm ~10): rho = z^2, m = 1, p >= 2n: normalise, rebalance to >= n neurons of each sign by a
    rotation, then lift the segment A(t) = (1-t)A_0 + tA* through polar factors.  Along the dense samples
    the realised A equals the designed one, L stays constant (phases a, b) and then does not increase, ending
    at L* = least squares over symmetric A."""
    return quad_evidence(inst)


def quad_evidence(inst, lstar=None) -> Evidence:
    """The path evidence of venturi2019/quad; the endpoint is compared with ``lstar(X, y)`` when given (else
    the least squares over symmetric A, the same fit the path aims at)."""
    X = np.asarray(inst.loss.X, float)
    y = np.asarray(inst.loss.Y, float)[:, 0]
    W0, U0 = inst.arch.unflatten(inst.float_theta)
    Astar, Lstar = _quad_Astar(X, y)
    if lstar is not None:
        Lstar = lstar(X, y)
    samples = quadratic_2n_path(W0, U0[0], Astar)
    Pb = inst.problem
    L = np.array([Pb.loss(inst.arch.flatten(W, u[None, :])) for _, W, u, _ in samples])
    scale = max(1.0, L[0])
    Ascale = max(1.0, np.linalg.norm(samples[0][3]), np.linalg.norm(Astar))
    devA = max(np.linalg.norm(W.T @ (u[:, None] * W) - Ad) for _, W, u, Ad in samples) / Ascale
    const = [k for k, (ph, *_) in enumerate(samples) if ph.startswith(("a", "b"))]
    dconst = float(np.max(np.abs(L[const] - L[0]))) / scale if const else 0.0
    rise = float(np.max(np.diff(L), initial=0.0)) / scale
    return Evidence.all_of(
        Evidence.within(devA, TOL_CONST, "realised vs designed A along the path (relative)"),
        Evidence.within(dconst, TOL_CONST, "loss change in the constant phases a-b (relative)"),
        Evidence.within(max(rise, 0.0), TOL_MONO, "largest rise between consecutive samples (relative)"),
        Evidence.within((L[-1] - Lstar) / scale, TOL_END, "endpoint |L(end) - L*| / max(1, L0)",
                        L_start=float(L[0]), L_end=float(L[-1]), L_star=Lstar))


# =========================================================================================================
# VBB-T13: Theorem 13 (ReLU, spurious valleys exist)
# =========================================================================================================
def theorem13_problem(s, n=None):
    """ReLU, m = 1, no bias; X from the Theorem-13 mixture; Y = alpha sum_{k<=p} relu(X_k) - beta relu(X_n)."""
    n = s["n"] if n is None else n
    p, a, b = s["p"], s["alpha"], s["beta"]
    V = np.zeros((p + 1, n))
    V[range(p), range(p)] = 1.0
    V[p, n - 1] = 1.0
    G = np.array([[a] * p + [-b]])
    loss = PopulationLoss(theorem13_mixture(n), V, G)
    return TwoLayerProblem(TwoLayerArchitecture(n, p, 1), Rho.of("relu"), loss)


def theorem13_points(s):
    n, p, a, b = s["n"], s["p"], s["alpha"], s["beta"]
    Wb = np.zeros((p, n))
    Wb[range(p), range(p)] = 1.0
    bad = np.concatenate([Wb.ravel(), np.full(p, a)])
    Wg = np.zeros((p, n))
    Wg[range(p - 1), range(p - 1)] = 1.0
    Wg[p - 1, n - 1] = 1.0
    good = np.concatenate([Wg.ravel(), np.array([a] * (p - 1) + [-b])])
    return bad, good


def _kappa(c):
    """E relu(<a, Z>) relu(<b, Z>) for unit a, b with <a, b> = c (arc-cosine kernel)."""
    c = np.clip(c, -1.0, 1.0)
    return (np.sqrt(1 - c * c) + (np.pi - np.arccos(c)) * c) / (2 * np.pi)


def delta_lower_bound(p: int, alpha: float, grid: int = 20000) -> float:
    """A certified lower bound of delta_{p-1} = inf over (p-1)-neuron nets of L_A (the loss on the first mixture
    component).  p = 1: delta_0 = alpha^2 / 2 exactly.  p = 2: one neuron; for a unit direction w the best u gives
    L_A = ||t||^2 - 2 alpha^2 g(w)^2, g = kappa(<w, e_1>) + kappa(<w, e_2>) with kappa increasing, so the
    maximum lies on the circle of span(e_1, e_2): g(phi) = kappa(cos phi) + kappa(sin phi), |g'| <= 1; a grid of
    ``grid`` angles plus the Lipschitz bound gives max g, and ||t||^2 = alpha^2 (1 + 1/pi).  p >= 3: not
    certified (the claims file has only multistart upper bounds): Inconclusive."""
    if p == 1:
        return alpha ** 2 / 2
    if p == 2:
        ph = np.linspace(0, 2 * np.pi, grid, endpoint=False)
        gmax = float(np.max(_kappa(np.cos(ph)) + _kappa(np.sin(ph)))) + 1.0 * (np.pi / grid)
        return alpha ** 2 * (1 + 1 / np.pi) - 2 * alpha ** 2 * gmax ** 2
    raise Inconclusive(f"delta_{p - 1} > 0 is a proof obligation not certified for p = {p} (only multistart "
                       "upper bounds exist)")


#: Spuriousness needs L* < beta^2/4 strictly (a tie makes theta_bad a global minimiser): theta_good must lie
#: below theta_bad by more than rounding.
SPURIOUS_STRICT = 1e-12


def theorem13_evidence(s, clV_samples: int = 200) -> Evidence:
    """The Theorem-13 valley certificate: L(theta_bad) = beta^2/4, L(theta_good) = alpha^2/4 strictly below it
    (L* <= L(theta_good); for p = 1, L* = min(alpha^2, beta^2)/4 exactly -- a neuron with u > 0 leaves
    L_B >= beta^2/2, one with u <= 0 leaves L_A >= alpha^2/2 -- so the comparison decides spuriousness), the
    escape boundary of V = {u > 0} at least delta_(p-1)/2 above beta^2/4, and sampled points of cl V not below
    beta^2/4."""
    Pb = theorem13_problem(s)
    a, b, p = s["alpha"], s["beta"], s["p"]
    bad, good = theorem13_points(s)
    L_bad, L_good = Pb.loss(bad), Pb.loss(good)
    level = b * b / 4
    delta = delta_lower_bound(p, a)
    rng = np.random.default_rng(PATH_SEED)
    worst = math.inf
    for _ in range(clV_samples):  # sanity of the analytic bound L >= beta^2/4 on cl V under the closed form
        W = rng.standard_normal((p, s["n"])) * rng.uniform(0.1, 3)
        U = np.abs(rng.standard_normal(p)) * (rng.random(p) > 0.2)
        worst = min(worst, Pb.loss(np.concatenate([W.ravel(), U])) - level)
    return Evidence.all_of(
        Evidence.within((L_bad - level) / level, 1e-12, "L(theta_bad) = beta^2/4 (closed form)", L_bad=L_bad),
        Evidence.within((L_good - a * a / 4) / level, 1e-12, "L(theta_good) = alpha^2/4", L_good=L_good),
        Evidence.at_least((level - L_good) / level, SPURIOUS_STRICT,
                          "spurious, strictly: (beta^2/4 - L(theta_good)) / (beta^2/4)"),
        Evidence.at_least(delta / 2 / level, 0.0, "barrier: (min over the escape boundary - beta^2/4) / "
                                                   "(beta^2/4) >= delta_(p-1) / 2 / (beta^2/4)",
                          delta_lower=delta, valley_levels=[level, level + delta / 2]),
        Evidence.at_least(worst / level, -1e-12, "sampled cl V: min (L - beta^2/4) / (beta^2/4)"))


T13_HYPS = [
    Assumption("rho = ReLU, no bias, m = 1", lambda s: True),
    Assumption("1 <= p <= n - 1", lambda s: 1 <= s["p"] <= s["n"] - 1),
    Assumption("X from the mixture on orthogonal subspaces", lambda s: True),
    Assumption("alpha, beta > 0 with L* <= alpha^2/4 < beta^2/4 (beta > alpha)",
               lambda s: 0 < s["alpha"] < s["beta"], S.theorem13_violating()),
]


@claim("venturi2019/thm-13", paper=P, budget=0.4, theorem="Theorem 13",
       statement="ReLU, no biases, 1 <= p <= n - 1: for the mixture (N(0, I_{n-1}) x {0} w.p. 1/2, {0} x N(0, 1) "
                 "w.p. 1/2) and Y = alpha sum_{k<=p} relu(X_k) - beta relu(X_n), beta > alpha, the point "
                 "theta_bad = (w_k = e_k, u_k = alpha) lies in a spurious valley for every level in "
                 "[beta^2/4, beta^2/4 + delta_{p-1}/2).",
       hypotheses=T13_HYPS, strategy=S.theorem13_settings(),
       notes="Construction from the thesis code ([RECON] hypotheses; number fixed by the thesis repo); barrier proof "
             "[DERIVED], numbers [VERIFIED] (L_bad = 2.25, L_good = 1 for alpha = 2, beta = 3).  Exact population "
             "loss via the arc-cosine kernel (harness.models.population).  Certificate: on cl V = {u >= 0}, "
             "L >= beta^2/4 = L(theta_bad) (C_+ >= 0); on its boundary at most p - 1 neurons are active, so "
             "L >= beta^2/4 + delta_{p-1}/2; L* <= L(theta_good) = alpha^2/4 < beta^2/4.  delta_{p-1} > 0 is "
             "certified for p = 1 (exact) and p = 2 (1-D grid with a Lipschitz bound); p >= 3 is inconclusive.  "
             "theta_bad is a non-strict, non-smooth local minimum (rescaling is flat; the loss is not "
             "differentiable there): no Hessian test.  Spuriousness is required strictly (L(theta_good) below "
             "beta^2/4 by more than rounding).  The ablation of beta > alpha draws p = 1 only: there "
             "L* = min(alpha^2, beta^2)/4 exactly, so beta <= alpha makes theta_bad a global minimiser; at p = 2 "
             "L* <= delta_1/2 ~ 0.089 alpha^2 and beta in {3 alpha/4, alpha} still leaves a spurious valley.")
def thm_13(s) -> Evidence:
    """Theorem 13: the ReLU valley.  L(theta_bad) = beta^2/4, L(theta_good) = alpha^2/4 < beta^2/4, and the
    escape boundary of V = {u > 0} lies at least delta_{p-1}/2 > 0 above beta^2/4 (certified lower bound)."""
    return theorem13_evidence(s)


# =========================================================================================================
# VBB-INF: infinite intrinsic dimension => valleys for some distribution, every p
# =========================================================================================================
TANH_X = (0.1, 1.0, 10.0)
TANH_Y = (0.925989, 0.829857, 1.821384)
#: The claims file's values (half-sum loss (1/2) sum_j): local minimum, global minimum, barrier level; with y
#: quoted to 6 decimals they reproduce to about 1e-7, the tolerance the file asks for (absolute).
TANH_L_MIN, TANH_L_STAR, TANH_BARRIER, TANH_ABS_TOL = 0.34393008, 0.24578145, 0.44000262, 1e-7


def _tanh_instance():
    loss = EmpiricalLoss(np.array(TANH_X)[:, None], np.array(TANH_Y)[:, None], "claims file tanh example")
    return TwoLayerProblem(TwoLayerArchitecture(1, 1, 1), Rho.of("tanh"), loss)


def _newton(Pb, theta, steps=30):
    th = np.array(theta, float)
    for _ in range(steps):
        g = Pb.grad(th)
        if np.linalg.norm(g) < 1e-15:
            break
        th = th - np.linalg.solve(Pb.hessian(th), g)
    return th


def tanh_profile(w):
    """min_u L(u, w) = (||y||^2 - <y, h>^2 / ||h||^2) / N, h = tanh(w x) (mean loss)."""
    x, y = np.array(TANH_X), np.array(TANH_Y)
    w = np.atleast_1d(np.asarray(w, float))
    H = np.tanh(np.outer(w, x))
    return (y @ y - (H @ y) ** 2 / np.sum(H * H, axis=1)) / len(x)


def tanh_valley_evidence() -> Evidence:
    """The claims file's tanh example (n = p = 1, N = 3): strict spurious local minimum + profile barrier."""
    Pb = _tanh_instance()
    th_m = _newton(Pb, [0.576957, 1.810315])  # theta = (w, u)
    th_g = _newton(Pb, [8.644264, 1.325621])
    Lm, Lg = Pb.loss(th_m), Pb.loss(th_g)
    g_rel = float(np.linalg.norm(Pb.grad(th_m))) / max(1.0, Lm)
    In = inertia(Pb.hessian_eigenvalues(th_m))  # no continuous symmetry: the normal space is all of R^2
    x, y = np.array(TANH_X), np.array(TANH_Y)
    N = len(x)
    wa, wb = 0.05, 1.69112
    barrier = float(min(tanh_profile(wa)[0], tanh_profile(wb)[0]))
    # certified lower bound of the profile on [wa, wb]: per cell |P'| <= 4 ||y||^2 ||x|| / (N ||tanh(lo x)||)
    edges = np.linspace(wa, wb, 4001)
    lo, hi = edges[:-1], edges[1:]
    mids = 0.5 * (lo + hi)
    lip = 4 * (y @ y) * np.linalg.norm(x) / (N * np.linalg.norm(np.tanh(np.outer(lo, x)), axis=1))
    strip_min = float(np.min(tanh_profile(mids) - lip * (hi - lo) / 2))
    half_sum = N / 2  # the claims file's numbers are for the half-sum (1/2) sum_j; the mean is 2/3 of it
    return Evidence.all_of(
        Evidence.within(g_rel, 1e-10, "tanh: relative gradient at the local minimum"),
        Evidence.equal(In.pos, 2, "tanh: positive Hessian eigenvalues (strict minimum, no symmetry orbit)",
                       eigenvalues=In.eigenvalues.tolist()),
        Evidence.within(Lm * half_sum - TANH_L_MIN, TANH_ABS_TOL, "tanh: L(local min) vs the claims file "
                        "(absolute, half-sum units)"),
        Evidence.within(Lg * half_sum - TANH_L_STAR, TANH_ABS_TOL, "tanh: L* vs the claims file (absolute, half-sum)"),
        Evidence.within(float(tanh_profile(wb)[0]) * half_sum - TANH_BARRIER, TANH_ABS_TOL,
                        "tanh: profile at w = 1.69112 vs the claims file's barrier level (absolute, half-sum)"),
        Evidence.at_least((Lm - Lg) / Lm, 0.0, "tanh: a lower point exists ((L_m - L_g) / L_m)", L_m=Lm, L_g=Lg),
        Evidence.at_least((barrier - Lm) / Lm, 0.0, "tanh: barrier on {w = 0.05} u {w = 1.69112} above L_m",
                          barrier=barrier, w_m=float(th_m[0]), w_g=float(th_g[0])),
        Evidence.at_least((strip_min - Lg) / Lm, 0.0, "tanh: certified min of the profile on the strip above L*",
                          strip_min=strip_min))


@st.composite
def _inf_dim_settings(draw):
    if draw(st.integers(0, 3)) == 0:
        return {"kind": "tanh"}
    s = draw(S.theorem13_settings(n_extra=st.just(0)))
    return {**s, "kind": "relu"}


@claim("venturi2019/inf-dim", paper=P, budget=0.4, theorem="VBB-INF (Thm ~14-15?)",
       statement="If dim*(rho) is infinite then, whatever the width p, some data distribution gives L a spurious "
                 "valley (instances: ReLU for p = 1, 2 via the Theorem-13 construction with n = p + 1; tanh with "
                 "p = 1 on three points).",
       hypotheses=[Assumption("dim*(rho) infinite (ReLU with n >= 2, tanh)", lambda s: s["kind"] == "tanh" or s["n"] >= 2),
                   Assumption("ReLU instances: beta > alpha", lambda s: s["kind"] == "tanh" or s["alpha"] < s["beta"],
                              st.builds(lambda d: {**d, "kind": "relu"},
                                        S.theorem13_violating(n_extra=st.just(0))))],
       strategy=_inf_dim_settings(),
       notes="[PAPER] abstract ('infinite intrinsic dimension implies that spurious valleys do exist for certain "
             "data distributions, independently of overparametrisation'); formal statement and number [RECON].  "
             "Instances [VERIFIED]: ReLU via Theorem 13 with n = p + 1 (certified for p = 1, 2); tanh, n = p = 1, "
             "N = 3 (x = 0.1, 1, 10): a strict spurious local minimum (Newton-refined, Hessian PD by the gap rule) "
             "and a barrier -- the lines w = 0.05 and w = 1.69112, on which min_u L is closed-form, and a "
             "certified lower bound (1-D grid, Lipschitz bound) of min_u L over the strip above L*.  'For every p' "
             "cannot be tested: only p = 1, 2 are.  The claims file's ReLU n = 1 example E3 is an instance of "
             "p < dim* = 2, not of dim* = infinity, and is not encoded.")
def inf_dim(s) -> Evidence:
    """VBB-INF (Thm ~14-15): dim* = infinity => valleys for some P.  ReLU: the Theorem-13 certificate with
    n = p + 1; tanh (p = 1): strict local minimum (gradient ~ 0, Hessian PD) with a lower point, and a
    barrier {w = w_a} u {w = w_b} whose level exceeds L(local min), the strip's certified minimum above L*."""
    if s["kind"] == "tanh":
        return tanh_valley_evidence()
    return theorem13_evidence(s)


# =========================================================================================================
# VBB-T16: Theorem 16 (random features)
# =========================================================================================================
def _sphere_abs_moment(d: int, k: int) -> float:
    """E|s|^k, s the first coordinate of a uniform point on S^{d-1}."""
    return math.exp(math.lgamma(d / 2) + math.lgamma((k + 1) / 2) - math.lgamma((d + k) / 2)) / math.sqrt(math.pi)


def random_features_setup(s):
    """Data x~ = (x, 1) (N x d), target f*(x) = a c_d ||x~|| + b x~_1 / (2d) (g(w) = a + b w_1, w ~ mu =
    uniform on S^{d-1}), and V = E_w[g(w)^2 ||rho_w||^2] - ||f*||^2 in closed form on the empirical measure."""
    rng = np.random.default_rng(s["seed"])
    n, a, b = s["n"], s["a"], s["b"]
    d = n + 1
    X = np.concatenate([rng.standard_normal((s["samples"], n)), np.ones((s["samples"], 1))], axis=1)
    nv = np.linalg.norm(X, axis=1)
    c_d = 0.5 * _sphere_abs_moment(d, 1)
    fstar = a * c_d * nv + b * X[:, 0] / (2 * d)
    E_g2rho2 = (a * a * nv ** 2 / (2 * d) + a * b * X[:, 0] * nv * _sphere_abs_moment(d, 3)
                + b * b * (nv ** 2 + 2 * X[:, 0] ** 2) / (2 * d * (d + 2)))
    V = float(np.mean(E_g2rho2) - np.mean(fstar ** 2))
    return rng, X, fstar, V


def random_features_draws(s):
    """(R, witness errors, V) of :func:`draws_on` at the setting ``s`` (:func:`random_features_setup`)."""
    rng, X, fstar, V = random_features_setup(s)
    R, wit = draws_on(s, rng, X, fstar)
    return R, wit, V


def draws_on(s, rng, X, fstar):
    """Per draw of W (p rows uniform on S^{d-1}, from ``rng``): R(W) = min_U mean (U relu(W x~) - f*)^2 (least
    squares) and the Monte-Carlo witness error ||(1/p) sum g(w_i) relu(<w_i, .>) - f*||^2."""
    p = s["p"]
    R, wit = [], []
    for _ in range(s["draws"]):
        W = rng.standard_normal((p, X.shape[1]))
        W /= np.linalg.norm(W, axis=1, keepdims=True)
        F = np.maximum(X @ W.T, 0.0)
        coef, *_ = np.linalg.lstsq(F, fstar, rcond=None)
        r = F @ coef - fstar
        R.append(float(r @ r / len(r)))
        e = F @ ((s["a"] + s["b"] * W[:, 0]) / p) - fstar
        wit.append(float(e @ e / len(e)))
    return np.array(R), np.array(wit)


#: Single features w drawn to check V (the identity E_w ||g(w) rho_w - f*||^2 = V), and the check's width in SE.
V_CHECK_FEATURES = 4000
V_CHECK_SE = 5.0


def single_feature_errors(s, X, fstar, features: int = V_CHECK_FEATURES) -> np.ndarray:
    """q(w) = ||g(w) relu(<w, .>) - f*||^2 on the empirical measure for ``features`` i.i.d. w ~ mu (their own
    stream, ``SeedSequence([seed, 1])``): the witness with p = 1, whose mean is E q = V exactly when f* = E g rho
    (E q = E||g rho||^2 - ||f*||^2 = V).  q is bounded, so its mean is close to normal: unlike the mean error of the
    p-feature witness over 30 draws of W, a right-skewed average whose t-statistic reached -5 on 1% of seeds
    (benchmarks/dask-scaling.md, thorough seed 21)."""
    rng = np.random.default_rng([int(s["seed"]), 1])
    out = []
    for start in range(0, features, 1000):
        W = rng.standard_normal((min(1000, features - start), X.shape[1]))
        W /= np.linalg.norm(W, axis=1, keepdims=True)
        E = np.maximum(X @ W.T, 0.0) * (s["a"] + s["b"] * W[:, 0]) - fstar[:, None]
        out.append(np.mean(E * E, axis=0))
    return np.concatenate(out)


def theorem16_evidence(s, rate=lambda p: 1.0 / p, delta: float = 0.2, level: float = 0.999,
                       setup=None) -> Evidence:
    """Theorem 16's checks at one setting ``s``; ``setup`` is :func:`random_features_setup` unless given."""
    rng, X, fstar, V = (setup or random_features_setup)(s)
    R, wit = draws_on(s, rng, X, fstar)
    p, k = s["p"], len(R)
    bound = V * rate(p)
    t = stats.t.ppf(level, k - 1)
    lcb = float(R.mean() - t * R.std(ddof=1) / math.sqrt(k))
    exceed = int(np.sum(R > V * rate(p) / delta))
    cp_low = clopper_pearson(exceed, k, 2 * level - 1)[0]  # one-sided at `level` = two-sided at 2 level - 1
    q = single_feature_errors(s, X, fstar)
    se_q = q.std(ddof=1) / math.sqrt(len(q))
    return Evidence.all_of(
        Evidence.at_most(lcb / bound, 1.0, f"A: lower {level:.1%} bound of mean R(W) - L(f*) over V/p",
                         mean_ratio=float(R.mean() / bound), V=V, p=p),
        Evidence.at_most(cp_low, delta, f"B: Clopper-Pearson lower bound of P(R - L_f > V/(delta p)), delta = {delta}",
                         exceed=exceed, draws=k),
        Evidence.at_most(abs(q.mean() - V) / max(V_CHECK_SE * se_q, 1e-12 * V), 1.0,
                         f"single-feature witness: |mean ||g(w) rho_w - f*||^2 - V| within {V_CHECK_SE:g} standard "
                         f"errors over {len(q)} w (checks V and f*)",
                         single_feature_ratio=float(q.mean() / V), witness_ratio=float(wit.mean() / (V / p))))


@claim("venturi2019/thm-16", paper=P, budget=0.2, theorem="Theorem 16",
       statement="Random features: for W with p i.i.d. rows from the measure mu representing the target "
                 "(f* = E_mu g(w) relu(<w, x~>), |g| bounded), E_W min_U L(W, U) - L(f*) <= V/p; hence a random "
                 "first layer is, w.h.p., joined by a non-increasing path (a segment in U) to risk "
                 "L(f*) + V/(delta p): valleys above that level are avoided.",
       hypotheses=[Assumption("rows of W i.i.d. from the mu representing f*", lambda s: True),
                   Assumption("g bounded (V finite)", lambda s: True),
                   Assumption("square loss, noiseless target", lambda s: True)],
       strategy=S.random_feature_settings(),
       notes="Number fixed by the thesis repo (its 'second negative result' experiment: risk vs p with a 1/p "
             "reference); the formal statement is [RECON] (low confidence) and Claim C ('valleys confined to low "
             "risk', the paper's epsilon(p)) is not encoded.  The quantitative core (Claim A, the Monte-Carlo "
             "witness u_i = g(w_i)/p) and the Markov reading (Claim B) are [DERIVED] + [VERIFIED].  V in closed "
             "form on the empirical measure (sphere moments E|s|^k); the single-feature witness's mean error must "
             "match V within 5 standard errors (4000 w).  One-sided t / Clopper-Pearson bounds at 99.9%.  The "
             "claim is a forall over p in {8, 16, 32, 64} (ci: 2000 points, 30 draws); the experiment is the "
             "reproduction venturi2019/thm-16-random-features (fraction of draws within V/(0.2 p)), and "
             "benchmarks/venturi2019_random_features.py draws the risk against V/p.")
def thm_16(s) -> Evidence:
    """Theorem 16: E_W R(W) - L(f*) <= V/p (one-sided 99.9% t-bound over 30 draws of W), P(R - L_f > V/(delta p))
    <= delta (Clopper-Pearson), and the closed-form V is checked by its defining identity: the witness with one
    feature, u = g(w), has mean error E_w ||g(w) rho_w - f*||^2 = V (so u_i = g(w_i)/p attains V/p in
    expectation)."""
    return theorem16_evidence(s)


# =========================================================================================================
# Reproduction of the random-features experiment (landscape-audit reproduce 'venturi2019/*')
# =========================================================================================================
from harness.statistics.reproductions import Reproduction, register  # noqa: E402

RF_DELTA = 0.2


def _random_feature_successes(cell, trials, rng):
    """Draws of W (p rows uniform on S^5) whose best output layer has risk R(W) - L(f*) <= V/(delta p)."""
    s = {"kind": "random-features", "p": cell["p"], "n": cell["n"], "a": 1.0, "b": 2.0, "samples": cell["samples"],
         "draws": trials, "seed": int(rng.integers(0, 2**31))}
    R, _, V = random_features_draws(s)
    return int(np.sum(R <= V / (RF_DELTA * cell["p"])))


register(Reproduction(
    "venturi2019/thm-16-random-features",
    "Theorem 16 experiment (thesis repo): risk of the best output layer over random ReLU features, "
    "fraction of draws with R(W) - L(f*) <= V/(0.2 p)",
    "W: p rows i.i.d. uniform on S^5 (the measure representing f*, g(w) = 1 + 2 w_1); P_X the empirical measure of "
    "N(0, I_5) points with a constant input",
    grids={"ci": [dict(p=p, n=5, samples=2000) for p in (8, 16, 32, 64)],
           "default": [dict(p=p, n=5, samples=5000) for p in (8, 16, 32, 64, 128, 256)],
           "thorough": [dict(p=p, n=5, samples=20000) for p in (8, 16, 32, 64, 128, 256, 512, 1024)]},
    trials={"ci": 30, "default": 30, "thorough": 30}, compute=_random_feature_successes,
    reference={(p,): 1.0 for p in (8, 16, 32, 64, 128, 256, 512, 1024)}, key=("p",), row="p", col="n",
    reference_trials=30,
    notes="Reference: the claims file's 'P(R - L_f > V/(0.2 p)) = 0 for all p' (30 draws per p, p = 8..1024). The risk "
          "itself against the 1/p line (mean ratio 0.343, 0.134, ... of V/p) is drawn by "
          "benchmarks/venturi2019_random_features.py; the claim venturi2019/thm-16 tests the bound per p."))
