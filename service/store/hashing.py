"""The tamper-evident chain: each event's hash covers the previous hash and the event's canonical bytes."""

from __future__ import annotations

import hashlib
import json
import math
import re
from datetime import UTC, datetime
from typing import Any

import orjson

#: The ``prev_hash`` of the very first event.
GENESIS = "0" * 64

#: The canonical form, as every hash in every log was made: the standard library's JSON with sorted keys,
#: no spaces and non-ASCII characters as they are.
_STANDARD = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode
#: orjson writes the same text for strings, integers, booleans, lists and objects with string keys, ~10x
#: faster; it differs for floats (1e-05 is "0.00001"), NaN (null) and types the standard library refuses
#: (datetimes, dataclasses, subclasses: passed through here so that orjson refuses them too).
_FAST_OPTIONS = (
    orjson.OPT_SORT_KEYS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)
_STRUCTURE = b"{}[]:,-0123456789"


class NonFiniteNumber(ValueError):
    """A value holds NaN or an infinity, which JSON has no number for."""


def _standard(value: Any) -> str:
    try:
        return _STANDARD(value)
    except ValueError:
        if _holds_non_finite(value):
            raise NonFiniteNumber("Out of range float values are not JSON compliant: NaN or an infinity") from None
        raise


def _holds_non_finite(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(_holds_non_finite(inner) for inner in value.values())
    if isinstance(value, list | tuple):
        return any(_holds_non_finite(inner) for inner in value)
    return False


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: the same value always gives the same text.

    The text is byte for byte the standard library's ``json.dumps(value, sort_keys=True,
    separators=(",", ":"), ensure_ascii=False)`` (existing logs were hashed over it). orjson writes it when
    the value holds no float and no null, which its output shows outside its strings; otherwise the
    standard library does. NonFiniteNumber for NaN or an infinity: JSON has no such number (the standard
    library would write ``NaN``, which no JSON reader takes back).
    """
    if type(value) is dict and not value:
        return "{}"
    try:
        text = orjson.dumps(value, option=_FAST_OPTIONS)
    except orjson.JSONEncodeError:
        return _standard(value)
    # With no escaped quote, splitting on quotes puts every string at an odd index. What is left is
    # brackets, separators, integers, true and false, unless a float or a null was written.
    if b'\\"' not in text:
        outside = b"".join(text.split(b'"')[::2]).replace(b"true", b"").replace(b"false", b"")
        if not outside.translate(None, _STRUCTURE):
            return text.decode()
    return _standard(value)


#: JSON writes U+0000 as the escape \u0000. One preceded by an even number of backslashes is that escape,
#: not an escaped backslash followed by the text "u0000".
_NUL_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


def holds_nul(json_text: str) -> bool:
    """Whether JSON text holds a NUL character (U+0000) in a key or a string value."""
    return "\\u0000" in json_text and _NUL_ESCAPE.search(json_text) is not None


def timestamp_text(moment: datetime) -> str:
    """The UTC, microsecond ISO form of a timestamp, as hashed (naive values are taken as UTC)."""
    if moment.tzinfo is UTC:  # the store's clock: already what is hashed
        return moment.isoformat(timespec="microseconds")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def chain_hash(
    prev_hash: str,
    *,
    position: int,
    stream_id: str,
    stream_version: int,
    event_type: str,
    schema_version: int,
    data_json: str,
    metadata_json: str,
    recorded_at: str,
) -> str:
    """SHA-256 over the previous hash and this event's canonical fields."""
    return link_hash(prev_hash, position, stream_id, stream_version, event_type, schema_version, data_json,
                     metadata_json, recorded_at)


def link_hash(prev_hash: str, position: int, stream_id: str, stream_version: int, event_type: str,
              schema_version: int, data_json: str, metadata_json: str, recorded_at: str) -> str:
    """``chain_hash`` with positional arguments, for the append loop (one text, one digest)."""
    return hashlib.sha256(
        f"{prev_hash}\x1f{position}\x1f{stream_id}\x1f{stream_version}\x1f{event_type}\x1f{schema_version}"
        f"\x1f{data_json}\x1f{metadata_json}\x1f{recorded_at}".encode()
    ).hexdigest()
