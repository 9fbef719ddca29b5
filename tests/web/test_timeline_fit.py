"""The timeline's axis fits the evidence, and every mark lies inside the picture and can be clicked (issue 19,
item 1): a story minutes long fills the picture instead of a sliver at its right edge, and a story months long
whose newest reports came in a burst near now keeps that burst inside the picture. The reader can choose the
last day or week instead. Checked in Debian's chromium against a real ``vigil run --http`` daemon serving a
store ``vigil run --once`` built from a feed on loopback, on a desktop and a phone-sized screen.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from service.demo.feeds import FeedItem, FeedServer, render_rss
from service.web.dashboard.pages import MARKS_PER_CARD
from tests.pipeline.harness import run_once, vigil_env
from tests.web.browsing import box, open_page, screenshot
from tests.web.served import start_served, vigil_command

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

RULES = """\
sources:
  wire: {{url: "{wire}", every: 1h, title: Wire service}}
items:
  exchange:
    title: Prisoner exchange
    initial: none
    states:
      agreed: ['agreed to a new prisoner exchange']
      completed: ['(exchange|swap) was completed']
"""
#: Half a pixel of slack for anti-aliased edges.
SLACK = 0.5
SCREENS = {"desktop": (1280, 900), "phone": (390, 844)}
#: How long a click may wait for its mark to be the element under the pointer.
CLICK_TIMEOUT_MS = 4000

#: Reports of a story minutes long: seconds before now, several in the same few seconds.
MINUTES_AGO = [420, 390, 330, 301, 300, 299, 240, 180, 120, 61, 60, 30]
#: Reports of a story months long: days before now, ending with a burst in the last two hours.
DAYS_AGO = [120, 100, 75, 50, 30, 14, 5, 2] + [hours / 24 for hours in (2, 1.5, 1, 0.5, 0.25, 0.1)]


@dataclass(frozen=True)
class Story:
    """A daemon serving one story, and how many reports it has."""

    base_url: str
    reports: int
    in_last_day: int
    in_last_week: int


def _reports(ages: list[timedelta], now: datetime) -> list[FeedItem]:
    items = []
    for index, age in enumerate(ages):
        sentence = (
            f"Ukraine and Russia agreed to a new prisoner exchange, report {index} said."
            if index < len(ages) - 2
            else f"The swap was completed, report {index} said."
        )
        items.append(FeedItem(f"r{index}", f"Report {index}", sentence, now - age, f"https://news.test/r{index}"))
    return items


@contextmanager
def serving(folder: Path, ages: list[timedelta]) -> Iterator[Story]:
    """Build a store with ``vigil run --once`` from a feed of reports ``ages`` old, and serve it."""
    now = datetime.now(UTC).replace(microsecond=0)
    db = str(folder / "vigil.db")
    with FeedServer() as feeds:
        feeds.publish({"wire": render_rss("wire", _reports(ages, now))})
        rules = folder / "rules.yaml"
        rules.write_text(RULES.format(wire=feeds.url("wire")))
        polled = run_once(db, rules)
        assert polled.returncode == 0, polled.stderr
        daemon = start_served(vigil_command(rules), folder / "daemon.log", vigil_env(db), readiness="/")
        try:
            yield Story(
                daemon.base_url,
                reports=len(ages),
                in_last_day=sum(1 for age in ages if age < timedelta(days=1)),
                in_last_week=sum(1 for age in ages if age < timedelta(days=7)),
            )
        finally:
            assert daemon.stop() == 0, daemon.log_text()


@pytest.fixture(scope="module")
def minutes_story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    """A story whose twelve reports all came in the last seven minutes."""
    with serving(tmp_path_factory.mktemp("minutes"), [timedelta(seconds=s) for s in MINUTES_AGO]) as story:
        yield story


@pytest.fixture(scope="module")
def months_story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    """A story four months long, its last six reports in the last two hours."""
    with serving(tmp_path_factory.mktemp("months"), [timedelta(days=d) for d in DAYS_AGO]) as story:
        yield story


def _assert_marks_inside(figure: Locator, expected: int) -> None:
    picture = box(figure.locator("svg.timeline-svg"))
    dots = figure.locator(".mark .dot")
    assert dots.count() == expected
    for index in range(expected):
        dot = box(dots.nth(index))
        left, right = picture["x"] - SLACK, picture["x"] + picture["width"] + SLACK
        assert left <= dot["x"] and dot["x"] + dot["width"] <= right, (
            f"mark {index} at x {dot['x']:.0f}–{dot['x'] + dot['width']:.0f} is outside the picture "
            f"(x {picture['x']:.0f}–{picture['x'] + picture['width']:.0f})"
        )
        assert picture["y"] - SLACK <= dot["y"] and dot["y"] + dot["height"] <= picture["y"] + picture["height"] + SLACK


def _assert_marks_open(figure: Locator) -> None:
    marks = figure.locator(".mark")
    for index in range(marks.count()):
        mark = marks.nth(index)
        mark.click(timeout=CLICK_TIMEOUT_MS)  # fails unless the mark itself is under the pointer
        assert figure.locator(f'#{mark.get_attribute("data-evidence")}').is_visible(), f"mark {index}"


def _drawn(path: str, reports: int) -> int:
    """Marks a page draws of an item's reports: a front-page card draws only the newest few."""
    return min(reports, MARKS_PER_CARD) if path == "/" else reports


def _check(page: Page, figure: Locator, expected: int) -> None:
    _assert_marks_inside(figure, expected)
    _assert_marks_open(figure)
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") == 0


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("path", ["/", "/dashboard/items/exchange"])
def test_a_story_minutes_long_fills_the_picture(browser: Browser, minutes_story: Story, screen: str, path: str) -> None:
    width, height = SCREENS[screen]
    page, errors, _ = open_page(browser, minutes_story.base_url + path, width=width, height=height)
    figure = page.locator("figure.timeline").first
    _check(page, figure, minutes_story.reports)
    # The seven minutes take most of the picture, not the last few per cent of an axis a day wide.
    picture, dots = box(figure.locator("svg.timeline-svg")), figure.locator(".mark .dot")
    spread = box(dots.last)["x"] - box(dots.first)["x"]
    assert spread >= 0.5 * picture["width"], f"{spread:.0f} of {picture['width']:.0f} px"
    assert figure.locator(".tick").count() >= 2  # the axis is labelled in minutes
    screenshot(page, f"timeline-minutes-{screen}{'-item' if path != '/' else ''}.png")
    assert errors == []
    page.close()


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("path", ["/", "/dashboard/items/exchange"])
def test_a_story_months_long_keeps_its_newest_burst_inside(
    browser: Browser, months_story: Story, screen: str, path: str
) -> None:
    width, height = SCREENS[screen]
    page, errors, _ = open_page(browser, months_story.base_url + path, width=width, height=height)
    figure = page.locator("figure.timeline").first
    _check(page, figure, _drawn(path, months_story.reports))
    if screen == "desktop":  # room enough: the reports weeks apart sit at their moment, only the burst moves
        picture = box(figure.locator("svg.timeline-svg"))
        drawn = DAYS_AGO[-_drawn(path, months_story.reports) :]
        for index in range(sum(1 for days in drawn if days >= 30)):
            mark = figure.locator(".mark").nth(index)
            dot = box(mark.locator(".dot"))
            at = picture["x"] + float(mark.get_attribute("data-x") or "nan") / 100 * picture["width"]
            assert abs(dot["x"] + dot["width"] / 2 - at) <= 1, f"mark {index} moved off its moment"
    screenshot(page, f"timeline-months-{screen}{'-item' if path != '/' else ''}.png")
    assert errors == []
    page.close()


@pytest.mark.parametrize("path", ["/", "/dashboard/items/exchange"])
def test_the_reader_can_show_the_last_week_or_day(browser: Browser, months_story: Story, path: str) -> None:
    page, errors, _ = open_page(browser, months_story.base_url + path)
    choice = page.locator("nav.span-choice")
    assert choice.locator("[aria-current]").inner_text() == "all"
    for span, expected in (("week", months_story.in_last_week), ("day", months_story.in_last_day)):
        choice.locator(f'a[data-span="{span}"]').click()
        page.wait_for_url(f"**span={span}")
        choice = page.locator("nav.span-choice")
        assert choice.locator("[aria-current]").get_attribute("data-span") == span
        figure = page.locator("figure.timeline").first
        _check(page, figure, expected)
        assert f"the newest {expected} of {months_story.reports}" in figure.locator("figcaption").inner_text()
    screenshot(page, f"timeline-months-day{'-item' if path != '/' else ''}.png")
    if path == "/":  # the item's page opens on the span chosen
        page.locator("article.item-card h3 a").first.click()
        page.wait_for_url("**/dashboard/items/exchange?span=day")
        assert page.locator("nav.span-choice [aria-current]").get_attribute("data-span") == "day"
        page.go_back()
        choice = page.locator("nav.span-choice")
    choice.locator('a[data-span="all"]').click()
    page.wait_for_url("**span=all")
    _assert_marks_inside(page.locator("figure.timeline").first, _drawn(path, months_story.reports))
    assert errors == []
    page.close()
