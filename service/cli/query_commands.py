"""Questions about the present: ``vigil state``, ``timeline``, ``sources``, ``alerts``."""

from __future__ import annotations

import json
from dataclasses import asdict

import click
from sqlalchemy import text

from service.cli.context import (
    EXIT_INPUT,
    fail,
    load_rules_or_exit,
    open_pipeline_or_exit,
    parse_moment,
    rules_paths,
)
from service.history.as_of import states_at
from service.history.timeline import TimelineRow, item_timeline
from service.state.report import current_states, format_report


@click.command("state")
@click.option("--rules", "rules", multiple=True, help="Rule file or folder (default rules/).")
@click.option("--at", "at", help="As known at this moment (from the log), e.g. 2025-06-05 or '2025-06-05 18:00'.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per item.")
@click.pass_context
def state_command(ctx: click.Context, rules: tuple[str, ...], at: str | None, as_json: bool) -> None:
    """Every tracked item's state now (or --at a past moment), since when, and the sentence that set it."""
    loaded = load_rules_or_exit(rules_paths(rules))
    moment = parse_moment(at, "--at") if at else None
    store = open_pipeline_or_exit(ctx)
    try:
        reports = states_at(store, loaded.rules, moment) if moment else current_states(store, loaded.rules)
    finally:
        store.engine.dispose()
    if moment and not as_json:
        click.echo(f"as known at {moment.isoformat()} (recorded by then):")
    for report in reports:
        if as_json:
            click.echo(json.dumps(asdict(report), ensure_ascii=False))
        else:
            click.echo("\n".join(format_report(report)))


def _timeline_lines(item: str, rows: list[TimelineRow], fmt: str) -> list[str]:
    if fmt == "json":
        return [json.dumps({"item": item, **asdict(row)}, ensure_ascii=False) for row in rows]
    if fmt == "markdown":
        lines = [f"## {item}", "", "| published | change | evidence | alerts |", "| --- | --- | --- | --- |"]
        for row in rows:
            evidence = "<br>".join(
                f"“{s}” ([{src}]({link}))"
                for s, link, src in zip(row.sentences, row.links, row.sources * len(row.sentences), strict=False)
            )
            alerts = "<br>".join(f"{a['alert_id']} ({a['rule']}): {a['status']}" for a in row.alerts)
            lines.append(f"| {row.published} | {row.from_value} → {row.to_value} | {evidence} | {alerts} |")
        return lines
    lines = [] if rows else [f"{item}: no state changes in that period"]
    for row in rows:
        lines.append(f"{row.published}  {row.from_value} -> {row.to_value}   (recorded {row.recorded_at})")
        lines.extend(f'    "{sentence}"  {link}' for sentence, link in zip(row.sentences, row.links, strict=False))
        lines.append(f"    sources: {', '.join(row.sources)}")
        lines.extend(f"    alert {a['alert_id']} ({a['rule']}): {a['status']}" for a in row.alerts)
    return lines


@click.command("timeline")
@click.argument("item")
@click.option("--rules", "rules", multiple=True, help="Rule file or folder (default rules/).")
@click.option("--since", help="Only changes whose evidence was published from then.")
@click.option("--until", help="Only changes whose evidence was published until then.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table", show_default=True)
@click.pass_context
def timeline_command(
    ctx: click.Context, item: str, rules: tuple[str, ...], since: str | None, until: str | None, fmt: str
) -> None:
    """Each state change of ITEM with its evidence, sources and links, and the alerts it raised."""
    loaded = load_rules_or_exit(rules_paths(rules))
    if item not in loaded.rules.items:
        known = ", ".join(sorted(loaded.rules.items))
        fail(f"unknown item {item!r} (known: {known})", EXIT_INPUT)
    start = parse_moment(since, "--since") if since else None
    end = parse_moment(until, "--until") if until else None
    store = open_pipeline_or_exit(ctx)
    try:
        rows = item_timeline(store, item, start, end)
    finally:
        store.engine.dispose()
    click.echo("\n".join(_timeline_lines(item, rows, fmt)))


@click.command("sources")
@click.option("--rules", "rules", multiple=True, help="Rule file or folder (default rules/).")
@click.pass_context
def sources_command(ctx: click.Context, rules: tuple[str, ...]) -> None:
    """Each source: last success, last error, entries seen, next poll."""
    loaded = load_rules_or_exit(rules_paths(rules))
    store = open_pipeline_or_exit(ctx)
    try:
        with store.engine.connect() as conn:
            rows = {
                r[0]: r
                for r in conn.execute(
                    text(
                        "SELECT source, last_success_at, last_error, last_error_at, consecutive_failures, "
                        "entries_seen, "
                        "next_poll, problem FROM source_status"
                    )
                )
            }
    finally:
        store.engine.dispose()
    for source_id, spec in sorted(loaded.rules.sources.items()):
        row = rows.get(source_id)
        click.echo(f"{source_id}  {spec.url}  every {int(spec.every.total_seconds())}s")
        if row is None:
            click.echo("    never polled")
            continue
        _, success, error, error_at, failures, seen, next_poll, problem = row
        click.echo(f"    last success: {success or 'never'}   entries seen: {seen}   next poll: {next_poll or '-'}")
        if error:
            click.echo(f"    last error: {error_at}: {error}" + (f" ({failures} in a row)" if failures else ""))
        if problem:
            click.echo(f"    feed problem: {problem}")


@click.command("alerts")
@click.option("--failed", is_flag=True, help="Only alerts with failed or abandoned deliveries.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@click.pass_context
def alerts_command(ctx: click.Context, failed: bool, limit: int) -> None:
    """Alerts raised, newest last, with their delivery status (targets shown redacted)."""
    store = open_pipeline_or_exit(ctx)
    try:
        with store.engine.connect() as conn:
            where = "WHERE status IN ('failed', 'abandoned')" if failed else ""
            alerts = conn.execute(
                text(
                    f"SELECT alert_id, raised_at, rule, item, severity, status, title FROM alerts {where} "
                    "ORDER BY raised_position DESC LIMIT :limit"
                ),
                {"limit": limit},
            ).fetchall()
            deliveries = conn.execute(
                text("SELECT alert_id, subscriber, target, status, attempts, last_error, next_attempt FROM deliveries")
            ).fetchall()
    finally:
        store.engine.dispose()
    per_alert: dict[str, list[tuple[str, ...]]] = {}
    for row in deliveries:
        per_alert.setdefault(row[0], []).append(row)
    if not alerts:
        click.echo("no failed alerts" if failed else "no alerts")
    for alert_id, raised_at, rule, item, severity, status, title in reversed(alerts):
        click.echo(f"{alert_id}  {raised_at}  {severity:<8} {status:<10} {rule} [{item}] {title}")
        for _, subscriber, target, d_status, attempts, error, next_attempt in per_alert.get(alert_id, []):
            line = f"    {subscriber} {target}: {d_status} after {attempts} attempt(s)"
            if error:
                line += f"; last error: {error}"
            if d_status == "failed" and next_attempt:
                line += f"; next attempt {next_attempt}"
            click.echo(line)


commands = [state_command, timeline_command, sources_command, alerts_command]
