"""Source health: every source of the rules with what the ``source_status`` projection knows of it.

One read model for ``vigil sources``, ``GET /api/sources`` and the dashboard. Nothing here returns a
secret: feed URLs lose their password and secret-looking query values, and so do poll errors.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text

from service.masking.feed_urls import hide_feed_secrets, public_feed_url
from service.rules.models import RuleSet
from service.store.recorder import EventStore

#: Consecutive failures from which a failing source counts as down rather than struggling.
DOWN_AFTER_FAILURES = 3


@dataclass(frozen=True)
class SourceView:
    """A source from the rules with its polling health (``health``: ok, failing or never polled)."""

    source: str
    title: str
    url: str
    every_seconds: int
    health: str
    last_polled_at: str | None = None
    last_success_at: str | None = None
    last_status: int | None = None
    last_error: str | None = None
    last_error_at: str | None = None
    consecutive_failures: int = 0
    entries_seen: int = 0
    next_poll: str | None = None
    problem: str | None = None

    @property
    def down(self) -> bool:
        """Failing for a while, or failing without ever having succeeded: worse than a passing hiccup."""
        if self.health != "failing":
            return False
        return self.consecutive_failures >= DOWN_AFTER_FAILURES or not self.last_success_at


@dataclass(frozen=True)
class FailureCount:
    """A source's consecutive failed polls and its last success (for the metrics)."""

    source: str
    consecutive_failures: int
    last_success_at: str | None


def failure_counts(store: EventStore) -> list[FailureCount]:
    """Every source the ``source_status`` projection knows, by name, with its failures in a row."""
    with store.reading() as conn:
        rows = conn.execute(
            text("SELECT source, consecutive_failures, last_success_at FROM source_status ORDER BY source")
        ).fetchall()
    return [FailureCount(str(source), int(failures or 0), last) for source, failures, last in rows]


def source_health(store: EventStore, rules: RuleSet) -> list[SourceView]:
    """Every source of ``rules``, by name, with what the ``source_status`` projection knows of it."""
    with store.reading() as conn:
        rows = {
            row[0]: row
            for row in conn.execute(
                text(
                    "SELECT source, last_polled_at, last_success_at, last_status, last_error, last_error_at, "
                    "consecutive_failures, entries_seen, next_poll, problem FROM source_status"
                )
            )
        }
    views = []
    for source_id, spec in sorted(rules.sources.items()):
        title = spec.title or source_id
        url = public_feed_url(spec.url)
        every = int(spec.every.total_seconds())
        row = rows.get(source_id)
        if row is None:
            views.append(SourceView(source_id, title, url, every, "never polled"))
            continue
        _, polled, success, status, error, error_at, failures, seen, next_poll, problem = row
        views.append(
            SourceView(
                source=source_id,
                title=title,
                url=url,
                every_seconds=every,
                health="failing" if failures else ("ok" if success else "never polled"),
                last_polled_at=polled,
                last_success_at=success,
                last_status=status,
                last_error=hide_feed_secrets(error, spec.url) if error else None,
                last_error_at=error_at,
                consecutive_failures=failures,
                entries_seen=seen,
                next_poll=next_poll,
                problem=problem,
            )
        )
    return views
