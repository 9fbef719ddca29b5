"""Hostile web pages meet the limits hostile feeds meet: each ends as a failed poll or a partial read,
with a reason a person understands, and nothing a page points at is fetched.

The markup that would hold the HTML parser for hours (deep nesting is quadratic in lexbor) is refused
before parsing; without that check the nesting case below would not finish within pytest's timeout.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest

from service.rules.models import SourceSpec
from service.sources.page import MAX_BLOCKS
from service.sources.parse import MAX_ENTRY_CHARS
from service.sources.poller import PollSettings, poll_source
from service.store.recorder import EventStore
from tests.support.feedserver import FeedServer

HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Case:
    """A hostile page, what its poll must end as, and a phrase its reason must hold."""

    name: str
    body: bytes | None  # None: served by ``serve`` below
    outcome: str  # "failed" or "partial"
    reason: str
    content_type: str = HTML


def _block(n: int) -> str:
    return f'<div class="s"><a href="/s/{n}">Statement {n}</a> issued today.</div>'


CASES = [
    Case("deep-nesting", b"<div>" * 200_000 + b'<div class="s">x</div>', "failed", "nested too deep"),
    Case("unclosed-mismatch", b"<div></span>" * 150_000, "failed", "nested too deep"),
    Case("tag-flood", b"<b>" * 400_000, "failed", "too much markup"),
    Case("block-flood", "".join(_block(n) for n in range(MAX_BLOCKS * 3)).encode(), "partial",
         f"{MAX_BLOCKS * 3} blocks matched, only the first {MAX_BLOCKS} were read"),
    Case("giant-block", (_block(1) + '<div class="s">' + "war " * (MAX_ENTRY_CHARS // 3) + "</div>").encode(),
         "partial", "over the 1000000-character limit left out"),
    Case("not-a-page", b"\x89PNG\r\n\x1a\n" + b"\x00" * 500, "failed", "not a web page: the server sent image/png",
         content_type="image/png"),
    Case("empty", b"   ", "failed", "empty response"),
    Case("huge", None, "failed", "response larger than"),
    Case("hang", None, "failed", "timed out"),
]


def _poll(store: EventStore, url: str, selector: str = "div.s") -> tuple[str, dict]:
    spec = SourceSpec(kind="page", url=url, selector=selector)
    with httpx.Client() as client:
        outcome = poll_source(store, "page", spec, owner="test", now=datetime.now(UTC), client=client,
                              settings=PollSettings(timeout=2.5, max_bytes=5_000_000), force=True)
    recorded = [e.data for e in store.read_all() if e.type in ("SourcePolled", "SourcePollFailed")][-1]
    return outcome.status, recorded


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_hostile_page_is_a_failed_poll_or_a_partial_read(pages: FeedServer, page_store: EventStore,
                                                            case: Case) -> None:
    if case.name == "huge":
        pages.set_huge("/page", 30_000_000)
    elif case.name == "hang":
        pages.set_hang("/page")
    else:
        assert case.body is not None
        pages.set_feed("/page", case.body, content_type=case.content_type)

    status, recorded = _poll(page_store, pages.url("/page"))

    if case.outcome == "failed":
        assert status == "failed" and case.reason in recorded["reason"], recorded
    else:
        assert status == "ok" and case.reason in (recorded["problem"] or ""), recorded
        entries = [e.data for e in page_store.read_all() if e.type == "EntryObserved"]
        assert 0 < len(entries) <= MAX_BLOCKS
        assert max(len(e["text"]) for e in entries) < MAX_ENTRY_CHARS


def test_nothing_a_page_points_at_is_fetched_and_only_web_links_travel(pages: FeedServer,
                                                                       page_store: EventStore) -> None:
    pages.set_feed("/sentinel", "<p>fetched</p>", content_type=HTML)
    body = (
        '<html><head><link rel="stylesheet" href="/sentinel"><script src="/sentinel"></script>'
        '<meta http-equiv="refresh" content="0; url=/sentinel"></head><body>'
        '<div class="s"><iframe src="/sentinel"></iframe><img src="/sentinel">'
        '<a href="javascript:fetch(\'/sentinel\')">Statement\x00 on talks</a> Talks\x01 resume.</div>'
        '<div class="s"><a href="data:text/html,hi">Second</a> statement.</div></body></html>'
    )
    pages.set_feed("/page", body, content_type=HTML)

    status, _ = _poll(page_store, pages.url("/page"))

    entries = [e.data for e in page_store.read_all() if e.type == "EntryObserved"]
    assert status == "ok" and len(entries) == 2
    assert all(entry["link"] == "" and entry["guid"].startswith("sha256:") for entry in entries)
    assert sorted(entry["text"] for entry in entries) == ["Second statement.", "Statement on talks Talks resume."]
    assert pages.request_count("/sentinel") == 0


def test_a_page_in_the_charset_it_declares_is_read_as_written(pages: FeedServer, page_store: EventStore) -> None:
    body = '<meta charset="windows-1251"><div class="s">Переговори у Стамбулі завершилися.</div>'
    pages.set_feed("/page", body.encode("windows-1251"), content_type="text/html")

    status, _ = _poll(page_store, pages.url("/page"))

    entries = [e.data for e in page_store.read_all() if e.type == "EntryObserved"]
    assert status == "ok" and [entry["text"] for entry in entries] == ["Переговори у Стамбулі завершилися."]


def test_a_secret_in_the_page_url_does_not_travel_in_the_links_resolved_against_it(
    pages: FeedServer, page_store: EventStore
) -> None:
    secret = "k3y-" + "9f8e7d6c5b4a" * 2
    pages.set_feed("/page", '<div class="s"><a href="#talks">Talks resume.</a></div>', content_type=HTML)

    status, _ = _poll(page_store, pages.url(f"/page?apikey={secret}"))

    entries = [e.data for e in page_store.read_all() if e.type == "EntryObserved"]
    assert status == "ok" and [entry["link"] for entry in entries] == [pages.url("/page?apikey=***#talks")]
    assert secret not in " ".join(f"{e.data} {e.metadata}" for e in page_store.read_all())
