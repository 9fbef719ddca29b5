"""The pipeline's stages put together over one store and one rule set.

sources -> (EntryObserved) -> item tracker -> (EvidenceFound, ItemStateChanged) -> alert engine ->
(AlertRaised) -> delivery worker -> (AlertDelivered / AlertDeliveryFailed / AlertDeliveryAbandoned).
Each arrow is a checkpointed consumer, so the daemon, ``vigil run --once`` and the demo all run the
same code and a crash anywhere repeats nothing.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx

from service import __version__
from service.alerting import engine as alert_engine
from service.delivery.retry import RetryPolicy
from service.delivery.route import routes
from service.delivery.worker import DELIVERY_LEASE, DeliveryWorker
from service.extraction.extractor import Extractor
from service.pipeline.config_recording import record_rules
from service.pipeline.projections import PROJECTIONS
from service.pipeline.wake_loop import WakeLoop
from service.rules.loader import LoadedRules
from service.sources.parse_pool import ParsePool, auto_workers
from service.sources.poller import PollOutcome, PollSettings, poll_source
from service.state import tracker as item_tracker
from service.store.bootstrap import open_store
from service.store.consumer import consume_all
from service.store.owners import process_owner
from service.store.recorder import EventStore

log = logging.getLogger("vigil.pipeline")

#: How long processing and delivery alongside a pass's polls wait when no append wakes them.
ALONGSIDE_EVERY = 1.0
#: And how long they gather appends before a pass: a pass whose feeds answer within it runs its stages
#: one after the other, each in a few large transactions (passes on every poll's append, as the daemon
#: runs them for latency, made a 50-feed pass 0.6x as fast); a slow feed holds back no alert longer.
ALONGSIDE_PAUSE = 1.0


def open_pipeline_store(
    url: str, *, migrate: bool = True, pool_size: int | None = None, create: bool = True
) -> EventStore:
    """Open the store with every projection wired in (the options: see ``open_store``)."""
    return open_store(url, projections=PROJECTIONS, migrate=migrate, pool_size=pool_size, create=create)


def default_owner() -> str:
    """A name for this process in leases: host, PID namespace, PID and a random suffix.

    The host, namespace and PID let a restarted daemon take over the leases of one that was killed
    (see service/store/owners.py)."""
    return process_owner()


def parse_pool_for(settings: PollSettings, sources: int) -> ParsePool:
    """The parse workers ``settings`` ask for (or, when they leave it open, suit ``sources`` sources)."""
    workers = settings.parse_workers if settings.parse_workers is not None else auto_workers(sources)
    return ParsePool(workers, settings.timeout)


@dataclass(frozen=True)
class ProcessOutcome:
    """What one processing pass did."""

    entries: int
    changes: int


@dataclass
class EarlyWork:
    """What processing and delivery did alongside a pass's polls (written by their threads only)."""

    entries: int = 0
    changes: int = 0
    sent: int = 0

    def processed(self, outcome: ProcessOutcome) -> None:
        """Count a processing pass."""
        self.entries += outcome.entries
        self.changes += outcome.changes

    def plus(self, outcome: ProcessOutcome) -> ProcessOutcome:
        """``outcome`` (the final pass) with what was processed before it."""
        return ProcessOutcome(self.entries + outcome.entries, self.changes + outcome.changes)


@dataclass
class Pipeline:
    """One rule set's stages over one store."""

    store: EventStore
    loaded: LoadedRules
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    owner: str = field(default_factory=default_owner)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    delivery_lease: timedelta = DELIVERY_LEASE
    poll_settings: PollSettings = field(default_factory=PollSettings)
    poll_workers: int = 16
    # Shared by the pipelines a daemon builds on each reload (it owns and closes it); one is made (and
    # closed by close()) when none is given.
    parse_pool: ParsePool | None = None

    def __post_init__(self) -> None:
        rules = self.loaded.rules
        self._owns_parse_pool = self.parse_pool is None
        if self.parse_pool is None:
            self.parse_pool = parse_pool_for(self.poll_settings, len(rules.sources))
        self.tracker = item_tracker.ItemTracker(rules, Extractor(rules))
        self.alerts = alert_engine.AlertEngine(rules, self.loaded.hash, routes)
        self.worker = DeliveryWorker(self.store, self.owner, self.env, self.retry, lease_for=self.delivery_lease)
        self.client = httpx.Client(
            headers={"User-Agent": f"Vigil/{__version__} (+https://github.com/vigil-alerts/vigil)"},
            follow_redirects=False,
        )

    def close(self) -> None:
        """Release network resources (and the parse workers, when this pipeline started them)."""
        self.client.close()
        if self._owns_parse_pool and self.parse_pool is not None:
            self.parse_pool.close()

    def record_configuration(self) -> list[str]:
        """Record the rules (and the subscribers they declare) if they changed."""
        return record_rules(self.store, self.loaded)

    def poll(self, source_id: str, *, force: bool = False) -> PollOutcome:
        """Poll one source if due (always, with ``force``)."""
        spec = self.loaded.rules.sources[source_id]
        outcome = poll_source(
            self.store,
            source_id,
            spec,
            owner=self.owner,
            now=datetime.now(UTC),
            client=self.client,
            settings=self.poll_settings,
            force=force,
            parser=self.parse_pool,
        )
        # A failing source, or a malformed feed read in part, is worth an operator's attention at the
        # WARNING filter of most setups; backoff keeps a source that stays down from repeating it often.
        trouble = outcome.status == "failed" or (outcome.status != "skipped" and bool(outcome.detail))
        log.log(
            logging.WARNING if trouble else logging.INFO,
            "polled %s: %s",
            source_id,
            outcome.status,
            extra={
                "source": source_id,
                "status": outcome.status,
                "new": outcome.new,
                "revised": outcome.revised,
                "detail": outcome.detail,
            },
        )
        return outcome

    def poll_all(
        self, *, force: bool = False, finished: Callable[[PollOutcome], None] | None = None
    ) -> list[PollOutcome]:
        """Poll every source concurrently; one failing source never stops the others. ``finished`` hears
        each poll's outcome once it is recorded (``run --once`` says which were done when interrupted)."""

        def poll_one(source: str) -> PollOutcome:
            outcome = self.poll(source, force=force)
            if finished is not None:
                finished(outcome)
            return outcome

        pool = ThreadPoolExecutor(max_workers=self.poll_workers)
        try:
            return list(pool.map(poll_one, sorted(self.loaded.rules.sources)))
        finally:
            # Not waiting: after Ctrl-C a slow poll must not hold the process; a poll writes nothing until it
            # has read its feed, so one left behind loses nothing (the next pass polls that source again).
            pool.shutdown(wait=False, cancel_futures=True)

    def process(self) -> ProcessOutcome:
        """Run the item tracker and the alert engine until both have caught up."""
        entries = consume_all(self.store, item_tracker.CONSUMER, item_tracker.TYPES, self.tracker.handle)
        changes = consume_all(self.store, alert_engine.CONSUMER, alert_engine.TYPES, self.alerts.handle)
        return ProcessOutcome(entries, changes)

    def deliver(self) -> int:
        """Send every delivery that is due now."""
        return self.worker.run_all_due()

    @contextmanager
    def consuming_alongside(self) -> Iterator[EarlyWork]:
        """Process and deliver in threads of their own while the ``with`` block runs (a pass's polls), each
        woken by the block's appends, as the daemon's loops are; stopped, after their pass, at its end.

        One pass of ``run --once`` ran its stages one after the other, so the CPU judging entries and the
        round trips sending alerts waited for the slowest feed. Run alongside, the first alerts go out
        while later feeds are still being read. The passes are the same checkpointed consumers, so the
        caller's final ``process()`` and ``deliver()`` only do what is left; a pass here that fails (the
        database went away) is left for those final passes, which report it."""
        early = EarlyWork()

        def process() -> None:
            try:
                early.processed(self.process())
            except Exception:  # noqa: BLE001 - the caller's final pass repeats it and reports the error
                log.debug("processing alongside the polls failed; the final pass repeats it", exc_info=True)

        def deliver() -> None:
            try:
                early.sent += self.deliver()
            except Exception:  # noqa: BLE001 - as above
                log.debug("delivering alongside the polls failed; the final pass repeats it", exc_info=True)

        loops = [WakeLoop("process", self.store, process, ALONGSIDE_EVERY, pause=ALONGSIDE_PAUSE).start(),
                 WakeLoop("deliver", self.store, deliver, ALONGSIDE_EVERY, pause=ALONGSIDE_PAUSE).start()]
        try:
            yield early
        except BaseException:
            for loop in loops:  # Ctrl-C: tell them to stop, wait for nothing (each pass commits what it did)
                loop.stop(timeout=0)
            raise
        for loop in loops:
            loop.stop()

    def run_once(self) -> ProcessOutcome:
        """Poll every source once, process, deliver: the whole path, for cron and tests."""
        with self.consuming_alongside() as early:
            self.poll_all(force=True)
        outcome = early.plus(self.process())
        self.deliver()
        return outcome
