"""Durations written the way rule authors write them: ``30s``, ``10m``, ``48h``, ``7d``."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_NUMBER = re.compile(r"^\s*\d+(?:\.\d+)?\s*$")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")


def parse_duration(value: object) -> timedelta:
    """Turn ``"10m"`` (or a timedelta) into a timedelta; raise ValueError otherwise.

    A bare number is refused: ``every: 10`` could mean seconds or minutes, so the unit must be written.
    """
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.match(value)):
        number = str(value).strip()
        raise ValueError(f"a duration needs a unit (did you mean '{number}s' or '{number}m'?)")
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            try:
                return timedelta(**{_UNITS[match.group(2)]: float(match.group(1))})
            except OverflowError:
                raise ValueError(f"duration {value!r} is too long") from None
    raise ValueError(f"not a duration: {value!r} (write e.g. 30s, 10m, 48h, 7d)")


def format_duration(value: timedelta) -> str:
    """The shortest exact spelling of a duration, e.g. ``timedelta(hours=48)`` -> ``"2d"``."""
    seconds = int(value.total_seconds())
    for suffix, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{suffix}"
    return f"{seconds}s"


Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^\d+(\.\d+)?[smhdw]$", "examples": ["10m", "48h"]}),
]
