"""The read-only JSON API under ``/api/``: items and their states, timelines, alerts, sources."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from service.delivery.status import AlertView, recent_alerts
from service.history.timeline import TimelineRow, item_timeline
from service.rules.models import RuleSet
from service.sources.health import SourceView, source_health
from service.state.report import ItemReport, current_states
from service.store.head import current_head
from service.web.context import WebContext

NOT_FOUND = {404: {"description": "No such item; `detail` lists the known ones"}}


@dataclass(frozen=True)
class ItemTimeline:
    """A page of an item's state changes, oldest first: the newest ``limit`` (before the cursor).

    ``older`` is the cursor of the page before this one (pass it as ``before``), None when this page
    reaches the first change."""

    item: str
    changes: list[TimelineRow]
    older: int | None = None


@dataclass(frozen=True)
class LogHead:
    """The head of the log: its last position, that event's hash, and the text `vigil verify --head` reads."""

    position: int
    hash: str
    head: str


@dataclass(frozen=True)
class LogDigest:
    """``/api/digest``, the route's name before 2026-12-03: the same head, its text under ``digest``."""

    position: int
    hash: str
    digest: str


def api_router(context: WebContext) -> APIRouter:
    """Routes answering from the store and the rules loaded now."""
    router = APIRouter(prefix="/api", tags=["api"])

    @router.get("/items", summary="Every tracked item with its current state")
    def items() -> list[ItemReport]:
        return current_states(context.store, context.rules().rules)

    @router.get("/items/{item}", summary="One item's current state", responses=NOT_FOUND)
    def item_state(item: str) -> ItemReport:
        rules = context.rules().rules  # read once: a reload may swap the rules mid-request
        _require_item(rules, item)
        return next(report for report in current_states(context.store, rules) if report.item == item)

    @router.get(
        "/items/{item}/timeline",
        summary="Each state change of an item, with its evidence and the alerts it raised",
        responses=NOT_FOUND,
    )
    def timeline(
        item: str,
        since: Annotated[
            datetime | None, Query(description="Only changes whose evidence was published from then.")
        ] = None,
        until: Annotated[
            datetime | None, Query(description="Only changes whose evidence was published until then.")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=1000, description="Changes per page (the newest first).")] = 100,
        before: Annotated[
            int | None, Query(ge=1, description="Cursor: only changes older than this (`older` of a page).")
        ] = None,
    ) -> ItemTimeline:
        _require_item(context.rules().rules, item)
        # One change more than the page tells whether an older page exists.
        rows = item_timeline(context.store, item, _aware(since), _aware(until), last=limit + 1, before=before)
        more = len(rows) > limit
        page = rows[1:] if more else rows
        return ItemTimeline(item, page, page[0].version if more and page else None)

    @router.get("/alerts", summary="Alerts, newest first, with each delivery's status (targets redacted)")
    def alerts(
        limit: Annotated[int, Query(ge=1, le=1000)] = 50,
        failed: Annotated[bool, Query(description="Only alerts with failed or abandoned deliveries.")] = False,
    ) -> list[AlertView]:
        return recent_alerts(context.store, limit=limit, failed_only=failed)

    @router.get("/head", summary="The log's head now: save it elsewhere, `vigil verify --head` checks it")
    def head() -> LogHead:
        now = current_head(context.store, context.head_key)
        return LogHead(now.position, now.hash, now.text())

    # The old name keeps working for scripts written before the rename; it is not in the schema.
    @router.get("/digest", include_in_schema=False)
    def digest() -> LogDigest:
        now = current_head(context.store, context.head_key)
        return LogDigest(now.position, now.hash, now.text())

    @router.get("/sources", summary="Every source with its polling health")
    def sources() -> list[SourceView]:
        return source_health(context.store, context.rules().rules)

    return router


def _require_item(rules: RuleSet, item: str) -> None:
    if item not in rules.items:
        raise HTTPException(404, detail=f"unknown item {item!r} (known: {', '.join(sorted(rules.items))})")


def _aware(moment: datetime | None) -> datetime | None:
    """Naive times in a query are taken as UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)
