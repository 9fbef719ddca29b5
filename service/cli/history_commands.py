"""Questions about the past, and operations on the whole log: replay, export, import, why, backtest."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

from service.cli.context import (
    EXIT_INPUT,
    fail,
    load_rules_or_exit,
    opened_store,
    parse_moment,
    rules_paths,
)
from service.delivery.secret_urls import all_sealed, restore_sealed
from service.history.backtest import backtest
from service.history.replay import replay
from service.history.transfer import ImportRefused, export_events, import_events, sealed_secrets, secret_line
from service.history.why import UnknownAlert, explain_alert, format_chain
from service.pipeline.projections import PROJECTIONS
from service.store.errors import MalformedEvent


@click.command("replay")
@click.pass_context
def replay_command(ctx: click.Context) -> None:
    """Drop and rebuild every projection from the log (atomically; memory stays flat)."""
    with opened_store(ctx, pipeline=True) as store:
        try:
            total = store.last_position()
            started = datetime.now(UTC)
            if sys.stderr.isatty():
                columns = (
                    TextColumn("replaying"),
                    BarColumn(),
                    TaskProgressColumn(),
                    TextColumn("{task.completed:,.0f}/{task.total:,.0f} events · {task.speed} ev/s"),
                    TimeRemainingColumn(),
                )
                with Progress(*columns, console=None, transient=True) as progress:
                    task = progress.add_task("replay", total=total)
                    report = replay(store, PROJECTIONS, progress=lambda n: progress.advance(task, n))
            else:
                report = replay(store, PROJECTIONS)
        except MalformedEvent as error:
            fail(f"{error}; nothing was replayed", EXIT_INPUT)
    seconds = max((datetime.now(UTC) - started).total_seconds(), 1e-6)
    click.echo(
        f"replayed {report.events:,} events into {report.tables} projection tables "
        f"in {seconds:.1f}s ({report.events / seconds:,.0f} events/s)"
    )


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="File (default: stdout).")
@click.option(
    "--with-secrets", is_flag=True,
    help="Also write the subscriber secrets sealed outside the log, in clear: keep the file like a password.",
)
@click.pass_context
def export_command(ctx: click.Context, fmt: str, output: str | None, with_secrets: bool) -> None:
    """Write the whole log, exactly as stored (positions, times, hashes), one JSON object per line.

    Subscriber URLs that hold a secret are sealed outside the log and are not written unless --with-secrets
    is given; without them, an import of the file cannot send to those URLs until they are added again.
    """
    with opened_store(ctx, pipeline=True) as store:
        with store.reading() as conn:
            secrets = all_sealed(conn)
        out = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115 - stdout is not closed
        try:
            count = export_events(store, out)
            for ref, url in secrets if with_secrets else []:
                out.write(secret_line(ref, url) + "\n")
        finally:
            if output:
                out.close()
    if output:
        click.echo(f"exported {count:,} events to {output}", err=True)
    if secrets and with_secrets:
        click.echo(f"WARNING: the export holds {len(secrets)} subscriber secrets in clear: keep it like a password "
                   "file", err=True)
    elif secrets:
        click.echo(f"{len(secrets)} subscriber secrets are sealed outside the log and were not exported "
                   "(--with-secrets writes them)", err=True)


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--append", is_flag=True, help="Add after the events already in the store (the chain must continue).")
@click.pass_context
def import_command(ctx: click.Context, path: str, append: bool) -> None:
    """Import an export file; its chain is verified before anything is written."""
    with opened_store(ctx, pipeline=True, creates=True) as store:
        try:
            count = import_events(store, Path(path), append=append)
            restored = sealed_secrets(Path(path))
            with store.transaction() as tx:
                restore_sealed(tx.connection, restored)
        except (ImportRefused, ValueError) as error:
            fail(str(error), EXIT_INPUT)
    click.echo(f"imported {count:,} events; chain verified"
               + (f"; {len(restored)} subscriber secrets restored" if restored else ""))


@click.command("why")
@click.argument("alert_id")
@click.pass_context
def why_command(ctx: click.Context, alert_id: str) -> None:
    """The chain behind ALERT_ID: feed entry, evidence, state change, alert, delivery attempts."""
    with opened_store(ctx, pipeline=True) as store:
        try:
            chain = explain_alert(store, alert_id)
        except UnknownAlert as error:
            fail(str(error), EXIT_INPUT)
    click.echo("\n".join(format_chain(chain)))


@click.command("backtest")
@click.option("--rules", "rules", multiple=True, help="The rules to try (default rules/).")
@click.option("--since", help="Only alerts for changes published from then (earlier entries still set the state).")
@click.option("--until", help="Only entries published until then.")
@click.option("--fail-on-diff", is_flag=True, help="Exit 1 when the alerts would differ (for a CI of rule files).")
@click.pass_context
def backtest_command(
    ctx: click.Context, rules: tuple[str, ...], since: str | None, until: str | None, fail_on_diff: bool
) -> None:
    """Re-run extraction and alert rules over the recorded entries, without touching the store or sending."""
    loaded = load_rules_or_exit(rules_paths(rules))
    start = parse_moment(since, "--since") if since else None
    end = parse_moment(until, "--until") if until else None
    with opened_store(ctx, pipeline=True) as store:
        report = backtest(store, loaded, since=start, until=end)
    earlier = f" (and {report.earlier} earlier ones, for the state they left)" if report.earlier else ""
    click.echo(
        f"{report.entries} entries replayed{earlier}: the rules would raise {len(report.would_raise)} alerts"
    )
    for alert in report.would_raise:
        click.echo(f"  {alert.rule} [{alert.item} -> {alert.to_value}] {alert.title}")
    for label, alerts in (("added", report.added), ("removed", report.removed)):
        for alert in alerts:
            click.echo(f'{label}: {alert.rule} [{alert.item} -> {alert.to_value}] "{alert.sentence}"')
    for before, after in report.changed:
        click.echo(
            f'changed: {after.rule} [{after.item} -> {after.to_value}] "{before.sentence}" -> "{after.sentence}"'
        )
    if not report.differs:
        click.echo("no difference from the alerts actually raised")
    if fail_on_diff and report.differs:
        ctx.exit(EXIT_INPUT)


commands = [replay_command, export_command, import_command, why_command, backtest_command]
