"""Parameter points: random, on Cooper's star/core loci, split points, global minima, and critical points
found by optimisation (with their refinement status recorded in ``instance.point``).

Each takes a strategy of point-less NetInstances (see :func:`strategies.networks.problems`) and returns
a strategy of NetInstances with ``theta`` set.
"""
from __future__ import annotations

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from harness.models.architecture import Architecture
from harness.engine.certify import REDERIVE
from harness.models.mlp import NetInstance
from harness.models.mlp import Problem
from harness.numerics import relative_gradient
from harness.numerics.optimise import critical_point, zero_loss
from strategies.data import seeds
from strategies.discrete import dimension
from strategies.loci import put_on_locus


def init_params(arch: Architecture, rng: np.random.Generator) -> np.ndarray:
    """Weights ~ N(0, 1/fan_in), biases ~ N(0, 1)."""
    layers = [(rng.standard_normal(shape) / np.sqrt(shape[1]), rng.standard_normal(shape[0]))
              for _, shape, _ in arch.layers]
    return arch.flatten(layers)


@st.composite
def random_points(draw, problems) -> NetInstance:
    inst = draw(problems)
    rng = np.random.default_rng(draw(seeds))
    return inst.with_theta(init_params(inst.arch, rng), source="random")


@st.composite
def star_points(draw, problems, m: int = 1, free_biases: bool = False) -> NetInstance:
    """A point of S_K with |K| = m (m = 1: star locus S*, m = 2: core locus C), free coordinates random."""
    inst = draw(problems.filter(lambda p: p.arch.depth >= m))
    K = sorted(draw(st.sets(st.integers(1, inst.arch.depth), min_size=m, max_size=m)))
    rng = np.random.default_rng(draw(seeds))
    theta = put_on_locus(inst.arch, init_params(inst.arch, rng), K, inst.Y.mean(axis=0), free_biases)
    source = {1: "star-locus", 2: "core-locus"}.get(m, f"{m}-core-locus")
    return inst.with_theta(theta, source=source, K=K, free_biases=free_biases)


def rederive_locus_point(inst: NetInstance, seed: int) -> NetInstance:
    """The same locus S_K (same K, same bias convention) with the free coordinates drawn from another seed."""
    theta = put_on_locus(inst.arch, init_params(inst.arch, np.random.default_rng(seed)), inst.point["K"],
                         inst.Y.mean(axis=0), inst.point.get("free_biases", False))
    return inst.with_theta(theta, reseeded=seed)


for _source in ("star-locus", "core-locus", "3-core-locus", "4-core-locus"):
    REDERIVE[_source] = rederive_locus_point


def core_points(problems, free_biases: bool = False):
    return star_points(problems, m=2, free_biases=free_biases)


@st.composite
def global_minima(draw, problems) -> NetInstance:
    """A point of M = L^{-1}(0): random w' and the minimum-norm least-squares last layer
    [W_{H+1} b_{H+1}] Phi~ = Y^T (exact when rank Phi~ = n and Phi~ is well conditioned), polished or, for
    narrow nets, found by Levenberg-Marquardt.  Draws where zero loss (<= 1e-20 (1 + sum ||y||^2)) is not
    reached -- an ill-conditioned Phi~ behind a bottleneck layer, a narrow net that cannot interpolate -- are
    rejected rather than passed off as global minima."""
    inst = draw(problems)
    rng = np.random.default_rng(draw(seeds))
    arch, prob = inst.arch, inst.problem
    theta = init_params(arch, rng)
    method = "levenberg-marquardt"
    if arch.last_hidden + 1 >= inst.n:
        phit = prob.augmented_features(theta)
        U = np.linalg.lstsq(phit.T, inst.Y, rcond=None)[0].T  # d_out x (d_H + 1)
        theta[arch.last_layer] = np.concatenate([U[:, :-1].ravel(), U[:, -1]])
        method = "least-squares"
    zero = 1e-20 * (1.0 + float(np.sum(inst.Y ** 2)))
    if prob.loss(theta) > zero:
        theta = zero_loss(prob, theta)
    assume(prob.loss(theta) <= zero)
    return inst.with_theta(theta, source="global-min", method=method, loss=prob.loss(theta))


@st.composite
def optimised_critical_points(draw, problems, methods=("descent", "gradnorm")) -> NetInstance:
    """A critical point found from a random start by ``descent`` (local minima) or ``gradnorm`` (any index,
    saddles included), Newton-refined; ``point["refined"]`` says whether it reached the tolerance."""
    inst = draw(problems)
    method = draw(dimension("optimiser", st.sampled_from(tuple(methods))))
    rng = np.random.default_rng(draw(seeds))
    r = critical_point(inst.problem, init_params(inst.arch, rng), method)
    return inst.with_theta(r.theta, source=f"optimised:{method}", refined=r.refined, grad_rel=r.grad_rel)


def _split_coefficients(parent, m: int, rng, equal: bool) -> np.ndarray:
    """lambda with, for each original unit i, sum over its copies (parent == i) equal to 1: equal shares or
    random ones.  parent[:m] = 0..m-1, so unit i is always one of its own copies."""
    lam = np.ones(len(parent)) if equal else 1.0 + rng.standard_normal(len(parent))
    for i in range(m):
        copies = parent == i
        total = lam[copies].sum()
        if abs(total) < 0.1:  # shares that nearly cancel would blow up: give the first copy everything
            lam[copies] = 0.0
            lam[i] = 1.0
        else:
            lam[copies] /= total
    return lam


@st.composite
def split_points(draw, problems) -> NetInstance:
    """Critical points with L > 0 of a wide net, built from a narrow one (Cooper 2020, Prop 5.13 generator):
    find a critical point of the same net with m < n units in the last hidden layer, then give each of the
    d_H wide units the incoming weights of an original unit and split each original outgoing column among
    its copies with coefficients summing to 1.  Every training output is unchanged and the point stays
    critical (each partial derivative is a lambda-multiple of one that vanished)."""
    inst = draw(problems)
    arch, n = inst.arch, inst.n
    m = draw(st.integers(1, max(1, min(n - 1, arch.last_hidden))))
    narrow = Architecture(arch.d_in, (*arch.hidden[:-1], m), arch.d_out)
    rng = np.random.default_rng(draw(seeds))
    small = Problem(narrow, inst.activation, inst.X, inst.Y)
    r = critical_point(small, init_params(narrow, rng), "descent")
    parent = np.concatenate([np.arange(m), rng.integers(0, m, arch.last_hidden - m)])
    lam = _split_coefficients(parent, m, rng, equal=draw(st.booleans()))
    small_layers = narrow.unflatten(r.theta)
    (Wh, bh), (Wo, bo) = small_layers[-2], small_layers[-1]
    wide_layers = small_layers[:-2] + [(Wh[parent], bh[parent]), (Wo[:, parent] * lam[None, :], bo)]
    theta = arch.flatten(wide_layers)
    grad_rel = relative_gradient(inst.problem, theta)
    return inst.with_theta(theta, source="split", narrow_width=m, refined=r.refined, grad_rel=grad_rel)


def critical_points(problems, sources=("star", "core", "split", "global-min", "descent", "gradnorm"),
                    weights: dict | None = None):
    """Critical points from every source the strategies have, so that a claim about "any critical point"
    meets saddles as well as minima.  ``split`` needs problems whose last hidden layer is >= 2 wide.
    ``weights`` (source -> positive int) makes some sources more frequent; by default the exact saddle
    families (star locus, gradient-norm search) count twice, since statements about *any* critical point
    are most often broken at saddles and minima are what descent already finds."""
    table = {
        "star": lambda: star_points(problems, 1),
        "core": lambda: star_points(problems, 2),
        "split": lambda: split_points(problems),
        "global-min": lambda: global_minima(problems),
        "descent": lambda: optimised_critical_points(problems, ("descent",)),
        "gradnorm": lambda: optimised_critical_points(problems, ("gradnorm",)),
    }
    unknown = set(sources) - set(table)
    if unknown:
        raise ValueError(f"unknown critical-point sources {sorted(unknown)}; known: {sorted(table)}")
    weights = {"star": 2, "gradnorm": 2, **(weights or {})}
    built = {s: table[s]() for s in sources}
    menu = [s for s in sources for _ in range(weights.get(s, 1))]
    return _source_then(dimension("point source", st.sampled_from(menu)), built)


@st.composite
def _source_then(draw, source, built):
    return draw(built[draw(source)])
