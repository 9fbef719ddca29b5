"""A guard's refusal: which guard, which cue, and why, in words a rule author reads in ``vigil explain``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    """Why a match is not evidence: the guard ("negation", "hedge", "background"), the cue, a readable reason."""

    guard: str
    cue: str
    reason: str
