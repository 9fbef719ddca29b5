"""Deterministic alert ids, derived from the rule and the event that triggered it."""

from __future__ import annotations

import hashlib

PREFIX = "al-"
_DIGITS = 16  # 64 bits: collisions would need billions of alerts


def alert_id(rule_name: str, trigger_position: int) -> str:
    """The id of the alert ``rule_name`` raises for the event at ``trigger_position``.

    The same inputs always give the same id, so reprocessing a change can never raise a second alert
    (the alert's stream already exists). A separator keeps ``("a1", 2)`` and ``("a", 12)`` apart.
    """
    digest = hashlib.sha256(f"{rule_name}\x1f{trigger_position}".encode()).hexdigest()
    return PREFIX + digest[:_DIGITS]
