"""Small-scope enumeration of an instance space's discrete dimensions (see :mod:`harness.engine.discrete`).

A configuration pins every known dimension to one of its values; its *size* is the sum of the values'
positions (0 = the simplest value).  :class:`Enumerator` hands out configurations in two stages:

1. **small scope**: every configuration in increasing size (shuffled within a size by a seeded generator, so
   that no corner is always last), until a share of the budget is spent -- most false claims fail first at
   small sizes;
2. **margin-guided**: every evaluated configuration has a score (its margin, oriented so that smaller is
   closer to a finding).  Picks cycle through :attr:`Enumerator.ROTA`: (a) a draw from the *elite
   distribution* -- per dimension, the frequencies of its values among the best-scoring fifth of the
   configurations so far, smoothed (the cross-entropy method); (b) a uniform draw from the *strong
   subspace*: dimensions fixed one at a time, each the one whose elite value best separates low margins from
   high among the configurations that agree with those fixed before it (a greedy decision-tree split,
   scored by the Mann-Whitney probability), the weakly separating dimensions left free -- a weak effect is
   where a deceptive interaction hides ("d_0 = d_out >= 2 and n >= 3", each of which alone looks worse);
   (c) a neighbour of the best configuration (one dimension moved one or two positions: local descent);
   (d) a step of a *restarted* local descent (a walker started at a random configuration of the strong
   subspace descends by first improvement and restarts when stuck: the best configuration's basin may be a
   deceptive one that never reaches a violation, and walkers from elsewhere descend into other basins); and
   (e) a uniformly random configuration, so that a plateau never
   traps the search.  Dimensions whose value has never changed a margin (*inert*: the activation under a
   count-valued margin) are ignored by the guided picks, which would otherwise spend the budget on copies of
   the best configuration.

A configuration that agrees with an already generated instance on every dimension that instance read is
skipped (it would generate the same discrete structure).  Dimensions first read on a conditional path (the
locus index only for locus points, ...) join the space when they are seen.
"""
from __future__ import annotations

import heapq
import math
import random
from dataclasses import dataclass, field
from typing import Iterator

from scipy.stats import mannwhitneyu

#: Levels of the small-scope stage larger than this are sampled, not listed.
MAX_LEVEL = 5000


def _compositions(total: int, caps: list[int]) -> Iterator[tuple[int, ...]]:
    """All (i_1..i_k) with 0 <= i_j < caps[j] and sum = total."""
    if not caps:
        if total == 0:
            yield ()
        return
    head, rest = caps[0], caps[1:]
    room = sum(c - 1 for c in rest)
    for i in range(max(0, total - room), min(head - 1, total) + 1):
        for tail in _compositions(total - i, rest):
            yield (i, *tail)


def _generated_from(reads: dict, config: dict, ignore: frozenset = frozenset()) -> bool:
    """An instance that read ``reads`` is what ``config`` generates: every dimension it read (those in
    ``ignore`` aside) has the configuration's value."""
    return all(k in ignore or (k in config and config[k] == v) for k, v in reads.items())


@dataclass
class Enumerator:
    seed: int = 0
    #: Picks of the small-scope stage before the margin-guided stage takes over.
    small_scope: int = 10**9
    values: dict = field(default_factory=dict)  # name -> tuple of values, in shrink order
    visited: list = field(default_factory=list)  # the dimension reads of every generated instance
    picks: int = 0
    _size: int = 0
    _queue: list = field(default_factory=list)
    _version: int = -1
    _frontier: list = field(default_factory=list)  # heap of (score, tie, config)
    _tie: int = 0
    scored: list = field(default_factory=list)  # (score, reads) of decided configurations
    _strong_turns: int = 0
    _ignore: frozenset = frozenset()  # inert dimensions, for the current pick
    _walker: tuple | None = None  # (score, config) of the restarted local descent
    _walk_pending: dict | None = None

    def __post_init__(self):
        self._rng = random.Random(self.seed)

    # ---- feedback ------------------------------------------------------------------------------------
    def learn(self, values: dict, reads: dict, score: float = math.inf) -> None:
        """Record the dimensions seen while generating one instance, what it read, and its score (margin
        toward a finding: smaller is closer; inf when undecided)."""
        for name, vals in values.items():
            if name not in self.values:
                self.values[name] = tuple(vals)
        if not reads:
            return
        self.visited.append(dict(reads))
        if math.isfinite(score):
            self.scored.append((score, dict(reads)))
            for nb in self._neighbours(reads):
                self._tie += 1
                heapq.heappush(self._frontier, (score, self._tie, nb))

    def covered(self, config: dict, ignore: frozenset = frozenset()) -> bool:
        """Some generated instance read exactly these values (dimensions in ``ignore`` aside)."""
        return any(_generated_from(reads, config, ignore) for reads in self.visited)

    def inert(self, min_pairs: int = 2) -> frozenset:
        """Dimensions whose value has not changed the margin: at least ``min_pairs`` pairs of scored
        configurations that differ in that dimension alone, and every such pair scored the same (to 1e-12).
        A count-valued margin (zero eigenvalues, a rank) is often blind to a dimension (the activation, an
        optimiser); the guided picks below then treat configurations that differ only there as one, instead of
        spending the budget on copies of the best configuration.  One pair with different scores makes the
        dimension live again."""
        out = set()
        for name in self.values:
            groups: dict = {}
            for score, reads in self.scored:
                if name in reads:
                    rest = tuple(sorted((k, v) for k, v in reads.items() if k != name))
                    groups.setdefault(rest, {}).setdefault(reads[name], score)
            pairs, same = 0, True
            for by_value in groups.values():
                scores = list(by_value.values())
                pairs += len(scores) - 1
                same &= max(scores) - min(scores) <= 1e-12 * (1.0 + max(abs(x) for x in scores))
            if pairs >= min_pairs and same:
                out.add(name)
        return frozenset(out)

    # ---- configurations --------------------------------------------------------------------------------
    @property
    def max_size(self) -> int:
        return sum(len(v) - 1 for v in self.values.values())

    def space_size(self) -> int:
        return math.prod(len(v) for v in self.values.values())

    #: The margin-guided stage cycles through these picks; each returns None when it has nothing to offer, and
    #: a random uncovered configuration is drawn instead.
    ROTA = ("_elite_sample", "_strong_subspace_sample", "_best_neighbour", "_walk", "_strong_subspace_sample",
            "_random_uncovered")

    def next(self) -> dict | None:
        """The next configuration not yet covered, or None when the space is exhausted."""
        self.picks += 1
        if self.picks <= self.small_scope:
            config = self._next_small()
            if config is not None:
                return config
        pick = self.ROTA[self.picks % len(self.ROTA)]
        self._ignore = self.inert() if pick != "_random_uncovered" else frozenset()
        config = getattr(self, pick)() if self.scored else None
        if config is not None:
            return config
        return self._random_uncovered() or self._next_small()

    def _agreeing(self, within: dict | None) -> list:
        """The scored (score, reads) whose reads agree with ``within`` (a dimension not read agrees)."""
        return [(s, r) for s, r in self.scored if all(r.get(k, v) == v for k, v in (within or {}).items())]

    def _elite_counts(self, smoothing: float = 0.5, within: dict | None = None) -> dict:
        """Per dimension, the smoothed counts of its values among the best-scoring fifth of the configurations
        (of those agreeing with ``within``)."""
        ranked = sorted(self._agreeing(within), key=lambda t: t[0])
        elite = [reads for _, reads in ranked[:max(3, len(ranked) // 5)]]
        return {name: [smoothing + sum(1 for e in elite if e.get(name) == v) for v in vals]
                for name, vals in self.values.items()}

    def effects(self, within: dict | None = None) -> list:
        """Per dimension, how strongly its elite mode predicts a low margin among the scored configurations that
        agree with ``within``: the Mann-Whitney probability that a configuration with the mode scores lower
        than one without (ties count half).  Sorted strongest first as (probability, name, mode).  A dimension
        on which the margins truly turn (the depth; then, at that depth, the point source) scores near 1; one
        whose elite mode is an accident of the margin's scale (d_in = 1 because small inputs give small
        bounds) scores near 1/2."""
        within = within or {}
        scored = self._agreeing(within)
        counts = self._elite_counts(0.0, within)
        out = []
        for name, vals in self.values.items():
            if name in self._ignore or name in within:
                continue
            c = counts[name]
            if not sum(c):
                continue
            mode = vals[c.index(max(c))]
            inside = [x for x, r in scored if r.get(name) == mode]
            outside = [x for x, r in scored if name in r and r[name] != mode]
            if not inside or not outside:
                continue
            # U of (outside, inside) / (n m) = P(outside > inside) + P(tie) / 2
            u = mannwhitneyu(outside, inside, method="asymptotic").statistic
            out.append((float(u) / (len(inside) * len(outside)), name, mode))
        return sorted(out, reverse=True)

    def strong_chain(self, strong: float = 0.75, min_points: int = 8) -> dict:
        """Dimensions fixed one at a time, each the strongest effect (>= ``strong``) among the scored
        configurations that agree with those fixed before it (a greedy decision-tree split on the margins),
        while at least ``min_points`` configurations remain."""
        fixed: dict = {}
        while True:
            if len(self._agreeing(fixed)) < min_points:
                return fixed
            ranked = self.effects(fixed)
            if not ranked or ranked[0][0] < strong:
                return fixed
            fixed[ranked[0][1]] = ranked[0][2]

    def _strong_subspace_sample(self, tries: int = 200) -> dict | None:
        """A uniformly random uncovered configuration of the subspace where the first k dimensions of
        :meth:`strong_chain` sit at their modes, k cycling 1, 2, 3 (or as many as the chain has): the dimensions
        whose effect is weak stay free, because a weak effect is where an interaction (the needle that every
        one-step move scores as worse) hides; sampling them uniformly, not in size order, reaches every part of
        the subspace at the same rate."""
        chain = list(self.strong_chain().items())
        if not chain:
            return None
        self._strong_turns += 1
        k = 1 + self._strong_turns % min(3, len(chain))
        fixed = dict(chain[:k])
        for _ in range(tries):
            config = {name: fixed.get(name, self._rng.choice(vals)) for name, vals in self.values.items()}
            if not self.covered(config, self._ignore):
                return config
        return None

    def _walk(self) -> dict | None:
        """One step of a restarted local descent (first improvement): propose an uncovered neighbour of the
        walker's configuration (one dimension moved one or two places); move there when it scored lower;
        restart from a random configuration of the strong subspace when every neighbour is covered.  Unlike
        :meth:`_best_neighbour`, which descends from the best configuration seen (the basin of a deceptive
        elite), walkers restarted elsewhere descend into other basins."""
        if self._walker is not None and self._walk_pending is not None:
            score = self._score_of(self._walk_pending)
            if score is not None and score < self._walker[0]:
                self._walker = (score, self._walk_pending)
        self._walk_pending = None
        if self._walker is not None:
            nbs = self._neighbours(self._walker[1])
            self._rng.shuffle(nbs)
            for nb in nbs:
                config = self._complete(nb)
                if not self.covered(config, self._ignore):
                    self._walk_pending = config
                    return config
        start = self._strong_subspace_sample() or self._random_uncovered()
        self._walker = None
        if start is not None:
            self._walk_pending = start
            self._walker = (math.inf, start)
        return start

    def _score_of(self, config: dict) -> float | None:
        """The score of the scored configuration generated from ``config`` (its reads agree), if any."""
        for score, reads in reversed(self.scored):
            if _generated_from(reads, config):
                return score
        return None

    def _elite_sample(self, tries: int = 50) -> dict | None:
        """A configuration drawn from the per-dimension value frequencies of the best-scoring fifth."""
        weights = self._elite_counts()
        for _ in range(tries):
            config = {name: self._rng.choices(vals, weights[name])[0] for name, vals in self.values.items()}
            if not self.covered(config, self._ignore):
                return config
        return None

    def _next_small(self) -> dict | None:
        names = sorted(self.values)
        if self._version != len(names):  # new dimensions: restart from the smallest size (covered ones skip)
            self._version, self._size, self._queue = len(names), 0, []
        while True:
            while self._queue:
                config = self._queue.pop()
                if not self.covered(config):
                    return config
            if self._size > self.max_size:
                return None
            caps = [len(self.values[n]) for n in names]
            rng = random.Random(self.seed * 1_000_003 + self._size)
            level = []
            for k, idx in enumerate(_compositions(self._size, caps)):  # reservoir sample of huge levels
                if k < MAX_LEVEL:
                    level.append(idx)
                elif (j := rng.randrange(k + 1)) < MAX_LEVEL:
                    level[j] = idx
            rng.shuffle(level)
            self._queue = [dict(zip(names, (self.values[n][i] for n, i in zip(names, idx)))) for idx in level][::-1]
            self._size += 1

    def _best_neighbour(self) -> dict | None:
        """The best-scored configuration's nearest uncovered neighbour (one dimension moved one or two places)."""
        while self._frontier:
            config = self._complete(heapq.heappop(self._frontier)[2])
            if not self.covered(config, self._ignore):
                return config
        return None

    def _neighbours(self, reads: dict) -> list[dict]:
        out = []
        for name, value in reads.items():
            vals = self.values.get(name)
            if not vals or value not in vals:
                continue
            i = vals.index(value)
            for j in (i - 1, i + 1, i + 2, i - 2):
                if 0 <= j < len(vals):
                    out.append({**reads, name: vals[j]})
        return out

    def _complete(self, config: dict) -> dict:
        """Dimensions the neighbour does not mention (learned later) get a random value."""
        return {name: config[name] if name in config else self._rng.choice(vals)
                for name, vals in self.values.items()} | {k: v for k, v in config.items()}

    def _random_uncovered(self, tries: int = 200) -> dict | None:
        for _ in range(tries):
            config = {name: self._rng.choice(vals) for name, vals in self.values.items()}
            if not self.covered(config):
                return config
        return None
