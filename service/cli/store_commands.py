"""Commands on the event store itself: ``db upgrade``, ``events``, ``verify``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click

from service.cli.context import EXIT_INPUT, fail, opened_store, store_errors_are_fatal
from service.delivery.secret_urls import shown_event_data
from service.store.bootstrap import store_database
from service.store.errors import MalformedEvent
from service.store.head import KEY_VARIABLE, Head, current_head, head_mismatch, parse_heads, signing_key
from service.store.migrate import upgrade
from service.store.recorder import EventStore
from service.store.records import RecordedEvent
from service.store.verify import verify_chain


@click.group("db")
def db_group() -> None:
    """Database schema management."""


@db_group.command("upgrade")
@click.pass_context
@store_errors_are_fatal
def db_upgrade(ctx: click.Context) -> None:
    """Apply pending schema migrations (every command also does this on start)."""
    with opened_store(ctx, creates=True, migrate=False) as store:
        before, after = upgrade(store_database(store))
        if before == after:
            click.echo(f"schema is up to date (revision {after})")
        else:
            click.echo(f"schema upgraded from {before or 'empty'} to {after}")


def _event_dict(event: RecordedEvent) -> dict[str, Any]:
    return {
        "position": event.position,
        "stream_id": event.stream_id,
        "stream_version": event.stream_version,
        "type": event.type,
        "schema_version": event.schema_version,
        "recorded_at": event.recorded_at.isoformat(),
        "data": shown_event_data(event.type, event.data),
        "metadata": event.metadata,
        "hash": event.hash,
    }


def _event_line(event: RecordedEvent) -> str:
    summary = json.dumps(shown_event_data(event.type, event.data), ensure_ascii=False, sort_keys=True)
    if len(summary) > 120:
        summary = summary[:117] + "..."
    stamp = event.recorded_at.strftime("%Y-%m-%d %H:%M:%S")
    return f"{event.position:>8}  {stamp}  {event.stream_id}#{event.stream_version}  {event.type}  {summary}"


#: Events a page of `vigil events` shows unless --limit says otherwise.
DEFAULT_PAGE = 50


@click.command("events")
@click.option("--stream", "stream_id", help="Only this stream (e.g. item:ceasefire).")
@click.option("--from", "after", type=int, default=None, help="Only events after this position.")
@click.option("--limit", type=click.IntRange(min=1), default=DEFAULT_PAGE, show_default=True, help="Page size.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_context
@store_errors_are_fatal
def events_command(
    ctx: click.Context, stream_id: str | None, after: int | None, limit: int, as_json: bool
) -> None:
    """List recorded events, newest last, one page at a time.

    Without --from, shows the newest page; with --from N, the page after position N.
    """
    with opened_store(ctx) as store:
        if stream_id:
            events = [e for e in store.read_stream(stream_id) if after is None or e.position > after]
            page = events[:limit] if after is not None else events[-limit:]
            # More means more of what the filters select: the stream's later events, not the log's.
            more = after is not None and len(events) > limit
        else:
            start = after if after is not None else max(0, store.last_position() - limit)
            page = []
            for event in store.read_all(start, batch_size=limit):
                page.append(event)
                if len(page) >= limit:
                    break
            more = bool(page) and page[-1].position < store.last_position()
        for event in page:
            click.echo(json.dumps(_event_dict(event), ensure_ascii=False) if as_json else _event_line(event))
        if more and not as_json:
            # The hint repeats the filters: without them, the next page is another listing.
            hint = f"vigil events --from {page[-1].position}"
            hint += f" --stream {stream_id}" if stream_id else ""
            hint += f" --limit {limit}" if limit != DEFAULT_PAGE else ""
            click.echo(f"... more after position {page[-1].position}: {hint}", err=True)


@click.command("verify")
@click.option(
    "--head",
    "heads",
    multiple=True,
    metavar="FILE_OR_VALUE",
    help="A head saved earlier (`vigil head`), or a file or log holding saved heads (repeatable): "
    "the log must still extend every one.",
)
# Its name before 2026-12-03 ("digest" now means a subscriber's daily message); kept for old scripts.
@click.option("--digest", "old_heads", multiple=True, hidden=True)
@click.option("--no-projections", is_flag=True, help="Skip comparing the projection tables with a replay.")
@click.pass_context
@store_errors_are_fatal
def verify_command(ctx: click.Context, heads: tuple[str, ...], old_heads: tuple[str, ...],
                   no_projections: bool) -> None:
    """Walk the hash chain, check saved heads and compare the projections with a replay of the log.

    Exits 1 naming the first position, head or projection row that does not hold."""
    saved = _saved_heads([("--head", value) for value in heads] + [("--digest", value) for value in old_heads])
    with opened_store(ctx) as store:
        try:
            report = verify_chain(store.read_all(0, batch_size=5000, upcast=False))
        except MalformedEvent as error:
            fail(str(error), EXIT_INPUT)
        if not report.ok:
            fail(f"chain broken at position {report.broken_at}: {report.reason}", EXIT_INPUT)
        problems = [problem for head in saved if (problem := head_mismatch(store, head))]
        problems += _checkpoints_past_the_end(store, report.last_position)
        if problems:
            fail(problems[0], EXIT_INPUT)
        if not no_projections:
            _compare_projections(store)
    held = f"; extends {len(saved)} saved head{'s' if len(saved) != 1 else ''}" if saved else ""
    click.echo(f"chain verified: {report.checked} events, last position {report.last_position}{held}")


def _saved_heads(values: list[tuple[str, str]]) -> list[Head]:
    """Every head named by ``--head`` values (option, value); their signatures checked when VIGIL_HEAD_KEY
    (or the older VIGIL_DIGEST_KEY) is set."""
    key = signing_key(os.environ)
    found: list[Head] = []
    for option, value in values:
        path = Path(value)
        text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else value
        heads = parse_heads(text)
        if not heads:
            fail(f"{option} {value}: no vigil-head:1:POSITION:HASH found in it", EXIT_INPUT)
        for head in heads:
            if key and not head.signature_holds(key):
                fail(f"{option} {value}: head of position {head.position} is not signed with {KEY_VARIABLE}",
                     EXIT_INPUT)
        found += heads
    return found


def _checkpoints_past_the_end(store: EventStore, last_position: int) -> list[str]:
    """A consumer that processed events the log no longer holds: the log lost its end."""
    return [
        f"checkpoint {consumer} is at position {position}, past the end of the log ({last_position}): "
        "events were deleted from its end"
        for consumer, position in store.checkpoints().items()
        if position > last_position
    ]


def _compare_projections(store: EventStore) -> None:
    from service.history.audit import NotCompared, projection_difference
    from service.pipeline.projections import PROJECTIONS

    try:
        difference = projection_difference(store, PROJECTIONS)
    except MalformedEvent as error:
        fail(str(error), EXIT_INPUT)
    except NotCompared as error:
        click.echo(f"vigil: projections not compared: {error}", err=True)
        return
    if difference:
        fail(str(difference), EXIT_INPUT)


def _print_head(ctx: click.Context) -> None:
    with opened_store(ctx) as store:
        click.echo(current_head(store, signing_key(os.environ)).text())


@click.command("head")
@click.pass_context
@store_errors_are_fatal
def head_command(ctx: click.Context) -> None:
    """Print the log's head (last position and hash) to save outside the database.

    `vigil verify --head` later proves the log still extends it: nothing deleted from the end, nothing
    rewritten. Signed with an HMAC when VIGIL_HEAD_KEY is set."""
    _print_head(ctx)


@click.command("digest", hidden=True)
@click.pass_context
@store_errors_are_fatal
def digest_command(ctx: click.Context) -> None:
    """`vigil head` under its name before 2026-12-03, kept for old scripts."""
    _print_head(ctx)


commands = [db_group, events_command, verify_command, head_command, digest_command]
