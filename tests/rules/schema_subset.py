"""A validator for the part of JSON Schema that pydantic emits for the rule models.

The project has no JSON Schema library; this covers what the rule schema uses (``$ref``, ``anyOf``,
``type``, ``properties``, ``required``, ``additionalProperties``, ``items``, ``enum``, ``minimum``,
``minItems``, ``pattern``) so the tests can check that an editor would accept or flag a document.
"""

from __future__ import annotations

import re
from typing import Any

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


def problems(schema: dict[str, Any], document: Any) -> list[str]:
    """Where ``document`` breaks ``schema``, as ``path: reason`` strings (empty when it conforms)."""
    return _check(schema, schema, document, "$")


def _check(root: dict[str, Any], schema: dict[str, Any], value: Any, path: str) -> list[str]:
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        return _check(root, root["$defs"][name], value, path)
    if "anyOf" in schema:
        results = [_check(root, option, value, path) for option in schema["anyOf"]]
        return [] if any(not found for found in results) else [f"{path}: matches no allowed form"]
    expected = schema.get("type")
    if expected is not None:
        is_bool = isinstance(value, bool)
        if not isinstance(value, _TYPES[expected]) or (is_bool and expected in ("integer", "number")):
            return [f"{path}: should be {expected}"]
    found: list[str] = []
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{path}: not one of {schema['enum']}")
    if "minimum" in schema and value < schema["minimum"]:
        found.append(f"{path}: below {schema['minimum']}")
    if "pattern" in schema and not re.search(schema["pattern"], value):
        found.append(f"{path}: does not match {schema['pattern']}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            found.append(f"{path}: too few items")
        for index, item in enumerate(value):
            found += _check(root, schema.get("items", {}), item, f"{path}[{index}]")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        found += [f"{path}: missing {key}" for key in schema.get("required", []) if key not in value]
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in properties:
                found += _check(root, properties[key], item, f"{path}.{key}")
            elif extra is False:
                found.append(f"{path}: unknown key {key}")
            elif isinstance(extra, dict):
                found += _check(root, extra, item, f"{path}.{key}")
    return found
