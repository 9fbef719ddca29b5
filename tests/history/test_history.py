"""Time travel, replay, export/import, why and backtest, on stores built by the real pipeline."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from service.demo.feeds import FeedServer
from service.demo.runner import run_demo
from service.history.replay import replay, snapshot
from service.history.transfer import event_line
from service.pipeline.projections import PROJECTION_TABLES, PROJECTIONS
from service.pipeline.wiring import Pipeline, open_pipeline_store
from service.rules.loader import load_rules
from service.store.hashing import GENESIS, canonical_json, chain_hash, timestamp_text
from service.store.records import NewEvent, RecordedEvent
from tests.pipeline.harness import STEPS, Timeline, run_once, write_rules
from tests.support.feedserver import FeedServer as FixtureFeedServer
from tests.support.feedserver import FixtureItem, rss_xml
from tests.support.receivers import JsonReceiver

ROOT = Path(__file__).resolve().parents[2]
RULES = str(ROOT / "rules" / "istanbul-talks.yaml")


def vigil(db: str, *args: str, tz: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIL_")}
    env["VIGIL_DB"] = db
    if tz:
        env["TZ"] = tz
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store built by the demo scenario through the whole pipeline (5 alerts delivered)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    assert run_demo(path, [RULES], lambda _line: None) == 5
    return str(path)


def _pipeline_store(url: str, folder: Path) -> None:
    with FeedServer() as feeds, JsonReceiver() as hook:
        rules = write_rules(folder, feeds, hook.url("/hook"))
        timeline = Timeline(feeds)
        for step in STEPS:
            timeline.add(step)
            assert run_once(url, rules).returncode == 0


def test_replay_rebuilds_every_projection_row_for_row(db_url: str, tmp_path: Path) -> None:
    _pipeline_store(db_url, tmp_path)
    store = open_pipeline_store(db_url)
    before = snapshot(store, PROJECTION_TABLES)
    assert before["alerts"] and before["deliveries"] and before["item_states"]
    report = replay(store, PROJECTIONS, batch_size=7)
    assert report.events == store.last_position()
    assert snapshot(store, PROJECTION_TABLES) == before
    store.close()
    result = vigil(db_url, "replay")
    assert result.returncode == 0 and "replayed" in result.stdout


def test_export_from_sqlite_import_into_postgresql_gives_the_same_state_and_chain(
    demo_db: str, pg_url: str, tmp_path: Path
) -> None:
    dump = tmp_path / "log.jsonl"
    assert vigil(demo_db, "export", "--format", "jsonl", "--output", str(dump)).returncode == 0
    imported = vigil(pg_url, "import", str(dump))
    assert imported.returncode == 0, imported.stderr
    assert vigil(pg_url, "verify").returncode == 0
    assert vigil(pg_url, "state", "--rules", RULES).stdout == vigil(demo_db, "state", "--rules", RULES).stdout
    last = [json.loads(line) for line in dump.read_text().splitlines()][-1]
    exported_again = vigil(pg_url, "export").stdout.splitlines()
    assert json.loads(exported_again[-1])["hash"] == last["hash"]


def test_import_refuses_a_non_empty_store_and_a_broken_chain_before_writing(demo_db: str, tmp_path: Path) -> None:
    dump = tmp_path / "log.jsonl"
    vigil(demo_db, "export", "-o", str(dump))
    refused = vigil(demo_db, "import", str(dump))
    assert refused.returncode == 1 and "--append" in refused.stderr

    lines = dump.read_text().splitlines()
    tampered = json.loads(lines[5])
    tampered["data"]["title"] = "something else"
    lines[5] = json.dumps(tampered)
    bad = tmp_path / "tampered.jsonl"
    bad.write_text("\n".join(lines) + "\n")
    empty = str(tmp_path / "empty.db")
    result = vigil(empty, "import", str(bad))
    assert result.returncode == 1 and "chain broken at position 6" in result.stderr
    assert vigil(empty, "events").stdout == ""  # nothing was written


def _log_holding_a_nul(path: Path) -> Path:
    """An export of three chained events, the second holding a NUL character: what a SQLite log written
    before feeds' NUL characters were dropped can hold."""
    lines, prev = [], GENESIS
    for position, text in enumerate(["talks resumed", "talks\x00 stalled", "talks ended"], 1):
        at = datetime(2026, 5, 1, 12, position, tzinfo=UTC)
        data = {"text": text}
        digest = chain_hash(
            prev, position=position, stream_id="notes", stream_version=position, event_type="NoteTaken",
            schema_version=1, data_json=canonical_json(data), metadata_json="{}", recorded_at=timestamp_text(at),
        )
        lines.append(event_line(RecordedEvent(position, "notes", position, "NoteTaken", 1, data, {}, at, prev, digest)))
        prev = digest
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_log_holding_a_nul_character_restores_into_sqlite_and_postgresql_refuses_it_before_writing(
    pg_url: str, tmp_path: Path
) -> None:
    dump = _log_holding_a_nul(tmp_path / "old.jsonl")

    refused = vigil(pg_url, "import", str(dump))
    assert refused.returncode == 1
    assert refused.stderr.strip().endswith(
        f"{dump}:2: this event holds a NUL character (U+0000), which PostgreSQL cannot store; nothing imported"
    )
    assert vigil(pg_url, "events").stdout == ""

    restored = str(tmp_path / "restored.db")
    assert vigil(restored, "import", str(dump)).returncode == 0
    assert vigil(restored, "verify").returncode == 0


def test_state_at_a_moment_is_what_the_log_knew_then(demo_db: str) -> None:
    before = vigil(demo_db, "state", "--rules", RULES, "--at", "2001-01-01", "--json")
    assert {json.loads(line)["value"] for line in before.stdout.splitlines()} == {"none", "unannounced"}
    now = vigil(demo_db, "state", "--rules", RULES, "--at", "2999-01-01", "--json")
    values = {json.loads(line)["item"]: json.loads(line)["value"] for line in now.stdout.splitlines()}
    assert values["exchange-date"] == "2025-06-09" and values["prisoner-exchange"] == "completed"
    bad = vigil(demo_db, "state", "--rules", RULES, "--at", "not a date at all")
    assert bad.returncode == 1 and "--at" in bad.stderr


def test_timeline_formats_and_unknown_item(demo_db: str) -> None:
    rows = [
        json.loads(line)
        for line in vigil(
            demo_db, "timeline", "prisoner-exchange", "--rules", RULES, "--format", "json"
        ).stdout.splitlines()
    ]
    assert [r["to_value"] for r in rows] == ["agreed", "underway", "completed"]
    assert all(r["alerts"] and r["alerts"][0]["status"] == "delivered" for r in rows)
    later = vigil(
        demo_db, "timeline", "prisoner-exchange", "--rules", RULES, "--since", "2025-06-09", "--format", "json"
    )
    assert len(later.stdout.splitlines()) == 2
    markdown = vigil(demo_db, "timeline", "exchange-date", "--rules", RULES, "--format", "markdown").stdout
    assert "| published | change |" in markdown and "unannounced → 2025-06-09" in markdown
    unknown = vigil(demo_db, "timeline", "nope", "--rules", RULES)
    assert unknown.returncode == 1 and "unknown item" in unknown.stderr


def test_why_walks_from_alert_to_entry_and_to_its_delivery(demo_db: str) -> None:
    alerts = vigil(demo_db, "alerts").stdout
    alert_id = next(line.split()[0] for line in alerts.splitlines() if "exchange-date" in line)
    chain = vigil(demo_db, "why", alert_id).stdout
    assert "ItemStateChanged" in chain and "exchange-date unannounced -> 2025-06-09" in chain
    # The demo's date is first reported in Ukrainian (an English wire corroborates it hours later).
    assert "призначено на понеділок" in chain and "EntryObserved" in chain and "AlertDelivered" in chain
    missing = vigil(demo_db, "why", "al-0000")
    assert missing.returncode == 1 and "no alert with id" in missing.stderr


def test_why_says_so_when_an_alerts_recorded_cause_is_no_state_change(tmp_path: Path) -> None:
    # A log imported from elsewhere or made by hand may point anywhere; this used to end in a traceback.
    db = str(tmp_path / "odd.db")
    store = open_pipeline_store(db)
    store.append("config", [NewEvent("RulesLoaded", {"rules_hash": "h", "files": [], "items": [], "alerts": [],
                                                     "sources": []})])
    store.append("alert:al-odd", [NewEvent("AlertRaised", {
        "alert_id": "al-odd", "rule": "r", "item": "ceasefire", "severity": "info", "title": "Odd", "body": "",
        "subscribers": [], "trigger_position": 1, "rules_hash": "h"}, {"causation_id": 1})])
    store.close()

    result = vigil(db, "why", "al-odd")

    assert result.returncode == 0, result.stderr
    assert "no state change at position 1, the alert's recorded cause" in result.stdout


def test_backtest_compares_new_rules_with_what_was_raised_without_touching_the_store(
    demo_db: str, tmp_path: Path
) -> None:
    before = vigil(demo_db, "events", "--limit", "1").stdout
    same = vigil(demo_db, "backtest", "--rules", RULES, "--fail-on-diff")
    assert same.returncode == 0 and "no difference" in same.stdout

    tightened = tmp_path / "tight.yaml"
    text = Path(RULES).read_text()
    # A rule author drops the summit's proposal patterns: the summit alert should disappear.
    start = text.index("      proposed:")
    end = text.index("      scheduled:")
    tightened.write_text(text[:start] + "      proposed: ['proposed a summit of the leaders']\n" + text[end:])
    diff = vigil(demo_db, "backtest", "--rules", str(tightened), "--fail-on-diff")
    assert diff.returncode == 1
    assert "removed: summit-news [summit -> proposed]" in diff.stdout
    assert vigil(demo_db, "events", "--limit", "1").stdout == before  # the live store is untouched


THROTTLED_RULES = """\
sources:
  wire: {{url: "{feed}", every: 1m}}
items:
  truce:
    title: Truce
    initial: none
    states:
      agreed: ['truce (was|is) agreed']
      collapsed: ['truce (has )?collapsed']
alerts:
  - name: truce-news
    when: {{item: truce}}
    throttle: {throttle}
"""
# An item agreed, collapsed an hour later and agreed again an hour after that, each read live as it
# was published.
TRUCE_NEWS = [
    ("t1", "A truce was agreed in the capital this morning.", datetime(2026, 3, 2, 9, 0, tzinfo=UTC)),
    ("t2", "The truce has collapsed after an hour of shelling.", datetime(2026, 3, 2, 10, 0, tzinfo=UTC)),
    ("t3", "By noon a new truce was agreed by both commanders.", datetime(2026, 3, 2, 11, 0, tzinfo=UTC)),
]


def _record_news(db: Path, rules: Path, throttle: str, news: list[tuple[str, str, datetime]]) -> None:
    """Run the pipeline once per story, as it is published: each read two minutes after publication."""
    with FixtureFeedServer() as feeds:
        rules.write_text(THROTTLED_RULES.format(feed=feeds.url("/wire.xml"), throttle=throttle))
        pipeline = Pipeline(open_pipeline_store(str(db)), load_rules([rules], env={}), env={})
        try:
            pipeline.record_configuration()
            published: list[FixtureItem] = []
            for guid, sentence, moment in news:
                # The item's HTML holds the sentence escaped: what the feed says is that literal text.
                published.append(FixtureItem("Wire report", html.escape(sentence, quote=False), guid=guid,
                                             link=f"https://news.test/{guid}", published=moment))
                feeds.set_feed("/wire.xml", rss_xml(reversed(published)))
                pipeline.store.clock = lambda moment=moment: moment + timedelta(minutes=2)
                pipeline.run_once()
        finally:
            pipeline.close()
            pipeline.store.close()


def test_backtest_throttles_on_the_live_timeline_and_counts_repeated_alerts(tmp_path: Path) -> None:
    db, live_rules = tmp_path / "live.db", tmp_path / "live.yaml"
    _record_news(db, live_rules, "90m", TRUCE_NEWS)

    # Live, the 90-minute throttle held back the collapse (an hour after the first alert) and let the
    # second agreement (two hours after it) through.
    live = vigil(str(db), "alerts")
    assert live.stdout.count("truce-news") == 2, live.stdout
    same = vigil(str(db), "backtest", "--rules", str(live_rules), "--fail-on-diff")
    assert same.returncode == 0, same.stdout
    assert "the rules would raise 2 alerts" in same.stdout and "no difference" in same.stdout

    tighter = tmp_path / "tighter.yaml"
    tighter.write_text(live_rules.read_text().replace("throttle: 90m", "throttle: 3h"))
    diff = vigil(str(db), "backtest", "--rules", str(tighter), "--fail-on-diff")
    assert diff.returncode == 1
    assert "the rules would raise 1 alerts" in diff.stdout
    removed = [line for line in diff.stdout.splitlines() if line.startswith("removed:")]
    assert removed == ['removed: truce-news [truce -> agreed] "By noon a new truce was agreed by both commanders."']

    # A window starting after the first agreement: the items enter it as that agreement left them
    # (agreed, its alert throttling the collapse), not afresh.
    window = vigil(str(db), "backtest", "--rules", str(live_rules), "--since", "2026-03-02T09:30Z", "--fail-on-diff")
    assert window.returncode == 0, window.stdout
    assert "2 entries replayed (and 1 earlier ones, for the state they left): the rules would raise 1 alerts" in (
        window.stdout
    )

    looser = tmp_path / "looser.yaml"
    looser.write_text(live_rules.read_text().replace("throttle: 90m", "throttle: 30m"))
    diff = vigil(str(db), "backtest", "--rules", str(looser), "--fail-on-diff")
    assert diff.returncode == 1
    assert [line for line in diff.stdout.splitlines() if line.startswith(("added:", "removed:"))] == [
        'added: truce-news [truce -> collapsed] "The truce has collapsed after an hour of shelling."'
    ]


def test_a_markdown_timeline_shows_feed_text_literally(tmp_path: Path) -> None:
    db, rules = tmp_path / "live.db", tmp_path / "rules.yaml"
    hostile = ("A truce was agreed | signed [click here](https://evil.test/phish) by *both* sides "
               "<img src=x onerror=alert(1)> and `all` units.")
    _record_news(db, rules, "1m", [("h1", hostile, datetime(2026, 3, 2, 9, 0, tzinfo=UTC))])
    result = vigil(str(db), "timeline", "truce", "--rules", str(rules), "--format", "markdown")
    assert result.returncode == 0, result.stderr
    row = result.stdout.splitlines()[-1]
    assert len(re.findall(r"(?<!\\)\|", row)) == 5, row  # four cells: the sentence's "|" is escaped
    assert r"\[click here\](https://evil.test/phish)" in row and "[click here](" not in row
    assert r"\<img src=x onerror=alert(1)\>" in row and r"\*both\*" in row and r"\`all\`" in row
    assert "([wire](<https://news.test/h1>))" in row


def test_a_moment_without_an_offset_is_utc_in_words_as_in_iso_form_whatever_the_machines_zone(tmp_path: Path) -> None:
    db, rules = tmp_path / "live.db", tmp_path / "rules.yaml"
    _record_news(db, rules, "1m", TRUCE_NEWS)  # recorded 09:02 (agreed), 10:02 (collapsed), 11:02 UTC
    for moment in ("2026-03-02T10:30", "2 March 2026 10:30", "March 2, 2026 10:30 am"):
        known = vigil(str(db), "state", "--rules", str(rules), "--at", moment, tz="Asia/Tokyo")
        assert known.returncode == 0, known.stderr
        assert known.stdout.splitlines()[0] == "as known at 2026-03-02T10:30:00+00:00 (recorded by then):", moment
        assert known.stdout.splitlines()[1].startswith("truce: collapsed"), (moment, known.stdout)
