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
from service.web.dashboard.pages import CHANGES_PER_CARD, CHANGES_PER_PAGE
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
    page = httpx.get(served + "/dashboard/items/ceasefire", timeout=10).text
    assert page.count('<li class="change card">') == CHANGES_PER_PAGE
    older = re.search(r'<a class="pager-older" href="([^"]+)"', page)
    assert older is not None and "pager-newest" not in page
    rest = httpx.get(served + older.group(1), timeout=10).text
    assert rest.count('<li class="change card">') == CHANGES - CHANGES_PER_PAGE
    assert "pager-older" not in rest and 'class="pager-newest"' in rest
    # Together, every change once: the newest page's oldest change is just after the older page's newest.
    times = [re.findall(r'<time datetime="([^"]+)">', html.split('id="changes-heading"')[1].split("alerts-heading")[0])
             for html in (page, rest)]
    assert len(set(times[0]) | set(times[1])) == CHANGES and min(times[0]) > max(times[1])


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
