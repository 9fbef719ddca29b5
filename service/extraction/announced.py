"""What a ``{date}`` span reads as, in any language: the day it names and how much of the span named it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

#: How far back a day and month without a year may lie and still be this year's (see dates.py).
RECENT_PAST = timedelta(days=30)


@dataclass(frozen=True)
class AnnouncedDate:
    """The day a span names, and how many characters of the span named it (the rest is other words)."""

    day: date
    end: int
