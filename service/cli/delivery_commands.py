"""Subscribers and deliveries: ``vigil subscribe add|list|remove|test`` and ``vigil deliver``."""

from __future__ import annotations

import os
from datetime import timedelta

import click
from pydantic import ValidationError

from service.cli.context import EXIT_INPUT, fail, opened_store
from service.delivery.retry import RetryPolicy
from service.delivery.sender import send
from service.delivery.status import alert_statuses
from service.delivery.subscriptions import (
    SubscriptionError,
    add_subscriber,
    list_subscribers,
    remove_subscriber,
    sendable_urls,
)
from service.delivery.worker import DeliveryWorker
from service.events.catalog import AlertRetryRequested
from service.masking.apprise_urls import redact
from service.pipeline.wiring import default_owner
from service.rules.durations import format_duration, parse_duration
from service.rules.models import DigestSpec
from service.store.records import NewEvent


def _split(values: tuple[str, ...]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@click.group("subscribe")
def subscribe_group() -> None:
    """Manage subscribers (each change is recorded as an event)."""


@subscribe_group.command("add")
@click.argument("name")
@click.argument("urls", nargs=-1, required=True)
@click.option("--items", multiple=True, help="Only these items (comma-separated or repeated).")
@click.option("--tags", multiple=True, help="Only items with one of these tags.")
@click.option("--min-severity", default="info", show_default=True, help="info, warning or critical.")
@click.option("--group", help="Send the alerts that come within this window as one message (e.g. 10m, at most 1d).")
@click.option("--digest-at", metavar="HH:MM", help="A daily digest at this local time (instead of each alert at once).")
@click.option("--digest-tz", metavar="ZONE", default="UTC", show_default=True, help="The digest's time zone.")
@click.option("--digest-immediate", is_flag=True, help="Send each alert at once as well as in the digest.")
@click.option("--digest-when-empty", type=click.Choice(["skip", "say"]), default="skip", show_default=True,
              help="A day with no alert: send nothing, or say 'no change'.")
@click.pass_context
def subscribe_add(
    ctx: click.Context,
    name: str,
    urls: tuple[str, ...],
    items: tuple[str, ...],
    tags: tuple[str, ...],
    min_severity: str,
    group: str | None,
    digest_at: str | None,
    digest_tz: str,
    digest_immediate: bool,
    digest_when_empty: str,
) -> None:
    """Add (or replace) subscriber NAME with one or more apprise URLs.

    Write secrets as ${ENV} references to keep them out of the database: 'json://${HOOK_HOST}/alerts'.
    Adding a subscriber again replaces it: leave out --digest-at to stop its digest.
    """
    try:
        window = parse_duration(group) if group else None
    except ValueError as error:
        fail(f"--group: {error}", EXIT_INPUT)
    digest = _digest(digest_at, digest_tz, digest_immediate, digest_when_empty)
    with opened_store(ctx, pipeline=True) as store:
        try:
            add_subscriber(store, name, list(urls), items=_split(items), tags=_split(tags), min_severity=min_severity,
                           group=window, digest=digest)
        except SubscriptionError as error:
            fail(str(error), EXIT_INPUT)
    click.echo(f"subscriber {name} added: {', '.join(redact(u) for u in urls)}")


def _digest(at: str | None, tz: str, immediate: bool, when_empty: str) -> DigestSpec | None:
    """The digest the options ask for, or None; one line naming the option at fault when one is wrong."""
    if at is None:
        if tz != "UTC" or immediate or when_empty != "skip":
            fail("--digest-tz, --digest-immediate and --digest-when-empty need --digest-at", EXIT_INPUT)
        return None
    try:
        return DigestSpec(at=at, tz=tz, immediate=immediate, when_empty=when_empty)  # type: ignore[arg-type]
    except ValidationError as error:
        [problem] = error.errors()[:1]
        option = {"at": "--digest-at", "tz": "--digest-tz"}.get(str(problem["loc"][0]), "--digest")
        fail(f"{option}: {str(problem['msg']).removeprefix('Value error, ')}", EXIT_INPUT)


@subscribe_group.command("list")
@click.pass_context
def subscribe_list(ctx: click.Context) -> None:
    """List subscribers with their URLs redacted."""
    with opened_store(ctx, pipeline=True) as store:
        subscribers = list_subscribers(store)
    if not subscribers:
        click.echo("no subscribers")
    for sub in subscribers:
        filters = []
        if sub.items:
            filters.append(f"items={','.join(sub.items)}")
        if sub.tags:
            filters.append(f"tags={','.join(sub.tags)}")
        if sub.min_severity != "info":
            filters.append(f"min-severity={sub.min_severity}")
        if sub.group_seconds:
            filters.append(f"group={format_duration(timedelta(seconds=sub.group_seconds))}")
        if sub.digest:
            also = "+immediate" if sub.digest.get("immediate") else ""
            also += "+say-no-change" if sub.digest.get("when_empty") == "say" else ""
            filters.append(f"digest={sub.digest['at']}@{sub.digest.get('tz', 'UTC')}{also}")
        click.echo(f"{sub.name} ({sub.origin})" + (f"  {' '.join(filters)}" if filters else ""))
        for shown in sub.shown:
            click.echo(f"    {shown}")


@subscribe_group.command("remove")
@click.argument("name")
@click.pass_context
def subscribe_remove(ctx: click.Context, name: str) -> None:
    """Remove subscriber NAME."""
    with opened_store(ctx, pipeline=True) as store:
        try:
            remove_subscriber(store, name)
        except SubscriptionError as error:
            fail(str(error), EXIT_INPUT)
    click.echo(f"subscriber {name} removed")


@subscribe_group.command("test")
@click.argument("name")
@click.pass_context
def subscribe_test(ctx: click.Context, name: str) -> None:
    """Send a test message to every URL of subscriber NAME and report each result."""
    with opened_store(ctx, pipeline=True) as store:
        try:
            found = {s.name: s for s in list_subscribers(store)}
            if name not in found:
                fail(f"no subscriber named {name!r}", EXIT_INPUT)
            urls = sendable_urls(store, found[name])
        except SubscriptionError as error:
            fail(str(error), EXIT_INPUT)
    results = send(
        urls,
        "Vigil test message",
        f"This is a test of subscriber {name}. If you can read it, delivery works.",
        env=os.environ,
    )
    for result in results:
        click.echo(f"{result.target}: {'ok' if result.ok else 'FAILED: ' + (result.error or '')}")
    if not all(r.ok for r in results):
        ctx.exit(EXIT_INPUT)


@click.command("deliver")
@click.option("--retry", "retry_alert", metavar="ALERT_ID", help="Resend an alert's failed or abandoned deliveries.")
@click.pass_context
def deliver_command(ctx: click.Context, retry_alert: str | None) -> None:
    """Send every delivery that is due now; with --retry, first requeue an alert's failed deliveries."""
    with opened_store(ctx, pipeline=True) as store:
        if retry_alert:
            with store.reading() as conn:
                status = alert_statuses(conn, [retry_alert]).get(retry_alert)
            if status is None:
                fail(f"no alert with id {retry_alert!r}", EXIT_INPUT)
            if status not in ("failed", "abandoned"):
                fail(
                    f"alert {retry_alert} is {status}; only failed or abandoned alerts can be retried",
                    EXIT_INPUT,
                )
            store.append(
                f"alert:{retry_alert}",
                [NewEvent(AlertRetryRequested.TYPE, AlertRetryRequested(alert_id=retry_alert).to_data())],
            )
        worker = DeliveryWorker(store, default_owner(), dict(os.environ), RetryPolicy())
        sent = worker.run_all_due()
        click.echo(f"{sent} deliveries attempted")
        if retry_alert:
            with store.reading() as conn:
                status = alert_statuses(conn, [retry_alert]).get(retry_alert)
            click.echo(f"alert {retry_alert}: {status}")


commands = [subscribe_group, deliver_command]
