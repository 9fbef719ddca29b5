"""Questions about the present: ``vigil state``, ``timeline``, ``sources``, ``alerts``."""

from __future__ import annotations

import json
import re
from dataclasses import asdict

import click

from service.cli.context import (
    EXIT_INPUT,
    fail,
    load_rules_or_exit,
    opened_store,
    parse_moment,
    rules_are_absent,
    rules_paths,
)
from service.delivery.status import AlertView, recent_alerts
from service.history.as_of import states_at
from service.history.entry_judgement import recorded_rules
from service.history.timeline import TimelineRow, item_timeline
from service.sources.health import SourceView, source_health
from service.state.report import current_states, format_report


@click.command("state")
@click.option("--rules", "rules", multiple=True, help="Rule file or folder (default rules/).")
@click.option("--at", "at", help="As known at this moment (from the log), e.g. 2025-06-05 or '2025-06-05 18:00'.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per item.")
@click.pass_context
def state_command(ctx: click.Context, rules: tuple[str, ...], at: str | None, as_json: bool) -> None:
    """Every tracked item's state now (or --at a past moment), since when, and the sentence that set it."""
    moment = parse_moment(at, "--at") if at else None
    # The store knows its items: without a rule file at hand, the rules it recorded last name them.
    loaded = None if not rules and rules_are_absent() else load_rules_or_exit(rules_paths(rules))
    with opened_store(ctx, pipeline=True) as store:
        rule_set = loaded.rules if loaded else recorded_rules(store)
        if rule_set is None:
            fail("no rules/ folder here and no rules recorded in the store: give --rules FILE_OR_DIR", EXIT_INPUT)
        reports = states_at(store, rule_set, moment) if moment else current_states(store, rule_set)
    if moment and not as_json:
        click.echo(f"as known at {moment.isoformat()} (recorded by then):")
    for report in reports:
        if as_json:
            click.echo(json.dumps(asdict(report), ensure_ascii=False))
        else:
            click.echo("\n".join(format_report(report)))


#: What can start inline markup (code, emphasis, links, images, HTML, entities, strikethrough) or end a
#: table cell. Block markup (#, -, 1.) only starts a line, and a cell never does.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|!~&])")


def _markdown_text(text: str) -> str:
    """Feed text as literal Markdown inside a table cell: no link, emphasis, HTML or cell break of its own."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _markdown_link(url: str) -> str:
    """A link destination that no character of a feed's URL can end early."""
    return "<" + url.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E") + ">"


def _timeline_lines(item: str, rows: list[TimelineRow], fmt: str) -> list[str]:
    if fmt == "json":
        return [json.dumps({"item": item, **asdict(row)}, ensure_ascii=False) for row in rows]
    if fmt == "markdown":
        lines = [f"## {item}", "", "| published | change | evidence | alerts |", "| --- | --- | --- | --- |"]
        for row in rows:
            # Sentences, source names and links come from feeds: untrusted, escaped to read literally.
            evidence = "<br>".join(
                f"“{_markdown_text(s)}” ([{_markdown_text(src)}]({_markdown_link(link)}))"
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
    with opened_store(ctx, pipeline=True) as store:
        rows = item_timeline(store, item, start, end)
    click.echo("\n".join(_timeline_lines(item, rows, fmt)))


@click.command("sources")
@click.option("--rules", "rules", multiple=True, help="Rule file or folder (default rules/).")
@click.pass_context
def sources_command(ctx: click.Context, rules: tuple[str, ...]) -> None:
    """Each source: last success, last error, entries seen, next poll (feed URLs shown without secrets)."""
    # The store knows its sources: without a rule file at hand, the rules it recorded last name them.
    loaded = None if not rules and rules_are_absent() else load_rules_or_exit(rules_paths(rules))
    with opened_store(ctx, pipeline=True) as store:
        rule_set = loaded.rules if loaded else recorded_rules(store)
        if rule_set is None:
            fail("no rules/ folder here and no rules recorded in the store: give --rules FILE_OR_DIR", EXIT_INPUT)
        sources = source_health(store, rule_set)
    for source in sources:
        click.echo("\n".join(_source_lines(source)))


def _source_lines(source: SourceView) -> list[str]:
    lines = [f"{source.source}  {source.url}  every {source.every_seconds}s"]
    if source.health == "never polled":
        return [*lines, "    never polled"]
    lines.append(
        f"    last success: {source.last_success_at or 'never'}   entries seen: {source.entries_seen}   "
        f"next poll: {source.next_poll or '-'}"
    )
    if source.last_error:
        failures = source.consecutive_failures
        in_a_row = f" ({failures} in a row)" if failures else ""
        lines.append(f"    last error: {source.last_error_at}: {source.last_error}{in_a_row}")
    if source.problem:
        lines.append(f"    feed problem: {source.problem}")
    return lines


@click.command("alerts")
@click.option("--failed", is_flag=True, help="Only alerts with failed or abandoned deliveries.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@click.pass_context
def alerts_command(ctx: click.Context, failed: bool, limit: int) -> None:
    """Alerts raised, newest last, with their delivery status (targets shown redacted)."""
    with opened_store(ctx, pipeline=True) as store:
        alerts = recent_alerts(store, limit=limit, failed_only=failed)
    if not alerts:
        click.echo("no failed alerts" if failed else "no alerts")
    for alert in reversed(alerts):
        click.echo("\n".join(_alert_lines(alert)))


def _alert_lines(alert: AlertView) -> list[str]:
    lines = [
        f"{alert.alert_id}  {alert.raised_at}  {alert.severity:<8} {alert.status:<10} "
        f"{alert.rule} [{alert.item}] {alert.title}"
    ]
    if alert.acknowledged_at:
        reason = f": {alert.acknowledged_reason}" if alert.acknowledged_reason else ""
        lines.append(f"    acknowledged {alert.acknowledged_at}{reason}")
    for delivery in alert.deliveries:
        if delivery.status == "silenced":
            lines.append(f"    {delivery.subscriber} {delivery.target}: silenced by {', '.join(delivery.silenced_by)}; "
                         "not sent")
            continue
        line = f"    {delivery.subscriber} {delivery.target}: {delivery.status} after {delivery.attempts} attempt(s)"
        if delivery.group_id:
            line += " in a group"
        if delivery.last_error:
            line += f"; last error: {delivery.last_error}"
        if delivery.status == "failed" and delivery.next_attempt:
            line += f"; next attempt {delivery.next_attempt}"
        lines.append(line)
    return lines


commands = [state_command, timeline_command, sources_command, alerts_command]
