"""What each dashboard page shows, gathered from the store and the loaded rules into plain view models."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from service.delivery.silences import Silence, active_silences
from service.delivery.status import AlertView, recent_alerts
from service.history.near_misses import NearMiss, NearMissMemory, near_misses
from service.rules.loader import LoadedRules
from service.sources.health import SourceView, source_health
from service.state.report import ItemReport, current_states
from service.store.recorder import EventStore
from service.web.dashboard.item_history import ItemHistory, item_history
from service.web.dashboard.picture import MARK_CAPACITY, TimeDomain, TimelinePicture, draw_timeline, time_domain

RECENT_ALERTS = 20
#: Evidence marks drawn per item: the newest ones, no more than fit apart in the picture (MARK_CAPACITY:
#: 600 were drawn on an item page, most of them on top of each other; 210 ms and 1.6 MB of HTML for the
#: front page at 1M events, tests/bench/aged_store_bench.py). The front page shows every item, so fewer.
MARKS_PER_CARD = 12
MARKS_ON_ITEM_PAGE = MARK_CAPACITY
#: State changes drawn per item on the front page: the newest ones (the card links to the item's page).
#: Without a bound the front page grew with every change ever recorded (2 s and 2.4 MB of HTML for
#: 30,000 changes); 50 a card still made it 9x slower than on a new store.
CHANGES_PER_CARD = 10
#: State changes an item page draws and lists: the newest ones, with a link to the page before them. A
#: page of a story with 30,000 changes drew every one of them (239 ms and 2.1 MB of HTML at 1M events).
CHANGES_PER_PAGE = 25


@dataclass(frozen=True)
class ItemCard:
    """One tracked item: its state now, the evidence behind it, and its timeline."""

    report: ItemReport
    colour: int
    picture: TimelinePicture
    history: ItemHistory


@dataclass(frozen=True)
class Overview:
    """The figures at the top of the dashboard."""

    items: int
    items_changed: int
    alerts: int
    alerts_failing: int
    sources: int
    sources_unhealthy: int


@dataclass(frozen=True)
class DashboardPage:
    """The front page: every item, recent alerts, sources."""

    now: datetime
    started_at: datetime
    rules_hash: str
    overview: Overview
    cards: list[ItemCard]
    alerts: list[AlertView]
    sources: list[SourceView]
    span: str = "all"  # the time span the timelines show (picture.SPAN_CHOICES)
    silences: list[Silence] = field(default_factory=list)  # active now, oldest first


@dataclass(frozen=True)
class ItemPage:
    """One item in detail: its card, its changes and every piece of evidence, and its alerts."""

    now: datetime
    started_at: datetime
    rules_hash: str
    card: ItemCard
    alerts: list[AlertView]
    near_misses: list[NearMiss] = field(default_factory=list)  # vetoed matches, newest first; never evidence
    span: str = "all"  # the time span the timeline shows (picture.SPAN_CHOICES)
    before: int | None = None  # the cursor this page of changes was asked with


def dashboard_page(
    store: EventStore, loaded: LoadedRules, now: datetime, started_at: datetime, span: str = "all"
) -> DashboardPage:
    """Gather the front page, its timelines over ``span`` (fitted to the evidence, or the last week or day)."""
    reports = current_states(store, loaded.rules)
    histories = [
        item_history(store, report, loaded.rules.items[report.item], MARKS_PER_CARD, CHANGES_PER_CARD)
        for report in reports
    ]
    # One time axis for every card, so that items can be compared at a glance.
    domain = time_domain(histories, now, span)
    cards = [
        _card(loaded, report, history, domain, f"ev{index}")
        for index, (report, history) in enumerate(zip(reports, histories, strict=True))
    ]
    alerts = recent_alerts(store, limit=RECENT_ALERTS)
    sources = source_health(store, loaded.rules)
    overview = Overview(
        items=len(cards),
        items_changed=sum(1 for card in cards if card.report.since),
        alerts=len(alerts),
        alerts_failing=sum(1 for alert in alerts if alert.status in ("failed", "abandoned")),
        sources=len(sources),
        sources_unhealthy=sum(1 for source in sources if source.health == "failing"),  # down ones too
    )
    with store.reading() as conn:
        silences = active_silences(conn, now)
    return DashboardPage(now, started_at, loaded.hash, overview, cards, alerts, sources, span, silences)


def item_page(
    store: EventStore, loaded: LoadedRules, item: str, now: datetime, started_at: datetime,
    before: int | None = None, span: str = "all", memory: NearMissMemory | None = None,
) -> ItemPage | None:
    """Gather one item's page (its newest ``CHANGES_PER_PAGE`` changes, or those before the cursor
    ``before``; its timeline over ``span``; its near misses, searched past ``memory``'s last search);
    None when the rules declare no such item."""
    if item not in loaded.rules.items:
        return None
    report = next(report for report in current_states(store, loaded.rules) if report.item == item)
    history = item_history(store, report, loaded.rules.items[item], MARKS_ON_ITEM_PAGE, CHANGES_PER_PAGE, before)
    card = _card(loaded, report, history, time_domain([history], now, span), "ev")
    return ItemPage(now, started_at, loaded.hash, card, recent_alerts(store, limit=RECENT_ALERTS, item=item),
                    near_misses(store, loaded, item, memory=memory), span, before)


def _card(
    loaded: LoadedRules, report: ItemReport, history: ItemHistory, domain: TimeDomain | None, anchor_prefix: str
) -> ItemCard:
    spec = loaded.rules.items[report.item]
    picture = draw_timeline(spec, history, report.value, domain, anchor_prefix)
    return ItemCard(report, picture.bands[-1].colour, picture, history)
