"""Instances: a network problem (architecture, activation, data) and a parameter point with its provenance.

Instances serialise to plain JSON (floats round-trip exactly through ``repr``) so that every counterexample
and witness can be replayed from its file.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from harness.architecture import Architecture
from harness.evidence import jsonable
from harness.model import Problem


@dataclass(frozen=True, eq=False)
class NetInstance:
    """Data (X, Y), a network (arch, activation) and a point theta.

    ``point`` records where theta came from: ``{"source": "star-locus", "K": [2], ...}``,
    ``{"source": "optimised", "refined": True, "grad_rel": 3e-15}`` and so on.
    """

    arch: Architecture
    activation: str
    X: np.ndarray = field(repr=False)
    Y: np.ndarray = field(repr=False)
    theta: np.ndarray = field(repr=False)
    point: dict = field(default_factory=dict)

    @cached_property
    def problem(self) -> Problem:
        return Problem(self.arch, self.activation, self.X, self.Y)

    @property
    def n(self) -> int:
        return len(self.X)

    @property
    def source(self) -> str:
        return self.point.get("source", "random")

    def with_theta(self, theta, **point) -> "NetInstance":
        return NetInstance(self.arch, self.activation, self.X, self.Y, np.asarray(theta, float),
                           {**self.point, **point})

    # ---- serialisation --------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "type": "NetInstance",
            "arch": {"d_in": self.arch.d_in, "hidden": list(self.arch.hidden), "d_out": self.arch.d_out},
            "activation": self.activation,
            "X": np.asarray(self.X).tolist(),
            "Y": np.asarray(self.Y).tolist(),
            "theta": np.asarray(self.theta).tolist(),
            "point": jsonable(self.point),
        }

    @classmethod
    def from_dict(cls, d: dict) -> "NetInstance":
        a = d["arch"]
        return cls(Architecture(a["d_in"], tuple(a["hidden"]), a["d_out"]), d["activation"],
                   np.array(d["X"], float).reshape(-1, a["d_in"]), np.array(d["Y"], float).reshape(-1, a["d_out"]),
                   np.array(d["theta"], float), d.get("point", {}))

    def describe(self) -> str:
        """Human-readable, minimised form for reports."""
        lines = [
            f"network {self.arch} (d_in-hidden-d_out), activation {self.activation}, n = {self.n}, "
            f"N = {self.arch.n_params} parameters",
            f"point: {', '.join(f'{k}={v}' for k, v in self.point.items()) or 'random'}",
            f"X = {np.array2string(np.asarray(self.X), precision=4, separator=', ')}",
            f"Y = {np.array2string(np.asarray(self.Y), precision=4, separator=', ')}",
        ]
        for j, (W, b) in enumerate(self.arch.unflatten(self.theta), start=1):
            lines.append(f"W{j} = {np.array2string(W, precision=4, separator=', ')}; "
                         f"b{j} = {np.array2string(b, precision=4, separator=', ')}")
        return "\n".join(lines)


def instance_to_dict(inst) -> dict:
    if hasattr(inst, "to_dict"):
        return inst.to_dict()
    return {"type": "repr", "repr": repr(inst)}


#: Instance types that replay files can rebuild: type name -> ``from_dict``.  Model families register theirs
#: (``register_instance_type``) so that ``landscape-audit replay`` works for every kind of instance.
INSTANCE_TYPES: dict = {"NetInstance": NetInstance.from_dict}


#: The module that defines (and registers) each instance type of the engine, imported when a replay needs it,
#: so that ``instance_from_dict`` works without the catalogue loaded.
INSTANCE_MODULES = {"LinearInstance": "harness.models.linear", "TwoLayerInstance": "harness.models.two_layer",
                    "ReluRegion": "harness.relu", "DeepRegion": "harness.relu"}


def register_instance_type(name: str, from_dict) -> None:
    INSTANCE_TYPES[name] = from_dict


def instance_from_dict(d: dict):
    kind = d.get("type")
    if kind not in INSTANCE_TYPES and kind in INSTANCE_MODULES:
        import importlib

        importlib.import_module(INSTANCE_MODULES[kind])  # registers its types
    if kind in INSTANCE_TYPES:
        return INSTANCE_TYPES[kind](d)
    if kind == "repr":
        import ast

        return ast.literal_eval(d["repr"])
    raise ValueError(f"cannot rebuild an instance of type {kind!r}; known: {', '.join(sorted(INSTANCE_TYPES))}")


def describe(inst) -> str:
    return inst.describe() if hasattr(inst, "describe") else repr(inst)
