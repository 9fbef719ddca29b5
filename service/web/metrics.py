"""``/metrics``: Prometheus metrics read from the event log and the projections at scrape time.

Counters are counts of recorded events, not in-process tallies: they are exact, survive restarts, and
agree between several daemons sharing one PostgreSQL database. Each scrape counts only the events
appended since the previous scrape (positions are assigned in commit order on both backends, so no
late commit is skipped), which keeps a scrape cheap however long the log grows.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, ProcessCollector, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, InfoMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError

from service import __version__
from service.alerting import engine as alert_engine
from service.delivery.status import status_counts
from service.sources.health import failure_counts
from service.state import tracker as item_tracker
from service.store.errors import StoreError
from service.store.recorder import EventStore
from service.web.context import WebContext

#: Event type -> (metric name, help, the label its stream id names, stream prefix).
_COUNTED: dict[str, tuple[str, str, str | None, str]] = {
    "SourcePolled": ("vigil_polls", "Successful polls (including 304 Not Modified), per source.", "source", "source:"),
    "SourcePollFailed": ("vigil_poll_failures", "Failed polls, per source.", "source", "source:"),
    "EntryObserved": ("vigil_entries_observed", "New feed entries recorded, per source.", "source", "source:"),
    "EvidenceFound": ("vigil_evidence_found", "Sentences found to be evidence, per item.", "item", "item:"),
    "ItemStateChanged": ("vigil_state_changes", "Item state changes, per item.", "item", "item:"),
    "AlertRaised": ("vigil_alerts_raised", "Alerts raised.", None, "alert:"),
}
#: Delivery outcomes share one metric with an ``outcome`` label.
_DELIVERY_OUTCOMES = {"AlertDelivered": "ok", "AlertDeliveryFailed": "failed", "AlertDeliveryAbandoned": "abandoned"}
#: The checkpointed consumers and the event types each one handles.
_CONSUMERS = {item_tracker.CONSUMER: item_tracker.TYPES, alert_engine.CONSUMER: alert_engine.TYPES}


class EventCounts:
    """Running counts of (event type, stream id) over the log, brought up to date on each call."""

    def __init__(self, store: EventStore) -> None:
        self._store = store
        self._lock = threading.Lock()  # scrapes may run concurrently in the server's thread pool
        self._counted_to = 0
        self._counts: Counter[tuple[str, str]] = Counter()

    def current(self) -> Counter[tuple[str, str]]:
        """Counts of every counted event type up to the newest event, per stream where a label needs it."""
        types = [*_COUNTED, *_DELIVERY_OUTCOMES]
        with self._lock:
            newest = self._store.last_position()
            if newest < self._counted_to:  # a different (or recreated) database: count from the start
                self._counted_to, self._counts = 0, Counter()
            if newest > self._counted_to:
                for event_type, stream_id, count in self._store.count_by_type_and_stream(
                    self._counted_to, types, newest
                ):
                    # Only per-source and per-item counts keep their stream: one key per alert would
                    # grow without bound.
                    labelled = event_type in _COUNTED and _COUNTED[event_type][2] is not None
                    self._counts[(event_type, stream_id if labelled else "")] += count
                self._counted_to = newest
            return Counter(self._counts)


class VigilCollector(Collector):
    """Collects Vigil's metrics from the store on each scrape; reports ``vigil_database_up 0`` if it cannot."""

    def __init__(self, context: WebContext) -> None:
        self._context = context
        self._counts = EventCounts(context.store)

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily | InfoMetricFamily]:
        """Yield every metric family (called by the registry on each scrape)."""
        info = InfoMetricFamily("vigil_build", "The running Vigil version.")
        info.add_metric([], {"version": __version__})
        yield info
        yield GaugeMetricFamily(
            "vigil_started_timestamp_seconds",
            "When this daemon started (Unix time).",
            value=self._context.started_at.timestamp(),
        )
        try:
            families = list(self._store_families())
        except (SQLAlchemyError, StoreError):
            yield GaugeMetricFamily("vigil_database_up", "1 if the database answered this scrape.", value=0)
            return
        yield GaugeMetricFamily("vigil_database_up", "1 if the database answered this scrape.", value=1)
        yield from families

    def _store_families(self) -> Iterable[CounterMetricFamily | GaugeMetricFamily]:
        store = self._context.store
        rules = self._context.rules().rules
        counts = self._counts.current()
        yield from _event_counters(counts, sources=sorted(rules.sources), items=sorted(rules.items))
        yield from _lag_gauges(store)
        yield from _status_gauges(store)
        yield from _source_gauges(store)
        yield GaugeMetricFamily("vigil_log_position", "Position of the newest event in the log.", store.last_position())


def _event_counters(
    counts: Counter[tuple[str, str]], *, sources: list[str], items: list[str]
) -> Iterator[CounterMetricFamily]:
    known = {"source": sources, "item": items}
    for event_type, (name, help_text, label, prefix) in _COUNTED.items():
        family = CounterMetricFamily(name, help_text, labels=[label] if label else [])
        per_key: Counter[str] = Counter()
        for (counted_type, stream_id), count in counts.items():
            if counted_type == event_type:
                per_key[stream_id.removeprefix(prefix) if label else ""] += count
        if label:
            # Every configured source/item appears, at 0 if nothing happened yet, so rates work from the start.
            for key in sorted(set(known[label]) | set(per_key)):
                family.add_metric([key], per_key.get(key, 0))
        else:
            family.add_metric([], sum(per_key.values()))
        yield family
    deliveries = CounterMetricFamily(
        "vigil_deliveries",
        "Delivery attempts by outcome (ok, failed and retried later, abandoned).",
        labels=["outcome"],
    )
    for event_type, outcome in _DELIVERY_OUTCOMES.items():
        deliveries.add_metric([outcome], sum(c for (t, _), c in counts.items() if t == event_type))
    yield deliveries


def _lag_gauges(store: EventStore) -> Iterator[GaugeMetricFamily]:
    events = GaugeMetricFamily(
        "vigil_processing_lag_events", "Events a consumer has still to handle.", labels=["consumer"]
    )
    seconds = GaugeMetricFamily(
        "vigil_processing_lag_seconds",
        "Age of the oldest event a consumer has still to handle (0 when it has caught up).",
        labels=["consumer"],
    )
    now = datetime.now(UTC)
    for consumer, types in sorted(_CONSUMERS.items()):
        checkpoint = store.checkpoint(consumer)
        # Counted per handled type: a consumer's checkpoint stops at the last event it handles, so events
        # of other types after it are not lag.
        pending = store.count_events(checkpoint, list(types))
        oldest = next(iter(store.read_all(checkpoint, types=types, batch_size=1)), None)
        events.add_metric([consumer], pending)
        seconds.add_metric([consumer], max(0.0, (now - oldest.recorded_at).total_seconds()) if oldest else 0.0)
    yield events
    yield seconds


def _status_gauges(store: EventStore) -> Iterator[GaugeMetricFamily]:
    with store.reading() as conn:
        alerts, deliveries = status_counts(conn)
    alert_family = GaugeMetricFamily("vigil_alerts", "Alerts by current delivery status.", labels=["status"])
    for status in sorted({"pending", "delivered", "failed", "abandoned", "silenced", "none"} | set(alerts)):
        alert_family.add_metric([status], int(alerts.get(status, 0)))
    yield alert_family
    delivery_family = GaugeMetricFamily(
        "vigil_delivery_targets", "Deliveries (alert x subscriber URL) by current status.", labels=["status"]
    )
    for status in sorted({"pending", "delivered", "failed", "abandoned", "silenced"} | set(deliveries)):
        delivery_family.add_metric([status], int(deliveries.get(status, 0)))
    yield delivery_family


def _source_gauges(store: EventStore) -> Iterator[GaugeMetricFamily]:
    failures = GaugeMetricFamily(
        "vigil_source_consecutive_failures", "Failed polls in a row, per source.", labels=["source"]
    )
    success = GaugeMetricFamily(
        "vigil_source_last_success_timestamp_seconds", "When a source was last polled successfully.", labels=["source"]
    )
    for count in failure_counts(store):
        failures.add_metric([count.source], count.consecutive_failures)
        if count.last_success_at:
            success.add_metric([count.source], datetime.fromisoformat(count.last_success_at).timestamp())
    yield failures
    yield success


def metrics_router(context: WebContext) -> APIRouter:
    """The ``/metrics`` route, over a registry of its own (no process-global metric state)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(VigilCollector(context))
    ProcessCollector(registry=registry)
    router = APIRouter()

    @router.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return router
