"""The demo: the bundled scenario served on loopback, run step by step through the real pipeline.

Nothing leaves the machine: feeds come from a local server, and alerts are delivered by apprise to a
local ``json://`` receiver, which prints them as a subscriber would see them.
"""

from __future__ import annotations

import dataclasses
import shlex
from collections.abc import Callable
from datetime import datetime
from importlib.resources import files
from pathlib import Path

from ruamel.yaml import YAML

from service.demo.feeds import FeedItem, FeedServer, render_rss
from service.demo.receiver import AlertReceiver
from service.events.catalog import AlertRaised
from service.extraction.extractor import Extractor
from service.extraction.types import EntryText
from service.pipeline.wiring import Pipeline, open_pipeline_store
from service.rules.loader import LoadedRules, load_rules, rules_hash
from service.rules.models import SourceSpec, SubscriberSpec
from service.state.report import current_states, format_report
from service.store.recorder import EventStore

Echo = Callable[[str], None]
DEMO_SUBSCRIBER = "demo-console"


def load_scenario() -> dict:  # type: ignore[type-arg]
    """The bundled scenario (service/demo/scenario.yaml)."""
    return YAML(typ="safe").load(files("service.demo").joinpath("scenario.yaml").read_text(encoding="utf-8"))


def demo_rules(
    loaded: LoadedRules, feeds: FeedServer, receiver: AlertReceiver, titles: dict[str, str]
) -> LoadedRules:
    """The example rules with their sources and subscribers replaced by the demo's loopback ones."""
    rules = loaded.rules.model_copy(
        update={
            "sources": {
                name: SourceSpec(url=feeds.url(name), every="10m", title=title)  # type: ignore[arg-type]
                for name, title in titles.items()
            },
            "subscribers": {DEMO_SUBSCRIBER: SubscriberSpec(urls=[receiver.apprise_url])},
            "alerts": [
                alert.model_copy(update={"notify": [DEMO_SUBSCRIBER]}) for alert in loaded.rules.alerts
            ],
        }
    )
    return dataclasses.replace(loaded, rules=rules, hash=rules_hash(rules))


def run_demo(db_path: Path, rules_paths: list[str], echo: Echo) -> int:
    """Run the scenario into a fresh SQLite store at ``db_path``; return the number of alerts delivered."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    scenario = load_scenario()
    base = load_rules(rules_paths)
    store = open_pipeline_store(str(db_path))
    served: dict[str, dict[str, FeedItem]] = {name: {} for name in scenario["feeds"]}
    delivered = 0
    with FeedServer() as feeds, AlertReceiver() as receiver:
        loaded = demo_rules(base, feeds, receiver, dict(scenario["feeds"]))
        # One poll at a time, in source order: polled concurrently, two feeds' entries of one step landed
        # in either order, and when the newer report came first the older one was (rightly) no longer
        # news, so the demo raised 4 alerts instead of 5 about one run in eight.
        pipeline = Pipeline(store, loaded, env={}, poll_workers=1)
        extractor = Extractor(loaded.rules)
        pipeline.record_configuration()
        try:
            for number, step in enumerate(scenario["steps"], 1):
                for entry in step["entries"]:
                    served[entry["feed"]][entry["guid"]] = FeedItem(
                        guid=entry["guid"],
                        title=entry["title"],
                        text=entry["text"],
                        published=datetime.fromisoformat(str(entry["published"])),
                        link=f"{feeds.base_url}/{entry['feed']}/{entry['guid']}",
                    )
                feeds.publish(
                    {
                        name: render_rss(scenario["feeds"][name], list(items.values()))
                        for name, items in served.items()
                    }
                )
                echo(f"\n── step {number}: {step['note']}")
                before = store.last_position()
                polls = pipeline.poll_all(force=True)
                outcome = pipeline.process()
                pipeline.deliver()
                new = sum(p.new for p in polls)
                revised = sum(p.revised for p in polls)
                echo(f"   {_count(new, 'new entry', 'new entries')}, {revised} revised, "
                     f"{_count(outcome.changes, 'state change', 'state changes')}")
                for line in _vetoes(extractor, step["entries"], feeds.base_url):
                    echo(line)
                published = _publication_order(store, before)
                for alert in sorted(receiver.take(), key=lambda a: published.get((a.title, a.body), "")):
                    delivered += 1
                    echo(f"   ▶ ALERT  {alert.title}")
                    for line in alert.body.splitlines():
                        echo(f"            {line}")
        finally:
            pipeline.close()
    echo("\n── vigil state")
    for report in current_states(store, loaded.rules):
        for line in format_report(report):
            echo(f"   {line}")
    store.close()
    echo(
        f"\n{delivered} alerts delivered. The whole history is in {db_path}: try "
        f"`vigil --db {db_path} events` or `vigil --db {db_path} timeline exchange-date{rules_option(rules_paths)}`."
    )
    return delivered


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _vetoes(extractor: Extractor, entries: list[dict[str, object]], base_url: str) -> list[str]:
    """For each sentence of the step's entries that matched a pattern but was not taken as evidence for
    that item: the sentence and the guard that vetoed it, one line each (why nothing fired)."""
    lines = []
    for entry in entries:
        text = EntryText(source=str(entry["feed"]), guid=str(entry["guid"]),
                         link=f"{base_url}/{entry['feed']}/{entry['guid']}", title=str(entry["title"]),
                         text=str(entry["text"]), published=datetime.fromisoformat(str(entry["published"])))
        for report in extractor.explain(text):
            accepted = {finding.item for finding in report.findings}
            shown = set()
            for veto in report.vetoes:
                if veto.item in accepted or veto.item in shown:
                    continue
                shown.add(veto.item)
                cue = f" '{veto.cue}'" if veto.cue else ""
                lines.append(f"   ✗ not evidence: {report.sentence}")
                lines.append(f"     {veto.item} -> {veto.value} vetoed by {veto.guard}{cue}: {veto.reason}")
    return lines


def _publication_order(store: EventStore, after: int) -> dict[tuple[str, str], str]:
    """(title, body) of each alert raised after log position ``after`` -> when its evidence was published."""
    raised = [AlertRaised.from_data(e.data) for e in store.read_all(after, types=[AlertRaised.TYPE])]
    changes = store.read_events([alert.trigger_position for alert in raised])
    return {
        (alert.title, alert.body): str(changes[alert.trigger_position].data.get("published", ""))
        for alert in raised
        if alert.trigger_position in changes
    }


def rules_option(rules_paths: list[str]) -> str:
    """`` --rules PATH ...`` when a command run from here would not find these rules by default (``rules/``):
    the demo's hints must work from wherever the demo ran."""
    default = Path("rules").resolve()
    used = [Path(path).resolve() for path in rules_paths]
    if all(path == default or default in path.parents for path in used):
        return ""
    return "".join(f" --rules {shlex.quote(str(path))}" for path in used)
