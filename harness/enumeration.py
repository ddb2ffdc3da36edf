"""Small-scope enumeration of an instance space's discrete dimensions (see :mod:`strategies.discrete`).

A configuration pins every known dimension to one of its values; its *size* is the sum of the values'
positions (0 = the simplest value).  :class:`Enumerator` hands out configurations in two stages:

1. **small scope**: every configuration in increasing size (shuffled within a size by a seeded generator, so
   that no corner is always last), until a share of the budget is spent -- most false claims fail first at
   small sizes;
2. **margin-guided**: every evaluated configuration has a score (its margin, oriented so that smaller is
   closer to a finding).  Picks cycle through (a) a draw from the *elite distribution* -- per dimension,
   the frequencies of its values among the best-scoring fifth of the configurations so far, smoothed (the
   cross-entropy method: it learns "star points, one hidden layer, much wider than n" from the margins and
   then samples the remaining dimensions, where the interaction that breaks a claim often hides), (b) the
   next configuration of the subspace the elite agrees on (its confident dimensions fixed, the others
   enumerated in increasing size), (c) a neighbour of the best configuration (one dimension moved one or two positions: local descent), and
   (d) a uniformly random configuration, so that a plateau never traps the search.

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

    def covered(self, config: dict) -> bool:
        return any(all(k in config and config[k] == v for k, v in reads.items()) for reads in self.visited)

    # ---- configurations --------------------------------------------------------------------------------
    @property
    def max_size(self) -> int:
        return sum(len(v) - 1 for v in self.values.values())

    def space_size(self) -> int:
        return math.prod(len(v) for v in self.values.values())

    def next(self) -> dict | None:
        """The next configuration not yet covered, or None when the space is exhausted."""
        self.picks += 1
        if self.picks <= self.small_scope:
            config = self._next_small()
            if config is not None:
                return config
        turn = self.picks % 4
        if turn == 0 and self.scored:
            config = self._elite_sample()
            if config is not None:
                return config
        if turn == 1 and self.scored:
            config = self._elite_enumeration()
            if config is not None:
                return config
        if turn == 2:
            while self._frontier:
                config = self._complete(heapq.heappop(self._frontier)[2])
                if not self.covered(config):
                    return config
        return self._random_uncovered() or self._next_small()

    def _elite_counts(self, smoothing: float = 0.5) -> dict:
        """Per dimension, the smoothed counts of its values among the best-scoring fifth of the configurations."""
        ranked = sorted(self.scored, key=lambda t: t[0])
        elite = [reads for _, reads in ranked[:max(3, len(ranked) // 5)]]
        return {name: [smoothing + sum(1 for e in elite if e.get(name) == v) for v in vals]
                for name, vals in self.values.items()}

    def _elite_enumeration(self, share: float = 0.6) -> dict | None:
        """Fix every dimension whose elite mode holds >= ``share`` of the elite (what the margins have learned)
        and enumerate the others in increasing size: the needle that local moves cannot reach (every single
        step away from the elite's mode looks worse) is found by covering the remaining small subspace."""
        counts = self._elite_counts(smoothing=0.0)
        confident = []  # (confidence, name, mode)
        for name, c in counts.items():
            total = sum(c)
            if total and max(c) >= share * total:
                confident.append((max(c) / total, name, self.values[name][c.index(max(c))]))
        confident.sort()
        while True:  # an exhausted subspace releases its least confident dimension
            fixed = {name: mode for _, name, mode in confident}
            free = sorted(n for n in self.values if n not in fixed)
            caps = [len(self.values[n]) for n in free]
            for size in range(sum(c - 1 for c in caps) + 1):
                for idx in _compositions(size, caps):
                    config = {**fixed, **{n: self.values[n][i] for n, i in zip(free, idx)}}
                    if not self.covered(config):
                        return config
            if not confident:
                return None
            confident.pop(0)

    def _elite_sample(self, tries: int = 50) -> dict | None:
        """A configuration drawn from the per-dimension value frequencies of the best-scoring fifth."""
        weights = self._elite_counts()
        for _ in range(tries):
            config = {name: self._rng.choices(vals, weights[name])[0] for name, vals in self.values.items()}
            if not self.covered(config):
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
