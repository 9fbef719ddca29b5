"""``kind: page`` sources: a statements page with no feed, read with a CSS selector, poll after poll.

Served on loopback HTTP by the test's feed server (which answers conditional GETs with 304s), polled
by the same ``poll_source`` the daemon runs, recorded in a real SQLite store.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx

from service.pipeline.wiring import Pipeline, open_pipeline_store
from service.rules.loader import load_rules
from service.rules.models import RuleSet, SourceSpec
from service.sources.health import source_health
from service.sources.poller import PollOutcome, poll_source
from service.store.recorder import EventStore
from tests.sources.texts import EXCHANGE_RULES
from tests.support.feedserver import FeedServer
from tests.support.receivers import JsonReceiver

HTML = "text/html; charset=utf-8"
SELECTOR = "div.statement"


def statement(slug: str, heading: str, text: str, *, day: str = "2025-06-02") -> str:
    """One block of the fixture page: a heading, a date, a paragraph and a link to the full statement."""
    return (
        f'<div class="statement"><h3>{heading}</h3><time datetime="{day}T10:00:00+03:00">{day}</time>'
        f'<p>{text}</p><a href="/statements/{slug}">Read the statement</a></div>'
    )


def page(*blocks: str) -> str:
    """A ministry's statements page: navigation, a sidebar and a footer around the blocks."""
    return (
        "<!DOCTYPE html><html><head><title>Statements</title><script>var tracker = '<div class=\"statement\">';"
        "</script><link rel=stylesheet href=/style.css></head><body><nav><a href=/>Home</a></nav>"
        f"<main>{''.join(blocks)}</main><aside>Subscribe to our newsletter</aside><footer>(c) Ministry</footer>"
        "</body></html>"
    )


TALKS = statement("talks", "Talks in Istanbul", "Delegations of Ukraine and Russia met in Istanbul for a second round.")
GRAIN = statement("grain", "Grain corridor", "The Black Sea grain corridor stays open this week.")
EXCHANGE = statement(
    "exchange", "Prisoner exchange", "Ukraine and Russia agreed to a new prisoner exchange, Kyiv and Moscow said."
)


def _poll(store: EventStore, spec: SourceSpec, after: int) -> tuple[PollOutcome, list[tuple[str, dict]]]:
    """Poll the ``mfa`` page once; return the outcome and the events it recorded after ``after``."""
    with httpx.Client() as client:
        outcome = poll_source(store, "mfa", spec, owner="test", now=datetime.now(UTC), client=client, force=True)
    return outcome, [(e.type, e.data) for e in store.read_all(after)]


def _last_position(store: EventStore) -> int:
    return max((e.position for e in store.read_all()), default=0)


def test_only_blocks_added_since_the_last_poll_are_new_and_an_edited_block_is_a_revision(
    pages: FeedServer, page_store: EventStore
) -> None:
    spec = SourceSpec(kind="page", url=pages.url("/statements"), selector=SELECTOR)
    pages.set_feed("/statements", page(TALKS, GRAIN), content_type=HTML)

    outcome, events = _poll(page_store, spec, 0)
    observed = [data for kind, data in events if kind == "EntryObserved"]
    assert outcome.status == "ok" and outcome.new == 2
    # Recorded oldest first, as feed entries are: a page lists its newest block at the top.
    assert [(e["guid"], e["title"]) for e in observed] == [
        (pages.url("/statements/grain"), "Grain corridor"),
        (pages.url("/statements/talks"), "Talks in Istanbul"),
    ]
    talks = observed[1]
    assert talks["link"] == pages.url("/statements/talks")
    # The block's text without its heading, navigation or scripts; dated by its <time>, in its own offset.
    assert "Delegations of Ukraine and Russia met in Istanbul" in talks["text"]
    assert "Subscribe" not in talks["text"] and "tracker" not in talks["text"] and "Talks in" not in talks["text"]
    assert talks["published"].startswith("2025-06-02T07:00:00") and talks["published_offset_minutes"] == 180
    assert "text/html" in pages.last_request("/statements").headers["accept"]

    # Unchanged: the validators earn a 304 and nothing is recorded but the poll.
    at = _last_position(page_store)
    outcome, events = _poll(page_store, spec, at)
    assert outcome.status == "unchanged" and [kind for kind, _ in events] == ["SourcePolled"]
    assert events[0][1]["status"] == 304

    # A statement added at the top: it alone is new; the two known blocks are not seen again.
    at = _last_position(page_store)
    pages.set_feed("/statements", page(EXCHANGE, TALKS, GRAIN), content_type=HTML)
    outcome, events = _poll(page_store, spec, at)
    assert (outcome.new, outcome.revised) == (1, 0)
    assert [(kind, data["guid"]) for kind, data in events if kind != "SourcePolled"] == [
        ("EntryObserved", pages.url("/statements/exchange"))
    ]

    # The talks statement is edited in place (same link): a revision, carrying the new text.
    at = _last_position(page_store)
    edited = TALKS.replace("for a second round.", "for a second round and agreed to meet again in July.")
    pages.set_feed("/statements", page(EXCHANGE, edited, GRAIN), content_type=HTML)
    outcome, events = _poll(page_store, spec, at)
    assert (outcome.new, outcome.revised) == (0, 1)
    revised = [data for kind, data in events if kind == "EntryRevised"]
    assert [r["guid"] for r in revised] == [pages.url("/statements/talks")]
    assert "agreed to meet again in July" in revised[0]["text"]
    assert revised[0]["previous_hash"] == talks["content_hash"]


def test_blocks_without_a_link_are_told_apart_by_their_text(pages: FeedServer, page_store: EventStore) -> None:
    spec = SourceSpec(kind="page", url=pages.url("/notices"), selector="li.notice")
    notices = ['<li class="notice">Border crossing at Uzhhorod reopened.</li>',
               '<li class="notice">Consular hours extended on Saturday.</li>']
    pages.set_feed("/notices", f"<ul>{''.join(notices)}</ul>", content_type=HTML)
    outcome, events = _poll(page_store, spec, 0)
    first = [data["guid"] for kind, data in events if kind == "EntryObserved"]
    assert outcome.new == 2 and all(guid.startswith("sha256:") for guid in first) and len(set(first)) == 2

    # The list reordered, with a third notice: only the third is new.
    at = _last_position(page_store)
    added = '<li class="notice">Visa centre in Lviv closed on Monday.</li>'
    pages.set_feed("/notices", f"<ul>{added}{notices[1]}{notices[0]}</ul>", content_type=HTML)
    outcome, events = _poll(page_store, spec, at)
    assert (outcome.new, outcome.revised) == (1, 0)
    assert [data["text"] for kind, data in events if kind == "EntryObserved"] == [
        "Visa centre in Lviv closed on Monday."
    ]


def test_a_page_that_stops_matching_warns_in_source_health_and_takes_nothing_back(
    pages: FeedServer, page_store: EventStore
) -> None:
    spec = SourceSpec(kind="page", url=pages.url("/statements"), selector=SELECTOR)
    rules = RuleSet(sources={"mfa": spec})
    pages.set_feed("/statements", page(TALKS, GRAIN), content_type=HTML)
    _poll(page_store, spec, 0)
    assert source_health(page_store, rules)[0].problem is None

    # The site's redesign renames the class: nothing matches any more.
    at = _last_position(page_store)
    redesigned = page(TALKS, GRAIN).replace('class="statement"', 'class="press-release"')
    pages.set_feed("/statements", redesigned, content_type=HTML)
    outcome, events = _poll(page_store, spec, at)
    assert outcome.status == "unchanged" and [kind for kind, _ in events] == ["SourcePolled"]
    health = source_health(page_store, rules)[0]
    assert health.health == "ok" and health.kind == "page" and health.entries_seen == 2  # nothing taken back
    assert health.problem is not None
    assert "selector 'div.statement' matched nothing on the page" in health.problem
    assert outcome.detail == health.problem  # the daemon logs it as a warning
    # Polled again, the unchanged page answers 304: the warning stays until the page or selector changes.
    outcome, _ = _poll(page_store, spec, _last_position(page_store))
    assert outcome.detail == health.problem and source_health(page_store, rules)[0].problem == health.problem

    # The selector fixed to the new layout: the same statements are known, not new again.
    at = _last_position(page_store)
    fixed = SourceSpec(kind="page", url=pages.url("/statements"), selector="div.press-release")
    outcome, events = _poll(page_store, fixed, at)
    assert (outcome.new, outcome.revised) == (0, 0) and source_health(page_store, rules)[0].problem is None


def test_a_changed_selector_reads_the_page_anew_though_the_page_did_not_change(
    pages: FeedServer, page_store: EventStore
) -> None:
    notice = '<div class="notice"><a href="/notices/1">Consular hours extended on Saturday.</a></div>'
    pages.set_feed("/statements", page(TALKS, GRAIN) + notice, content_type=HTML)
    _poll(page_store, SourceSpec(kind="page", url=pages.url("/statements"), selector=SELECTOR), 0)

    at = _last_position(page_store)
    wider = SourceSpec(kind="page", url=pages.url("/statements"), selector=f"{SELECTOR}, div.notice")
    outcome, events = _poll(page_store, wider, at)

    # Without validators (they were earned under the old selector): a 200, and the notice is new.
    assert "if-none-match" not in pages.last_request("/statements").headers
    assert (outcome.status, outcome.new) == ("ok", 1)
    assert [data["guid"] for kind, data in events if kind == "EntryObserved"] == [pages.url("/notices/1")]
    assert events[-1][1]["selector"] == f"{SELECTOR}, div.notice"


RULES = """\
sources:
  mfa:
    kind: page
    url: "{url}"
    selector: "main div.statement"
    every: 1m
""" + EXCHANGE_RULES


def test_a_statement_added_to_a_page_reaches_a_subscriber_with_its_sentence_and_link(
    pages: FeedServer, sqlite_url: str, tmp_path: Path
) -> None:
    pages.set_feed("/statements", page(TALKS, GRAIN), content_type=HTML)
    rules = tmp_path / "rules.yaml"
    with JsonReceiver() as hook:
        rules.write_text(RULES.format(url=pages.url("/statements"), hook=hook.url("/hook")))
        store = open_pipeline_store(sqlite_url)
        pipeline = Pipeline(store, load_rules([rules], env={}), env={})
        try:
            pipeline.record_configuration()
            pipeline.run_once()
            assert hook.requests() == []  # talks and grain news move no item
            pages.set_feed("/statements", page(EXCHANGE, TALKS, GRAIN), content_type=HTML)
            pipeline.run_once()
            pipeline.run_once()  # unchanged page: nothing more
        finally:
            pipeline.close()
            store.engine.dispose()
        delivered = [request.json() for request in hook.requests()]
    assert len(delivered) == 1
    message = delivered[0]["title"] + "\n" + delivered[0]["message"]
    assert "agreed" in message
    assert "agreed to a new prisoner exchange" in message and pages.url("/statements/exchange") in message
