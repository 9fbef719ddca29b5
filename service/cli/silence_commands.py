"""Silences and acknowledgements: ``vigil silence add|list|expire`` and ``vigil ack``."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from service.alerting.acknowledging import AcknowledgeError, acknowledge_item
from service.cli.context import EXIT_INPUT, fail, opened_store
from service.delivery.silences import Silence, all_silences, rule_items
from service.delivery.silencing import SilenceError, add_silence, expire_silence


@click.group("silence")
def silence_group() -> None:
    """Hold back deliveries for a while (each silence, and its early end, is an event)."""


@silence_group.command("add")
@click.option("--item", help="Silence the alerts of this item.")
@click.option("--tag", help="Silence the alerts of the items with this tag.")
@click.option("--subscriber", help="Silence every alert to this subscriber.")
@click.option("--until", required=True, help="Its end: a time (2026-12-04T18:00Z; UTC without an offset) "
              "or a duration from now (90m, 2h, 1d).")
@click.option("--reason", required=True, help="Why, for whoever reads `vigil silence list` later.")
@click.pass_context
def silence_add(ctx: click.Context, item: str | None, tag: str | None, subscriber: str | None, until: str,
                reason: str) -> None:
    """Silence the deliveries of an ITEM, of the items with a TAG, or to a SUBSCRIBER until a time.

    A silenced alert is still raised and listed (`vigil alerts` shows it silenced); it is never sent.
    """
    with opened_store(ctx, pipeline=True) as store:
        try:
            added = add_silence(store, {"item": item, "tag": tag, "subscriber": subscriber}, until, reason)
        except SilenceError as error:
            fail(str(error), EXIT_INPUT)
    click.echo(f"silence {added.silence_id} added: {added.shown} until {added.until}")


@silence_group.command("list")
@click.option("--all", "show_all", is_flag=True, help="Also the silences that ended or were expired.")
@click.pass_context
def silence_list(ctx: click.Context, show_all: bool) -> None:
    """The active silences (with --all, every silence), oldest first."""
    now = datetime.now(UTC)
    with opened_store(ctx, pipeline=True) as store, store.reading() as conn:
        silences = [s for s in all_silences(conn) if show_all or s.state(now) == "active"]
    if not silences:
        click.echo("no silences" if show_all else "no active silences")
    for silence in silences:
        click.echo(_silence_line(silence, now))


def _silence_line(silence: Silence, now: datetime) -> str:
    state = silence.state(now)
    end = f"expired {silence.expired_at}" if state == "expired" else f"until {silence.until}"
    return (f"{silence.silence_id}  {state:<7}  {silence.shown}  {end}  added {silence.added_at} "
            f"({silence.origin}): {silence.reason}")


@silence_group.command("expire")
@click.argument("silence_id")
@click.pass_context
def silence_expire(ctx: click.Context, silence_id: str) -> None:
    """End silence SILENCE_ID now: alerts raised from now on are delivered."""
    with opened_store(ctx, pipeline=True) as store:
        try:
            ended = expire_silence(store, silence_id)
        except SilenceError as error:
            fail(str(error), EXIT_INPUT)
    click.echo(f"silence {ended.silence_id} expired ({ended.shown})")


@click.command("ack")
@click.argument("item")
@click.option("--reason", default="", help="Why, or who is on it (shown beside the alerts).")
@click.pass_context
def ack_command(ctx: click.Context, item: str, reason: str) -> None:
    """Acknowledge ITEM's alerts for its current state, until it changes again.

    Vigil sends no reminders or repeats, so this stops no message: `vigil alerts` and the dashboard
    show the alerts as acknowledged.
    """
    with opened_store(ctx, pipeline=True) as store:
        with store.reading() as conn:
            known = rule_items(conn)
        try:
            done = acknowledge_item(store, item, known_items=known, reason=reason)
        except AcknowledgeError as error:
            fail(str(error), EXIT_INPUT)
    click.echo(f"{item} acknowledged in its state {done.value!r}: {', '.join(done.alert_ids)}")


commands = [silence_group, ack_command]
