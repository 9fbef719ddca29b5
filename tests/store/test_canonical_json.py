"""The canonical JSON every hash covers is byte for byte what it always was, whichever encoder writes it.

Existing logs were hashed over the standard library's ``json.dumps(sort_keys=True, separators=(",", ":"),
ensure_ascii=False)``; ``canonical_json`` writes most values with orjson, which differs on floats, NaN
and types the standard library refuses. Any difference would make `vigil verify` fail on an old log.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import math
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.store.hashing import canonical_json


def _standard(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)  # JSON has no NaN: see the test at the end
    | st.text()
    | st.sampled_from(['"', "\\", '\\"', 'a"b', "12:00.000000", "true", "null", "1e-05", "\u2028", "\x00", "\x7f"])
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=500, deadline=None)
@given(_VALUES)
def test_any_json_value_gives_the_standard_librarys_text(value: Any) -> None:
    assert canonical_json(value) == _standard(value)


@pytest.mark.parametrize(
    "value",
    [
        {"a": 1e-05},  # orjson writes 0.00001
        {"a": 1.5e-05, "b": "x"},
        {"a": 1e16},
        {"a": None},
        {"a": 2**64},  # beyond orjson's integers
        {"t": "12:00:00.000000+00:00", "n": 3},  # a float-looking string beside an integer
        {"q": 'he said "1.5"', "n": 1},
        {"q": "ends with a backslash\\", "x": 0.5},
        {"true": True, "false": False, "n": -12},
        [1, "two", [3.0]],
        {},
        [],
        "text",
        7,
    ],
    ids=lambda value: repr(value)[:40],
)
def test_values_orjson_writes_differently_keep_their_old_text(value: Any) -> None:
    assert canonical_json(value) == _standard(value)


class _Colour(enum.IntEnum):
    RED = 1


class _Name(str):
    pass


@dataclasses.dataclass
class _Point:
    x: int


def test_subclasses_are_written_as_the_standard_library_writes_them() -> None:
    assert canonical_json({"c": _Colour.RED, "n": _Name("x")}) == _standard({"c": _Colour.RED, "n": _Name("x")})


@pytest.mark.parametrize(
    "value", [{"at": datetime(2025, 1, 1, tzinfo=UTC)}, {"p": _Point(1)}, {1: "int key", "a": 2}],
    ids=["datetime", "dataclass", "mixed-keys"],
)
def test_what_the_standard_library_refuses_is_still_refused(value: Any) -> None:
    with pytest.raises(TypeError):
        _standard(value)
    with pytest.raises(TypeError):
        canonical_json(value)


@pytest.mark.parametrize("value", [{"a": math.nan}, {"a": [1, math.inf]}, {"a": {"b": -math.inf}}])
def test_nan_and_infinities_are_refused_not_written_as_text_no_reader_takes_back(value: Any) -> None:
    # json.dumps writes NaN, which is not JSON: a SQLite log holding it failed every later read (orjson
    # refuses it) and PostgreSQL's JSONB refused the insert. The store now refuses such an event.
    with pytest.raises(ValueError, match="Out of range float"):
        canonical_json(value)
