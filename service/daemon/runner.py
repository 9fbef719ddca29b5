"""``vigil run``: the pipeline on APScheduler 3.11, with clean stops and rule reloads.

APScheduler's jobs live in memory and are rebuilt from the rules at start; several daemons coordinate
through the database (leases and checkpoints), never through a shared job store, which APScheduler 3
does not support safely.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from service.daemon.head_publishing import HeadPublishing, publish_head
from service.daemon.logs import remember_rule_secrets
from service.daemon.outage import OutageLog
from service.daemon.push import CHECK_SECONDS, PushSubscriptions
from service.delivery.retry import RetryPolicy
from service.delivery.worker import DELIVERY_LEASE
from service.pipeline.checked_rules import load_checked_rules
from service.pipeline.wake_loop import WakeLoop
from service.pipeline.wiring import Pipeline, open_pipeline_store, parse_pool_for
from service.rules.errors import RuleErrors
from service.rules.loader import LoadedRules
from service.sources.poller import PollSettings
from service.store.recorder import EventStore

if TYPE_CHECKING:
    from service.web.listen import ListenAddress
    from service.web.server import WebServer

log = logging.getLogger("vigil.daemon")

#: Set deliberately (APScheduler's defaults are misfire_grace_time=1, coalesce=True, max_instances=1):
#: a job late by a busy minute still runs once, missed runs collapse into one, no job overlaps itself.
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 60}


@dataclass(frozen=True)
class DaemonSettings:
    """Everything ``vigil run`` is told on its command line."""

    db_url: str
    rules_paths: Sequence[str]
    # The longest processing and delivery wait when no append wakes them (another SQLite process's, a
    # lost notification, a retry coming due): appends of this process, and on PostgreSQL of any, wake them.
    process_every: timedelta = timedelta(seconds=2)
    deliver_every: timedelta = timedelta(seconds=2)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    delivery_lease: timedelta = DELIVERY_LEASE  # a claim on a delivery without renewal (``--delivery-lease``)
    poll: PollSettings = field(default_factory=PollSettings)
    workers: int = 8  # jobs that run at once: polls, processing and delivery share them
    http: ListenAddress | None = None  # serve the web app there (``--http``); None: no HTTP
    api_token: str | None = field(default=None, repr=False)  # enables the subscriber routes
    public_url: str | None = None  # VIGIL_PUBLIC_URL: the base of absolute links the web pages give
    websub_callback: str | None = None  # VIGIL_WEBSUB_CALLBACK: where WebSub hubs call back (else public_url)


SIGNAL_CHECK_SECONDS = 0.5
#: Connections beyond one per worker: the web server's requests and the main thread.
SPARE_CONNECTIONS = 5


class Daemon:
    """Owns the store, the current pipeline and the scheduler; reacts to SIGTERM, SIGINT and SIGHUP."""

    def __init__(self, settings: DaemonSettings, env: Mapping[str, str] | None = None) -> None:
        self.settings = settings
        self.env = dict(os.environ if env is None else env)
        self._wake = threading.Event()
        self._outage = OutageLog(log)
        self._stop = False
        self._reload = False
        self._install_signals()  # before the slow start-up, so an early SIGTERM is still a clean stop
        self.heads = HeadPublishing.from_env(self.env)
        self.push = PushSubscriptions(settings.websub_callback or settings.public_url)
        self.store: EventStore = open_pipeline_store(settings.db_url, pool_size=settings.workers + SPARE_CONNECTIONS)
        # Bound before anything is recorded: a port already in use stops the start and changes nothing.
        self.web = self._bind_web() if settings.http else None
        loaded = load_checked_rules(settings.rules_paths, env=self.env)
        # One set of parse workers for the daemon's life, shared by the pipeline of each reload.
        self.parse_pool = parse_pool_for(settings.poll, len(loaded.rules.sources))
        self.pipeline = self._build(loaded)
        self.scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(settings.workers)},
            job_defaults=JOB_DEFAULTS,
            timezone=UTC,
        )
        # Processing and delivery wait for appends in threads of their own (service/pipeline/wake_loop.py);
        # their connections come from the pool's spare ones.
        self.loops = [
            WakeLoop("process", self.store, self._guarded(self._process_job), settings.process_every.total_seconds()),
            WakeLoop("deliver", self.store, self._guarded(self._deliver_job), settings.deliver_every.total_seconds()),
        ]

    def _build(self, loaded: LoadedRules) -> Pipeline:
        pipeline = Pipeline(
            self.store,
            loaded,
            env=self.env,
            retry=self.settings.retry,
            delivery_lease=self.settings.delivery_lease,
            poll_settings=self.settings.poll,
            parse_pool=self.parse_pool,
        )
        remember_rule_secrets(loaded.rules, self.env)
        written = pipeline.record_configuration()
        log.info(
            "rules loaded", extra={"rules_hash": loaded.hash, "files": len(loaded.files), "recorded": written}
        )
        return pipeline

    # --- lifecycle ---------------------------------------------------------------------------------

    def run(self) -> int:
        """Run until SIGTERM or SIGINT; return the exit code (0 after a clean stop)."""
        self._schedule_all()
        self.scheduler.start()
        for loop in self.loops:
            loop.start()
        if self.web:
            self.web.start()
        log.info(
            "daemon started",
            extra={"owner": self.pipeline.owner, "sources": len(self.pipeline.loaded.rules.sources),
                   "workers": self.settings.workers, "parse_workers": self.parse_pool.workers},
        )
        while True:
            # A timeout, not a bare wait: Linux may deliver SIGHUP/SIGTERM to a worker thread, and then a
            # main thread blocked in wait() never runs the Python handler, so the signal would be lost.
            self._wake.wait(SIGNAL_CHECK_SECONDS)
            self._wake.clear()
            if self._stop:
                break
            if self._reload:
                self._reload = False
                self.reload()
        log.info("stopping: finishing running jobs")
        if self.web:
            self.web.stop()
        for loop in self.loops:
            loop.stop()  # a running pass finishes its transaction first
        self.scheduler.shutdown(wait=True)  # running jobs finish their transaction first
        self._guarded(self._head_job)()  # the head as the daemon leaves it
        self.pipeline.close()
        self.parse_pool.close()
        self.store.close()
        log.info("daemon stopped")
        return 0

    def request_stop(self) -> None:
        """Ask the main loop to stop (what SIGTERM and SIGINT do)."""
        self._stop = True
        self._wake.set()

    def request_reload(self) -> None:
        """Ask the main loop to reload the rules (what SIGHUP does)."""
        self._reload = True
        self._wake.set()

    def reload(self) -> bool:
        """Load the rules again; invalid rules are refused and the running ones stay."""
        try:
            loaded = load_checked_rules(self.settings.rules_paths, env=self.env)
            pipeline = self._build(loaded)
        except RuleErrors as errors:
            for error in errors.errors:
                log.error("rules refused: %s", error)
            log.error("reload refused: keeping the rules loaded before (%s)", self.pipeline.loaded.hash)
            return False
        except Exception:  # noqa: BLE001 - whatever a rule file does to the loader, the daemon keeps running
            log.exception("reload refused: the rules could not be loaded; keeping the rules loaded before (%s)",
                          self.pipeline.loaded.hash)
            return False
        old = self.pipeline
        self.pipeline = pipeline
        old.close()
        self._schedule_all()
        return True

    def _bind_web(self) -> WebServer:
        # Imported here: the web stack loads only when --http asks for it.
        from service.web.context import WebContext
        from service.web.server import WebServer

        context = WebContext(
            self.store,
            rules=lambda: self.pipeline.loaded,
            started_at=datetime.now(UTC),
            scheduler_running=lambda: bool(self.scheduler.running),
            api_token=self.settings.api_token,
            public_url=self.settings.public_url,
            head_key=self.heads.key,
            push_received=self._push_received,
        )
        return WebServer(self.settings.http, context)  # type: ignore[arg-type]

    def _install_signals(self) -> None:
        signal.signal(signal.SIGTERM, lambda *_: self.request_stop())
        signal.signal(signal.SIGINT, lambda *_: self.request_stop())
        signal.signal(signal.SIGHUP, lambda *_: self.request_reload())

    # --- jobs --------------------------------------------------------------------------------------

    def _schedule_all(self) -> None:
        self.scheduler.remove_all_jobs()
        now = datetime.now(UTC)
        for source_id, spec in sorted(self.pipeline.loaded.rules.sources.items()):
            seconds = spec.every.total_seconds()
            self.scheduler.add_job(
                self._guarded(self._poll_job),
                IntervalTrigger(seconds=seconds, jitter=min(seconds * 0.1, 60)),
                args=[source_id],
                id=f"poll:{source_id}",
                next_run_time=now,
            )
        if self.push.usable(self.pipeline, serving_http=self.web is not None):
            self.scheduler.add_job(
                self._guarded(self._websub_job), IntervalTrigger(seconds=CHECK_SECONDS), id="websub", next_run_time=now
            )
        self.scheduler.add_job(
            self._guarded(self._head_job),
            IntervalTrigger(seconds=self.heads.every.total_seconds()),
            id="head",
            next_run_time=now,
        )

    def _guarded(self, job: Callable[..., bool | None]) -> Callable[..., None]:
        def run(*args: Any) -> None:
            name = " ".join([job.__name__.strip("_"), *map(str, args)])  # e.g. "poll_job wire"
            # A database outage is one line when it starts (and one when it ends), not a traceback from
            # every job every second; anything else is a bug and keeps its traceback.
            self._outage.run(name, lambda: job(*args))

        return run

    def _poll_job(self, source_id: str) -> bool:
        """Poll a source if due; False when it was not (a run that wrote nothing ends no outage)."""
        if source_id not in self.pipeline.loaded.rules.sources:
            return False
        return self.pipeline.poll(source_id).status != "skipped"  # what it records wakes the processing loop

    def _push_received(self, source_id: str) -> None:
        """A hub's verified ping: poll the source now (pings that come while it waits make one poll)."""
        if source_id in self.pipeline.loaded.rules.sources:
            self.scheduler.add_job(self._guarded(self._pushed_poll_job), args=[source_id], id=f"push:{source_id}",
                                   replace_existing=True)

    def _pushed_poll_job(self, source_id: str) -> bool:
        if source_id not in self.pipeline.loaded.rules.sources:
            return False
        # Due or not: the publisher says it changed (skipped only while another daemon polls it).
        return self.pipeline.poll(source_id, force=True).status != "skipped"

    def _websub_job(self) -> None:
        self.push.maintain(self.pipeline)

    def _process_job(self) -> None:
        self.pipeline.process()  # the alerts it records wake the delivery loop

    def _deliver_job(self) -> None:
        self.pipeline.deliver()

    def _head_job(self) -> None:
        publish_head(self.store, self.heads, self.env)
