"""The published claim catalogue (the ``properties`` package): loaded here, by the command line and the pytest
plugin, never by the engine."""
from __future__ import annotations

from harness.core.claims import registry

#: The package that holds the published catalogue, one module per paper.
PACKAGE = "properties"


def load_catalogue() -> None:
    """Import every paper module of the catalogue (its claims and reproductions register; idempotent)."""
    registry.load_package(PACKAGE)
