"""The tamper-evident chain: each event's hash covers the previous hash and the event's canonical bytes."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from typing import Any

#: The ``prev_hash`` of the very first event.
GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: the same value always gives the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


#: JSON writes U+0000 as the escape \u0000. One preceded by an even number of backslashes is that escape,
#: not an escaped backslash followed by the text "u0000".
_NUL_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


def holds_nul(json_text: str) -> bool:
    """Whether JSON text holds a NUL character (U+0000) in a key or a string value."""
    return "\\u0000" in json_text and _NUL_ESCAPE.search(json_text) is not None


def timestamp_text(moment: datetime) -> str:
    """The UTC, microsecond ISO form of a timestamp, as hashed (naive values are taken as UTC)."""
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
    digest = hashlib.sha256()
    digest.update(prev_hash.encode())
    digest.update(
        f"\x1f{position}\x1f{stream_id}\x1f{stream_version}\x1f{event_type}\x1f{schema_version}"
        f"\x1f{data_json}\x1f{metadata_json}\x1f{recorded_at}".encode()
    )
    return digest.hexdigest()
