"""The web dashboard in a real headless browser (Debian's chromium through playwright), served by a real
``vigil run --http`` daemon over a store built by the real pipeline from feeds on loopback.

Screenshots (desktop and phone) are saved under tests/artifacts/.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from service.demo.feeds import FeedItem, FeedServer, render_rss
from service.pipeline.wiring import Pipeline, open_pipeline_store
from service.rules.loader import load_rules
from service.web.dashboard.rendering import http_url
from tests.pipeline.harness import vigil_env
from tests.support.receivers import JsonReceiver, free_port
from tests.web.browsing import box, open_page, screenshot
from tests.web.served import start_served, vigil_command

if TYPE_CHECKING:
    from playwright.sync_api import Browser

SECRET = "s3cr3t-dashboard-key-0042"
# Feed text is HTML; entities keep the hostile markup as text so that it reaches a sentence as written.
HOSTILE_MARKUP = "&lt;script&gt;alert('xss')&lt;/script&gt; \"onmouseover=\"alert(1)"
HOSTILE_SHOWN = "<script>alert('xss')</script>"

RULES = """\
sources:
  wire: {{url: "{wire}", every: 1h, title: Wire service}}
  courier: {{url: "{courier}", every: 1h, title: The Courier}}
items:
  exchange:
    title: Prisoner exchange
    scope: [[ukraine, ukrainian, kyiv], [russia, russian, moscow]]
    initial: none
    states:
      agreed: ['agreed (to|on) (a|an) (new )?prisoner (exchange|swap)']
      completed: ['(exchange|swap) was completed']
  exchange-date:
    title: Date of the exchange
    kind: date
    scope: [[ukraine, ukrainian, kyiv], [russia, russian, moscow]]
    set: ['(exchange|swap) will take place on {{date}}']
    unset: ['date of the (exchange|swap) has not (yet )?been announced']
  ceasefire:
    title: Ukraine–Russia ceasefire
    scope: [[ukraine, kyiv], [russia, moscow]]
    initial: none
    states:
      agreed: ['agreed to a ceasefire']
      collapsed: ['ceasefire (has )?collapsed']
  summit:
    title: Leaders' summit
    scope: [[ukraine, kyiv], [russia, moscow]]
    initial: none
    states:
      scheduled: ['summit (is|was) scheduled']
alerts:
  - name: exchange-news
    when: {{item: exchange}}
    severity: warning
    notify: [ops, pager]
  - name: date-news
    when: {{item: exchange-date}}
    notify: [ops]
  - name: ceasefire-news
    when: {{item: ceasefire}}
    severity: critical
    notify: [ops]
subscribers:
  ops: {{urls: ["{hook}"]}}
  pager: {{urls: ["json://127.0.0.1:{closed_port}/page"]}}
"""


@dataclass(frozen=True)
class Entry:
    """One feed entry, published ``days`` after the story starts."""

    feed: str
    guid: str
    days: float
    title: str
    text: str
    link: str = ""


def story(start: datetime) -> list[list[Entry]]:
    """The entries, in the polls that first see them."""
    date_day = start + timedelta(days=4)
    return [
        [
            Entry(
                "wire",
                "w1",
                0,
                "Talks end with a deal on prisoners",
                "Ukraine and Russia agreed to a new prisoner exchange after talks in Istanbul. "
                "The date of the exchange has not yet been announced. "
                "Kyiv hoped the swap was completed by the summer.",  # a near miss: vetoed by "hoped"
            )
        ],
        [
            Entry(
                "courier",
                "c1",
                1,
                "Exchange date set",
                f"Officials in Kyiv and Moscow said the exchange will take place on {date_day.day} {date_day:%B}.",
            ),
            Entry(
                "courier",
                "c2",
                2,
                "Truce <b>announced</b>",
                f"Ukraine and Russia agreed to a ceasefire {HOSTILE_MARKUP} on Friday, Kyiv said.",
                link="javascript:alert(document.cookie)",
            ),
        ],
        [
            Entry(
                "courier",
                "c3",
                3,
                "Swap confirmed",
                "Moscow and Kyiv agreed to a new prisoner exchange of 300 captives, both sides confirmed.",
            ),
            Entry(
                "wire",
                "w2",
                4.5,
                "Exchange done",
                "The swap was completed on Tuesday, Ukrainian and Russian officials said.",
            ),
        ],
    ]


@dataclass
class Served:
    """The daemon serving the dashboard, and what the browser should find there."""

    base_url: str
    hook_url: str
    states: dict[str, str]


def _publish(feeds: FeedServer, entries: dict[str, dict[str, Entry]], start: datetime) -> None:
    feeds.publish(
        {
            name: render_rss(
                name,
                [
                    FeedItem(
                        e.guid, e.title, e.text, start + timedelta(days=e.days), e.link or f"https://news.test/{e.guid}"
                    )
                    for e in items.values()
                ],
            )
            for name, items in entries.items()
        }
    )


@contextmanager
def serving_story(db: str, folder: Path) -> Iterator[Served]:
    """Build a store with the real pipeline from the story's feeds, then serve it with ``vigil run --http``."""
    start = (datetime.now(UTC) - timedelta(days=6)).replace(minute=0, second=0, microsecond=0)
    with FeedServer() as feeds, JsonReceiver() as hook:
        hook_url = hook.url("/hook", f"+X-Api-Key={SECRET}")
        rules = folder / "rules.yaml"
        rules.write_text(
            RULES.format(wire=feeds.url("wire"), courier=feeds.url("courier"), hook=hook_url, closed_port=free_port())
        )
        entries: dict[str, dict[str, Entry]] = {"wire": {}, "courier": {}}
        store = open_pipeline_store(db)
        pipeline = Pipeline(store, load_rules([rules], env={}))
        try:
            pipeline.record_configuration()
            for step in story(start):
                for entry in step:
                    entries[entry.feed][entry.guid] = entry
                _publish(feeds, entries, start)
                pipeline.run_once()
        finally:
            pipeline.close()
            store.close()
        assert len(hook.requests()) == 4  # the four state changes reached the receiver

        daemon = start_served(vigil_command(rules), folder / "daemon.log", vigil_env(db), readiness="/")
        day = start + timedelta(days=4)
        states = {"exchange": "completed", "exchange-date": f"{day.day} {day:%b %Y}", "ceasefire": "agreed"}
        try:
            yield Served(base_url=daemon.base_url, hook_url=hook_url, states={**states, "summit": "none"})
        finally:
            assert daemon.stop() == 0, daemon.log_text()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The story on SQLite, served for every browser test of this module."""
    folder = tmp_path_factory.mktemp("dashboard")
    with serving_story(str(folder / "vigil.db"), folder) as serving:
        yield serving


def test_dashboard_shows_every_item_its_state_and_a_drawn_timeline(browser: Browser, served: Served) -> None:
    page, errors, dialogs = open_page(browser, served.base_url + "/")
    for item, state in served.states.items():
        card = page.locator(f'article.item-card[data-item="{item}"]')
        assert card.locator(".item-state").inner_text().strip() == state
        timeline = card.locator("svg.timeline-svg")
        assert box(timeline)["width"] > 300
        bands = timeline.locator(".band rect")
        assert bands.count() >= 1 and all(box(bands.nth(i))["width"] > 0 for i in range(bands.count()))
    exchange = page.locator('article.item-card[data-item="exchange"]')
    assert exchange.locator(".band rect").count() == 3  # none, agreed, completed
    marks = exchange.locator(".mark .dot")
    assert marks.count() == 3 and all(box(marks.nth(i))["height"] > 0 for i in range(3))
    assert "since" in exchange.locator(".state-line").inner_text()
    legend = exchange.locator(".legend").inner_text()
    assert "none" in legend and "agreed" in legend and "completed" in legend
    assert "initial state" in page.locator('article.item-card[data-item="summit"]').inner_text()

    alerts = page.locator("table.alerts tbody tr")
    assert alerts.count() == 4
    assert "delivered" in alerts.first.inner_text()
    assert page.locator("table.alerts .status-pill.status-failed").count() >= 1  # the pager is unreachable
    sources = page.locator("table.sources")
    assert "Wire service" in sources.inner_text() and "The Courier" in sources.inner_text()
    assert sources.locator(".status-pill.health-ok").count() == 2

    screenshot(page, "dashboard-desktop.png")
    assert errors == [] and dialogs == []
    page.close()


def test_clicking_a_mark_shows_its_evidence_and_links_the_source(browser: Browser, served: Served) -> None:
    page, errors, _ = open_page(browser, served.base_url + "/")
    card = page.locator('article.item-card[data-item="exchange"]')
    panel = card.locator(".evidence-panel")
    assert panel.locator(".evidence:visible").count() == 0
    card.locator(".mark").last.click()
    shown = panel.locator(".evidence:visible")
    assert shown.count() == 1
    assert "The swap was completed on Tuesday" in shown.locator(".sentence").inner_text()
    assert "wire" in shown.inner_text() and "moved the state" in shown.inner_text()
    assert shown.locator("a.source-link").get_attribute("href") == "https://news.test/w2"
    card.locator(".mark").nth(1).click()  # another mark replaces it
    assert panel.locator(".evidence:visible").count() == 1
    assert "300 captives" in panel.locator(".evidence:visible .sentence").inner_text()
    assert "moved the state" not in panel.locator(".evidence:visible").inner_text()
    card.locator(".mark").first.focus()  # the keyboard opens a mark too
    page.keyboard.press("Enter")
    assert "after talks in Istanbul" in panel.locator(".evidence:visible .sentence").inner_text()
    assert errors == []
    page.close()


def test_hostile_feed_text_is_shown_as_text_and_never_run(browser: Browser, served: Served) -> None:
    page, errors, dialogs = open_page(browser, served.base_url + "/")
    card = page.locator('article.item-card[data-item="ceasefire"]')
    assert HOSTILE_SHOWN in card.locator("blockquote.sentence").first.inner_text()
    card.locator(".mark").first.click()
    shown = card.locator(".evidence:visible")
    assert HOSTILE_SHOWN in shown.inner_text() and '"onmouseover="alert(1)' in shown.inner_text()
    card.locator(".mark").first.hover()
    assert page.locator("script:not([src])").count() == 0
    assert page.locator("[onmouseover]").count() == 0
    # The entry's javascript: link is not rendered anywhere; the evidence says it has no web link.
    assert page.locator('a[href^="javascript"]').count() == 0
    assert "no web link" in shown.inner_text()
    html = page.content()
    assert SECRET not in html and served.hook_url not in html  # subscriber URLs never appear
    assert errors == [] and dialogs == []
    # And if markup ever slipped through, the browser would refuse to run it: no inline script allowed.
    policy = httpx.get(served.base_url + "/", timeout=10).headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    page.close()


def test_on_a_phone_the_page_fits_the_screen_and_marks_stillopen_page(browser: Browser, served: Served) -> None:
    page, errors, _ = open_page(browser, served.base_url + "/", width=390, height=844)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow == 0
    card = page.locator('article.item-card[data-item="exchange-date"]')
    assert box(card)["width"] <= 390
    card.locator(".mark").last.click()
    assert "will take place on" in card.locator(".evidence:visible .sentence").inner_text()
    screenshot(page, "dashboard-phone.png")
    assert errors == []
    page.close()


def test_an_item_page_lists_each_change_with_its_evidence(browser: Browser, served: Served) -> None:
    page, errors, _ = open_page(browser, served.base_url + "/dashboard/items/exchange")
    assert page.locator("h1").inner_text() == "Prisoner exchange"
    changes = page.locator("ol.changes > li")
    assert changes.count() == 2
    assert "agreed → completed" in changes.first.inner_text().replace("\n", " ")
    assert "agreed to a new prisoner exchange after talks" in changes.last.inner_text()
    assert page.locator("table.alerts tbody tr").count() == 2
    page.locator(".mark").first.click()
    assert "after talks in Istanbul" in page.locator(".evidence:visible").inner_text()
    screenshot(page, "dashboard-item.png")
    assert errors == []
    missing = page.goto(served.base_url + "/dashboard/items/nope")
    assert missing is not None and missing.status == 404
    assert "exchange-date" in page.locator("main").inner_text()  # the known items are offered instead
    page.close()


def test_an_item_page_shows_its_near_misses_with_guard_and_cue_and_not_as_evidence(
    browser: Browser, served: Served
) -> None:
    page, errors, _ = open_page(browser, served.base_url + "/dashboard/items/exchange")
    misses = page.locator("section.near-misses li.near-miss")
    assert misses.count() == 1
    miss = misses.first
    assert miss.get_attribute("data-guard") == "hedge"
    assert miss.locator("q.cue").inner_text() == "hoped"
    assert "Kyiv hoped the swap was completed by the summer." in miss.locator("blockquote").inner_text()
    assert "completed" in miss.inner_text()  # the value it would have been evidence for
    # Not evidence: no change or timeline mark quotes it.
    assert "Kyiv hoped" not in page.locator("ol.changes").inner_text()
    assert page.locator("ol.changes > li").count() == 2
    screenshot(page, "dashboard-item-near-misses.png")
    assert errors == []
    page.close()


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "  JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "//evil.test/path",
        "/relative/path",
        "https://",
    ],
)
def test_only_absolute_http_links_from_feeds_are_rendered(link: str) -> None:
    assert http_url(link) is None


def test_http_and_https_links_are_rendered_as_given() -> None:
    assert http_url("https://news.test/a?b=1&c=2") == "https://news.test/a?b=1&c=2"
    assert http_url("HTTP://news.test/") == "HTTP://news.test/"


@pytest.mark.postgres
def test_the_dashboard_reads_a_postgresql_store(pg_url: str, tmp_path: Path) -> None:
    with serving_story(pg_url, tmp_path) as serving:
        page = httpx.get(serving.base_url + "/", timeout=10)
        item = httpx.get(serving.base_url + "/dashboard/items/exchange", timeout=10)
    assert page.status_code == 200 and item.status_code == 200
    for name, state in serving.states.items():
        card = page.text.split(f'data-item="{name}"', 1)[1]
        assert f'<span class="swatch" aria-hidden="true"></span>{state}</span>' in card[:1500], name
    assert page.text.count("<time datetime=") > 8
    assert page.text.count('class="status-pill health-ok"') == 2
    assert page.text.count('class="status-pill status-delivered"') == 4
    assert item.text.count('<li class="change card">') == 2
    assert SECRET not in page.text + item.text
