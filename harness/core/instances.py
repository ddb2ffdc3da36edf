"""Instances as plain JSON: the registry of instance types that replay files can rebuild.

Every model family's instance serialises to plain JSON (floats round-trip exactly through ``repr``), so that
every counterexample and witness can be replayed from its file.
"""
from __future__ import annotations


def instance_to_dict(inst) -> dict:
    if hasattr(inst, "to_dict"):
        return inst.to_dict()
    return {"type": "repr", "repr": repr(inst)}


#: Instance types that replay files can rebuild: type name -> ``from_dict``.  Model families register theirs
#: (``register_instance_type``) so that ``landscape-audit replay`` works for every kind of instance.
INSTANCE_TYPES: dict = {}


#: The module that defines (and registers) each instance type of the engine, imported when a replay needs it,
#: so that ``instance_from_dict`` works without the catalogue loaded.
INSTANCE_MODULES = {"NetInstance": "harness.models.mlp", "LinearInstance": "harness.models.linear",
                    "TwoLayerInstance": "harness.models.two_layer", "ReluRegion": "harness.models.relu", "DeepRegion": "harness.models.relu"}


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
