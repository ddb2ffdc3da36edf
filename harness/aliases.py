"""Where the engine's modules were before they moved into sub-packages, so that a researcher's conjecture file
written against an older README keeps working.

``import harness.model`` (or ``from harness import exact``) finds a small alias module that hands every
attribute on from the module(s) it moved to and warns once, at import, with :class:`MovedModuleWarning` (a
``FutureWarning``, shown by default) naming the new place.  The table below is the whole compatibility surface;
the project's own code imports the new names only (a test holds it to that).
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
import warnings


class MovedModuleWarning(FutureWarning):
    """An old module name of the engine was imported; the message names the new one."""


#: old module name -> the modules its names now live in (the first that has a name wins).
MOVED: dict[str, tuple[str, ...]] = {
    "harness.claims": ("harness.core.claims",),
    "harness.evidence": ("harness.core.evidence",),
    "harness.results": ("harness.core.results",),
    "harness.profiles": ("harness.core.profiles",),
    "harness.instance": ("harness.core.instances", "harness.models.mlp"),
    "harness.exact": ("harness.numerics.exact",),
    "harness.optimise": ("harness.numerics.optimise",),
    "harness.determinantal": ("harness.numerics.determinantal",),
    "harness.model": ("harness.models.mlp", "harness.numerics.precision"),
    "harness.precise": ("harness.models.mlp_precise",),
    "harness.architecture": ("harness.models.architecture",),
    "harness.activations": ("harness.models.activations",),
    "harness.losses": ("harness.models.losses",),
    "harness.population": ("harness.models.population",),
    "harness.relu": ("harness.models.relu",),
    "harness.paths": ("harness.certificates.paths",),
    "harness.proportion": ("harness.statistics.proportion",),
    "harness.reproductions": ("harness.statistics.reproductions",),
    "harness.runner": ("harness.engine.runner",),
    "harness.enumeration": ("harness.engine.enumeration",),
    "harness.certify": ("harness.engine.certify",),
    "harness.audit": ("harness.engine.audit", "harness.engine.progress"),
    "harness.distributed": ("harness.engine.distributed",),
    "harness.runstate": ("harness.engine.runstate",),
    "harness.timeouts": ("harness.engine.timeouts",),
    "harness.mutants": ("harness.engine.mutants",),
    "harness.progress": ("harness.app.console",),
    "harness.cli": ("harness.app.cli",),
}


class _Alias(types.ModuleType):
    """A module that forwards attribute lookups to the modules its names moved to."""

    def __init__(self, name: str, targets: tuple[str, ...]):
        super().__init__(name, f"moved to {', '.join(targets)}")
        self.__moved_to__ = targets

    def __getattr__(self, attr: str):
        if attr.startswith("__"):
            raise AttributeError(attr)
        for target in self.__moved_to__:
            module = importlib.import_module(target)
            if hasattr(module, attr):
                return getattr(module, attr)
        raise AttributeError(f"module {self.__name__!r} (moved to {', '.join(self.__moved_to__)}) "
                             f"has no attribute {attr!r}")

    def __dir__(self):
        names = set()
        for target in self.__moved_to__:
            names.update(dir(importlib.import_module(target)))
        return sorted(names)


class _Loader(importlib.abc.Loader):
    def create_module(self, spec):
        return _Alias(spec.name, MOVED[spec.name])

    def exec_module(self, module):
        targets = MOVED[module.__name__]
        warnings.warn(f"{module.__name__} has moved to {' and '.join(targets)}; import it from there "
                      f"(the old name keeps working for now)", MovedModuleWarning, stacklevel=_stacklevel())


def _stacklevel() -> int:
    """The frame of the import statement that asked for the old name (outside importlib and this module)."""
    frame, level = sys._getframe(1), 1
    while frame is not None and (frame.f_code.co_filename.startswith("<frozen")
                                 or frame.f_code.co_filename == __file__):
        frame, level = frame.f_back, level + 1
    return level


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname in MOVED:
            return importlib.machinery.ModuleSpec(fullname, _Loader())
        return None


def install() -> None:
    """Put the finder on ``sys.meta_path`` (idempotent)."""
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.append(_Finder())
