"""The dashboard's Jinja environment: templates from the package, autoescaping on, and display filters."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined

SAFE_SCHEMES = ("http", "https")


def template_environment() -> Environment:
    """Templates of ``service.web.dashboard``; every value is HTML-escaped (titles and sentences come from feeds)."""
    env = Environment(
        loader=PackageLoader("service.web.dashboard", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["http_url"] = http_url
    env.filters["when"] = when
    env.filters["day"] = day
    env.filters["iso"] = iso
    env.filters["ago"] = ago
    env.filters["every"] = every
    return env


def http_url(value: str | None) -> str | None:
    """``value`` if it is an absolute http(s) URL, else None: a feed's ``javascript:`` link is never rendered."""
    if not value:
        return None
    candidate = value.strip()
    if any(ord(char) < 33 or ord(char) == 127 for char in candidate):
        return None
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    return candidate if parts.scheme.lower() in SAFE_SCHEMES and parts.netloc else None


def _moment(value: str | datetime | None) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def when(value: str | datetime | None) -> str:
    """A moment for people: ``2 Jun 2025, 14:05 UTC``; an unreadable value is shown as it is."""
    moment = _moment(value)
    if moment is None:
        return "" if value is None else str(value)
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


def day(value: str | datetime | None) -> str:
    """The day of a moment: ``2 Jun 2025``."""
    moment = _moment(value)
    return f"{moment.day} {moment:%b %Y}" if moment else ""


def iso(value: str | datetime | None) -> str:
    """A moment as ISO 8601 in UTC, for ``<time datetime>``."""
    moment = _moment(value)
    return moment.isoformat(timespec="seconds") if moment else ""


def ago(value: str | datetime | None, now: datetime) -> str:
    """How long before ``now``: ``3 days ago``, ``in 5 min`` for a moment still ahead."""
    moment = _moment(value)
    if moment is None:
        return ""
    seconds = int((now - moment).total_seconds())
    phrase = _span(abs(seconds))
    if phrase == "just now":
        return phrase if seconds >= 0 else "in under a minute"
    return f"{phrase} ago" if seconds >= 0 else f"in {phrase}"


def _span(seconds: int) -> str:
    for size, unit in ((365 * 86400, "year"), (30 * 86400, "month"), (86400, "day"), (3600, "hour"), (60, "min")):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}" + ("s" if count > 1 and unit != "min" else "")
    return "just now"


def every(seconds: int) -> str:
    """A polling interval: ``every 10 min``."""
    if seconds < 60:
        return f"every {seconds} s"
    phrase = _span(seconds)
    return "every " + ({"1 min": "minute"}.get(phrase) or phrase.removeprefix("1 "))
