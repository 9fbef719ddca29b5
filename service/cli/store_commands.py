"""Commands on the event store itself: ``db upgrade``, ``events``, ``verify``."""

from __future__ import annotations

import json
from typing import Any

import click

from service.cli.context import EXIT_INPUT, opened_store, store_errors_are_fatal
from service.store.bootstrap import store_database
from service.store.migrate import upgrade
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
    with opened_store(ctx, migrate=False) as store:
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
        "data": event.data,
        "metadata": event.metadata,
        "hash": event.hash,
    }


def _event_line(event: RecordedEvent) -> str:
    summary = json.dumps(event.data, ensure_ascii=False, sort_keys=True)
    if len(summary) > 120:
        summary = summary[:117] + "..."
    stamp = event.recorded_at.strftime("%Y-%m-%d %H:%M:%S")
    return f"{event.position:>8}  {stamp}  {event.stream_id}#{event.stream_version}  {event.type}  {summary}"


@click.command("events")
@click.option("--stream", "stream_id", help="Only this stream (e.g. item:ceasefire).")
@click.option("--from", "after", type=int, default=None, help="Only events after this position.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True, help="Page size.")
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
            events = store.read_stream(stream_id)
            events = [e for e in events if after is None or e.position > after]
        else:
            start = after if after is not None else max(0, store.last_position() - limit)
            events = []
            for event in store.read_all(start, batch_size=limit):
                events.append(event)
                if len(events) >= limit:
                    break
        page = events[:limit] if after is not None else events[-limit:]
        for event in page:
            click.echo(json.dumps(_event_dict(event), ensure_ascii=False) if as_json else _event_line(event))
        if page and not as_json and page[-1].position < store.last_position():
            click.echo(
                f"... more after position {page[-1].position}: vigil events --from {page[-1].position}",
                err=True,
            )


@click.command("verify")
@click.pass_context
@store_errors_are_fatal
def verify_command(ctx: click.Context) -> None:
    """Walk the hash chain; exit 1 naming the first position whose link does not hold."""
    with opened_store(ctx) as store:
        report = verify_chain(store.read_all(0, batch_size=5000, upcast=False))
    if report.ok:
        click.echo(f"chain verified: {report.checked} events, last position {report.last_position}")
        return
    click.echo(f"vigil: chain broken at position {report.broken_at}: {report.reason}", err=True)
    ctx.exit(EXIT_INPUT)


commands = [db_group, events_command, verify_command]
