"""The timeline's axis fits the evidence (issue 19, item 1): for a story minutes long and for one months
long, on the item page and the front page, at desktop and phone widths, every mark lies inside the
picture and a click at its centre lands on it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from service.demo.feeds import FeedItem, FeedServer, render_rss
from service.pipeline.wiring import Pipeline, open_pipeline_store
from service.rules.loader import load_rules
from service.web.context import WebContext
from service.web.listen import ListenAddress
from service.web.server import WebServer
from tests.support.receivers import poll
from tests.web.test_dashboard import _open, browser  # noqa: F401 - browser is the shared chromium fixture

if TYPE_CHECKING:
    from playwright.sync_api import Browser

RULES = """\
sources:
  wire: {{url: "{wire}", every: 10m}}
  courier: {{url: "{courier}", every: 10m}}
items:
  truce:
    title: Truce
    states:
      agreed: ['agreed (to|on) a truce']
      collapsed: ['truce (has )?collapsed']
"""
SENTENCES = ("Both sides agreed to a truce.", "The truce has collapsed, officials said.")


def _serve(folder: Path, moments: list[datetime]) -> Iterator[str]:
    """A store whose truce was reported at ``moments`` by two outlets (each report a mark), served."""
    items = {
        feed: [FeedItem(f"{feed}{n}", f"Report {n}", SENTENCES[(n // 2) % 2], moment, f"https://news.test/{feed}/{n}")
               for n, moment in enumerate(moments)]
        for feed in ("wire", "courier")
    }
    with FeedServer() as feeds:
        (folder / "rules.yaml").write_text(RULES.format(wire=feeds.url("wire"), courier=feeds.url("courier")))
        loaded = load_rules([folder / "rules.yaml"], env={})
        store = open_pipeline_store(str(folder / "vigil.db"))
        pipeline = Pipeline(store, loaded, env={})
        pipeline.record_configuration()
        for n in range(len(moments)):
            feeds.publish({feed: render_rss(feed, found[: n + 1]) for feed, found in items.items()})
            pipeline.poll_all(force=True)
            pipeline.process()
        pipeline.close()
    server = WebServer(ListenAddress("127.0.0.1", 0), WebContext(store, rules=lambda: loaded, started_at=moments[0]))
    server.start()
    base = f"http://127.0.0.1:{server.port}"
    poll(lambda: [httpx.get(base + "/healthz", timeout=2).status_code], lambda s: s == 200, 10, "the dashboard")
    try:
        yield base
    finally:
        server.stop()
        store.close()


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


STORIES = {
    # Minutes long and just now: the marks used to be pushed past the right edge of the picture.
    "minutes": lambda: [_now() - timedelta(minutes=12) + timedelta(minutes=2 * n) for n in range(6)],
    # Months long, the last report a week ago.
    "months": lambda: [_now() - timedelta(days=120) + timedelta(days=19 * n) for n in range(6)],
}


@pytest.fixture(scope="module", params=sorted(STORIES))
def story(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _serve(tmp_path_factory.mktemp(request.param), STORIES[request.param]())


@pytest.mark.parametrize("width", [1280, 360])
@pytest.mark.parametrize("path", ["/dashboard/items/truce", "/"])
def test_every_mark_lies_inside_the_picture_and_can_be_clicked(
    browser: Browser,  # noqa: F811 - the fixture imported above
    story: str,
    path: str,
    width: int,
) -> None:
    page, errors, _ = _open(browser, story + path, width=width)
    svg = page.locator('[data-item="truce"] svg.timeline-svg').first
    box = svg.bounding_box()
    assert box is not None
    dots = svg.locator("circle.dot")
    assert dots.count() == 12  # six reports from each of two outlets
    for index in range(dots.count()):
        dot = dots.nth(index).bounding_box()
        assert dot is not None
        assert box["x"] <= dot["x"] and dot["x"] + dot["width"] <= box["x"] + box["width"], (index, dot, box)
        centre_x, centre_y = dot["x"] + dot["width"] / 2, dot["y"] + dot["height"] / 2
        hit = page.evaluate("([x, y]) => document.elementFromPoint(x, y)?.closest('.mark')?.dataset.evidence || ''",
                            [centre_x, centre_y])
        expected = dots.nth(index).evaluate("dot => dot.closest('.mark').dataset.evidence")
        assert hit == expected, (index, f"a click at the mark's centre lands on {hit or 'nothing'}")
    assert errors == []
    page.close()
