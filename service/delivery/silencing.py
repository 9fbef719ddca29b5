"""Adding and ending silences, from the command line and the API: each is an event on a ``silence:<id>`` stream.

Everything is checked before anything is written: exactly one matcher, a name the log knows (an item or
a tag of the rules recorded last, a subscriber), an end still ahead, a reason that fits on one line. A
check that fails raises SilenceError with one line naming the value at fault, and nothing is recorded.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import Connection

from service.delivery.route import read_subscribers
from service.delivery.silences import MATCHERS, Silence, rule_items, silence
from service.events.catalog import SilenceAdded, SilenceExpired
from service.rules.durations import parse_duration
from service.rules.subscriber_limits import line_problem
from service.store.hashing import timestamp_text
from service.store.recorder import EventStore
from service.store.records import NewEvent

#: At most this many characters in a silence's reason.
MAX_REASON = 500


class SilenceError(ValueError):
    """A silence that cannot be added or ended; the message names the value at fault."""


class SilenceNotFound(SilenceError):
    """No silence has the id given."""


def parse_until(value: str, now: datetime) -> datetime:
    """A silence's end: a duration from ``now`` (``90m``, ``2h``, ``1d``) or an ISO-8601 time (UTC unless it
    carries an offset). SilenceError when it is neither, or not after ``now``."""
    try:
        until = now + parse_duration(value)
    except ValueError:
        try:
            until = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise SilenceError(
                f"--until {value!r} is neither a time (2026-12-04T18:00Z) nor a duration (90m, 2h, 1d)"
            ) from None
        until = until if until.tzinfo else until.replace(tzinfo=UTC)
    except OverflowError:
        raise SilenceError(f"--until {value!r} is too far ahead") from None
    if until <= now:
        raise SilenceError(f"--until {value!r} is not in the future ({timestamp_text(until)} <= now, "
                           f"{timestamp_text(now)})")
    return until


def add_silence(store: EventStore, matchers: dict[str, str | None], until: str, reason: str, *,
                now: datetime | None = None, origin: str = "cli") -> Silence:
    """Check and record a silence; ``matchers`` maps ``item``/``tag``/``subscriber`` to a name (one given).

    Returns the silence as recorded; SilenceError (nothing written) when something is wrong."""
    now = now or datetime.now(UTC)
    given = {kind: value for kind, value in matchers.items() if value is not None}
    if len(given) != 1 or not set(given) <= set(MATCHERS):
        raise SilenceError("give exactly one of --item, --tag or --subscriber")
    [(matcher, value)] = given.items()
    end = parse_until(until, now)
    problem = line_problem("silence reason", reason, MAX_REASON)
    if problem:
        raise SilenceError(problem)
    event = SilenceAdded(silence_id=f"sil-{secrets.token_hex(6)}", matcher=matcher, value=value,
                         until=timestamp_text(end), reason=reason, origin=origin)
    with store.transaction() as tx:
        _require_known(tx.connection, matcher, value)
        tx.append(f"silence:{event.silence_id}", [NewEvent(SilenceAdded.TYPE, event.to_data())], expected_version=0)
        added = silence(tx.connection, event.silence_id)
    assert added is not None  # the projection wrote it in the same transaction
    return added


def expire_silence(store: EventStore, silence_id: str, *, now: datetime | None = None,
                   origin: str = "cli") -> Silence:
    """End an active silence now; SilenceError (nothing written) when there is none of that id, or it has ended."""
    now = now or datetime.now(UTC)
    with store.transaction() as tx:
        found = silence(tx.connection, silence_id)
        if found is None:
            raise SilenceNotFound(f"no silence with id {silence_id!r} (`vigil silence list` shows them)")
        state = found.state(now)
        if state != "active":
            when = found.expired_at if state == "expired" else found.until
            raise SilenceError(f"silence {silence_id} has already ended ({state} at {when})")
        tx.append(f"silence:{silence_id}",
                  [NewEvent(SilenceExpired.TYPE, SilenceExpired(silence_id=silence_id, origin=origin).to_data())])
        ended = silence(tx.connection, silence_id)
    assert ended is not None
    return ended


def _require_known(conn: Connection, matcher: str, value: str) -> None:
    note = ""
    if matcher == "subscriber":
        known = sorted(read_subscribers(conn))
    else:
        items = rule_items(conn)
        known = sorted(items) if matcher == "item" else sorted({tag for tags in items.values() for tag in tags})
        if not items:
            note = "; the store has recorded no rules yet: run `vigil run` or `vigil run --once` first"
    if value not in known:
        raise SilenceError(f"unknown {matcher} {value!r} (known: {', '.join(known) or 'none'}{note})")
