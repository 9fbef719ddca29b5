"""An item that changed state many times: the front page draws its newest changes, the item page and the
timeline API a page of them at a time, with a way back to the older ones."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from service.demo.feeds import FeedItem, FeedServer, render_rss
from service.pipeline.wiring import Pipeline, open_pipeline_store
from service.rules.loader import load_rules
from service.web.context import WebContext
from service.web.dashboard.pages import CHANGES_PER_CARD, CHANGES_PER_PAGE, MARKS_ON_ITEM_PAGE, MARKS_PER_CARD
from service.web.dashboard.picture import MARK_CAPACITY
from service.web.listen import ListenAddress
from service.web.server import WebServer
from tests.support.receivers import poll

CHANGES = 120
RULES = """\
sources:
  wire: {{url: "{url}", every: 10m}}
items:
  ceasefire:
    title: Ceasefire
    states:
      agreed: ['agreed to a ceasefire']
      collapsed: ['ceasefire (has )?collapsed']
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A store whose ceasefire was agreed and collapsed 120 times (one poll of a long feed), served."""
    folder = tmp_path_factory.mktemp("long")
    start = datetime.now(UTC) - timedelta(days=30)
    sentences = ["Both sides agreed to a ceasefire at dawn.", "The ceasefire has collapsed, officials said."]
    items = [FeedItem(f"g{n}", f"Update {n}", sentences[n % 2], start + timedelta(hours=4 * n), f"https://news.test/{n}")
             for n in range(CHANGES)]
    with FeedServer() as feeds:
        (folder / "rules.yaml").write_text(RULES.format(url=feeds.url("wire")))
        loaded = load_rules([folder / "rules.yaml"], env={})
        store = open_pipeline_store(str(folder / "vigil.db"))
        pipeline = Pipeline(store, loaded, env={})
        pipeline.record_configuration()
        for n in range(CHANGES):  # a poll per report, as a daemon would have read them over the month
            feeds.publish({"wire": render_rss("Wire", items[max(0, n - 19) : n + 1])})
            pipeline.poll("wire", force=True)
            pipeline.process()
        pipeline.close()
    server = WebServer(ListenAddress("127.0.0.1", 0), WebContext(store, rules=lambda: loaded, started_at=start))
    server.start()
    base = f"http://127.0.0.1:{server.port}"
    poll(lambda: [_status(base)], lambda status: status == 200, 10, "the dashboard answering")
    try:
        yield base
    finally:
        server.stop()
        store.close()


def _status(base: str) -> int:
    try:
        return httpx.get(base + "/healthz", timeout=2).status_code
    except httpx.TransportError:
        return 0


def test_the_front_page_draws_the_newest_changes_and_says_there_were_more(served: str) -> None:
    page = httpx.get(served + "/", timeout=10).text
    card = page.split('data-item="ceasefire"', 1)[1].split('<section aria-labelledby="alerts-heading">', 1)[0]
    assert card.count('<g class="band') == CHANGES_PER_CARD + 1  # the newest changes, and one band before them
    assert "<title>earlier changes from the start until" in card
    assert f"the newest {CHANGES_PER_CARD} changes" in card
    assert f"{CHANGES_PER_CARD}+ changes" in card


def test_the_item_page_lists_a_page_of_changes_and_links_to_the_older_ones(served: str) -> None:
    pages = [httpx.get(served + "/dashboard/items/ceasefire", timeout=10).text]
    assert pages[0].count('<li class="change card">') == CHANGES_PER_PAGE and "pager-newest" not in pages[0]
    while older := re.search(r'<a class="pager-older" href="([^"]+)"', pages[-1]):
        pages.append(httpx.get(served + older.group(1), timeout=10).text)
        assert 'class="pager-newest"' in pages[-1]
    counts = [page.count('<li class="change card">') for page in pages]
    assert counts == [CHANGES_PER_PAGE] * (len(pages) - 1) + [CHANGES - CHANGES_PER_PAGE * (len(pages) - 1)]
    # Together, every change once: each page's oldest change is just after the next page's newest.
    times = [re.findall(r'<time datetime="([^"]+)">', html.split('id="changes-heading"')[1].split("alerts-heading")[0])
             for html in pages]
    assert len(set().union(*map(set, times))) == CHANGES
    assert all(min(newer) > max(older) for newer, older in zip(times, times[1:], strict=False))


def test_pages_draw_only_the_newest_marks_that_fit_apart_and_say_how_many_there_are(served: str) -> None:
    # 120 pieces of evidence: an item page drew every one (up to 600), most on top of one another.
    page = httpx.get(served + "/dashboard/items/ceasefire", timeout=10).text
    assert page.count('<a class="mark ') == MARK_CAPACITY == MARKS_ON_ITEM_PAGE < CHANGES
    assert f"the newest {MARKS_ON_ITEM_PAGE} of {CHANGES} pieces of evidence" in page
    front = httpx.get(served + "/", timeout=10).text
    card = front.split('data-item="ceasefire"', 1)[1].split('<section aria-labelledby="alerts-heading">', 1)[0]
    assert card.count('<a class="mark ') == MARKS_PER_CARD
    assert f"the newest {MARKS_PER_CARD} of {CHANGES} pieces of evidence" in card


def test_the_timeline_api_pages_back_with_a_cursor(served: str) -> None:
    seen: list[str] = []
    before: int | None = None
    pages = 0
    while True:
        params = {"limit": 50, **({"before": before} if before else {})}
        answer = httpx.get(served + "/api/items/ceasefire/timeline", params=params, timeout=10).json()
        pages += 1
        seen = [change["published"] for change in answer["changes"]] + seen
        before = answer["older"]
        if before is None:
            break
    assert pages == 3 and len(seen) == CHANGES and seen == sorted(seen)
