"""landscape-audit engine: claims, models, numerics, runner.

Importing :mod:`harness` switches JAX to float64 before any array is made (numerics policy).
"""
import os

os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")

import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)

from harness.claims import Assumption, Claim, Paper, claim, registry  # noqa: E402
from harness.evidence import Evidence, Inconclusive  # noqa: E402

__all__ = ["Assumption", "Claim", "Paper", "claim", "registry", "Evidence", "Inconclusive"]
