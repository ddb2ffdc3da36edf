"""landscape-audit: property-based testing of claims about neural-network loss landscapes.

The public names a conjecture file needs are here (``claim``, ``Paper``, ``Assumption``, ``Evidence``,
``Inconclusive``, ``registry``); the sub-packages, from the bottom layer up:

* :mod:`harness.core`: claims, evidence, profiles, results, seeds, instance serialisation;
* :mod:`harness.numerics`: gap-ruled ranks and inertia, exact arithmetic, precision switching, optimisers;
* :mod:`harness.models`: the model families (MLP, linear, two-layer, ReLU regions, population losses), losses;
* :mod:`harness.certificates`: path and barrier certificates;
* :mod:`harness.statistics`: Clopper-Pearson decisions, reproductions of the papers' experiments;
* :mod:`harness.engine`: the search, re-verification, claim kinds, work units, in-process and Dask engines;
* :mod:`harness.app`: the command line and the pytest plugin (the only place that loads the catalogue and
  writes reports).

Importing :mod:`harness` switches JAX to float64 before any array is made (numerics policy).  Modules that
moved keep their old names as warning aliases (:mod:`harness.aliases`).
"""
import os

os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")

import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)
# Compiled functions persist across processes (pytest-xdist workers, repeated audits): JAX's own cache.
_cache = os.environ.get("LANDSCAPE_AUDIT_JAX_CACHE", os.path.join(os.path.expanduser("~"), ".cache",
                                                                 "landscape-audit", "jax"))
if _cache and _cache.lower() != "off":
    jax.config.update("jax_compilation_cache_dir", _cache)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)

from harness import aliases as _aliases  # noqa: E402
from harness.core.claims import Assumption, Claim, Paper, claim, registry  # noqa: E402
from harness.core.evidence import Evidence, Inconclusive  # noqa: E402

_aliases.install()


def __getattr__(name: str):
    """``harness.exact`` and the other old module names, as attributes (through their warning aliases)."""
    if f"harness.{name}" in _aliases.MOVED:
        import importlib

        return importlib.import_module(f"harness.{name}")
    raise AttributeError(f"module 'harness' has no attribute {name!r}")

__all__ = ["Assumption", "Claim", "Paper", "claim", "registry", "Evidence", "Inconclusive"]
