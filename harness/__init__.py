"""landscape-audit engine: claims, models, numerics, runner.

Importing :mod:`harness` switches JAX to float64 before any array is made (numerics policy).
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

from harness.claims import Assumption, Claim, Paper, claim, registry  # noqa: E402
from harness.evidence import Evidence, Inconclusive  # noqa: E402

__all__ = ["Assumption", "Claim", "Paper", "claim", "registry", "Evidence", "Inconclusive"]
