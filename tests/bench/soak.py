"""Soak test: a real ``vigil run`` daemon against many local feeds that keep publishing, for minutes.

A script that prints figures, never a test (pytest collects only ``test_*.py``):

    .venv/bin/python -m tests.bench.soak --db sqlite|postgres [--minutes 10] [--feeds 200] [--rate 20]
    .venv/bin/python -m tests.bench.soak --db sqlite|postgres --short   # the same load for 1 minute

Every feed gets ``--rate`` entries a minute (evenly spaced, feeds staggered); every ``--change-every``-th
entry of a feed moves that feed's own item (raised <-> lowered), which raises an alert delivered by
apprise to a loopback json:// receiver that timestamps it. Each changing sentence carries a reference,
so every alert is matched to the moment its entry was published. After ``--minutes`` the publishing
stops and the script waits for the last alerts (up to ``--drain`` seconds), then stops the daemon.

Printed: entries offered and recorded per second, processing lag from publish to alert delivered
(p50/p99/max; it includes the wait for the next poll, up to ``--every``), the latency from an entry
recorded to its alert handed to apprise (p50/p95/p99 in ms: the receiver's arrival time, so it includes
apprise's loopback POST), the daemon's RSS sampled every 10 s (first/last/max), and lost and duplicate
alerts. ``--short`` runs the same load for one minute with a shorter drain (about two minutes in all).
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from service.store.bootstrap import open_store
from tests.pipeline.harness import start_daemon
from tests.support.databases import pg_schema_url
from tests.support.feedserver import FeedServer, FixtureItem, rss_xml

WINDOW = 60  # entries a feed lists: three minutes of history at 20 a minute
RSS_EVERY = 10.0
#: Entry recorded -> alert handed to apprise, p99 at the soak load (issue 16).
LATENCY_TARGET_MS = 100
REF = re.compile(r"\(ref (r\d+-\d+)\)")


# --- the alert receiver ------------------------------------------------------------------------


class TimedReceiver:
    """A loopback HTTP server taking apprise json:// posts, recording when each reference arrived."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.arrivals: list[tuple[str, float]] = []  # (reference, time.time() on arrival)
        self.unmatched = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                arrived = time.time()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                receiver.record(json.loads(body).get("message", ""), arrived)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - overridden signature
                pass

        return Handler

    def record(self, message: str, arrived: float) -> None:
        """Note the reference in one delivered alert."""
        found = REF.search(message)
        with self.lock:
            if found:
                self.arrivals.append((found.group(1), arrived))
            else:
                self.unmatched += 1

    def url(self) -> str:
        """The apprise URL of this receiver."""
        return f"json://127.0.0.1:{self._server.server_address[1]}/alerts"

    def received(self) -> list[tuple[str, float]]:
        """Every (reference, arrival time) so far."""
        with self.lock:
            return list(self.arrivals)

    def __enter__(self) -> TimedReceiver:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()


# --- the publisher -----------------------------------------------------------------------------


@dataclass
class Publisher:
    """Adds entries to every feed on schedule and remembers when each changing one went out."""

    server: FeedServer
    feeds: int
    rate: float  # entries a minute per feed
    change_every: int
    items: list[list[FixtureItem]] = field(init=False)
    published_at: dict[str, float] = field(default_factory=dict)  # reference -> time.time()
    offered: int = 0

    def __post_init__(self) -> None:
        self.items = [[] for _ in range(self.feeds)]
        for feed in range(self.feeds):
            self.server.set_feed(path(feed), rss_xml([], title=f"Zone {feed} wire"))

    def run(self, seconds: float) -> None:
        """Publish for ``seconds``: feed ``n``'s ``k``-th entry is due at ``start + (k + n / feeds) * gap``."""
        gap = 60.0 / self.rate
        start = time.monotonic()
        counts = [0] * self.feeds
        while (elapsed := time.monotonic() - start) < seconds:
            for feed in range(self.feeds):
                while (counts[feed] + feed / self.feeds) * gap <= elapsed:
                    self._publish(feed, counts[feed])
                    counts[feed] += 1
            time.sleep(0.05)  # pacing of the publisher's own schedule, not a wait for a condition

    def _publish(self, feed: int, k: int) -> None:
        now = time.time()
        moment = datetime.fromtimestamp(now, UTC)
        if k % self.change_every == self.change_every - 1:
            ref = f"r{feed}-{k}"
            state = "raised" if (k // self.change_every) % 2 == 0 else "lowered"
            text = f"Officials in zone{feed} said the alert level was {state} (ref {ref})."
            self.published_at[ref] = now
        else:
            text = f"Routine report {k} from zone{feed}: crews inspected the harbour and found nothing new."
        entry = FixtureItem(
            f"Zone {feed} update {k}", text, link=f"https://zone{feed}.test/{k}", guid=f"z{feed}-{k}", published=moment
        )
        self.items[feed] = [entry, *self.items[feed]][:WINDOW]
        self.server.set_feed(path(feed), rss_xml(self.items[feed], title=f"Zone {feed} wire"))
        self.offered += 1


def path(feed: int) -> str:
    """The URL path of one feed."""
    return f"/zone{feed}.xml"


# --- rules, database, daemon -------------------------------------------------------------------


def write_rules(folder: Path, server: FeedServer, feeds: int, every: int, hook: str) -> Path:
    """One source and one item per feed; one alert rule for every item; one subscriber."""
    lines = ["sources:"]
    lines += [f'  zone{n}: {{url: "{server.url(path(n))}", every: {every}s}}' for n in range(feeds)]
    lines.append("items:")
    for n in range(feeds):
        lines += [
            f"  zone{n}-alert:",
            f"    title: Alert level in zone {n}",
            "    tags: [soak]",
            f"    scope: [[zone{n}]]",
            "    initial: none",
            "    states: {raised: ['alert level was raised'], lowered: ['alert level was lowered']}",
        ]
    lines += [
        "alerts:",
        "  - name: level-changed",
        "    when: {tags: [soak]}",
        "subscribers:",
        f'  soak: {{urls: ["{hook}"]}}',
    ]
    rules = folder / "soak.yaml"
    rules.write_text("\n".join(lines) + "\n")
    return rules


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    """A fresh database URL of ``kind`` (a SQLite file, or a new PostgreSQL schema dropped afterwards)."""
    if kind == "sqlite":
        yield str(folder / "soak.db")
        return
    with pg_schema_url() as url:
        yield url


def wait_until_polling(server: FeedServer, feeds: int, daemon: subprocess.Popen[bytes], limit: float = 120) -> None:
    """Return once the daemon has polled every feed once (it is started up), or fail after ``limit``."""
    began = time.monotonic()
    while {r.path for r in server.requests()} < {path(n) for n in range(feeds)}:
        if daemon.poll() is not None or time.monotonic() - began > limit:
            raise SystemExit(f"the daemon did not start polling (exit code {daemon.poll()})")
        time.sleep(0.2)  # polling the feed server's request log, with the deadline above


def rss_mb(pid: int) -> float | None:
    """The process's resident memory in MB, from /proc (None once it has gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) / 1024 if found else None


@dataclass
class RssSampler:
    """Samples a process's RSS every ``RSS_EVERY`` seconds in a background thread."""

    pid: int
    samples: list[tuple[float, float]] = field(default_factory=list)  # (seconds since start, MB)
    stopped: threading.Event = field(default_factory=threading.Event)

    def start(self) -> RssSampler:
        """Begin sampling (one sample at once)."""
        threading.Thread(target=self._run, daemon=True).start()
        return self

    def _run(self) -> None:
        began = time.monotonic()
        while True:
            value = rss_mb(self.pid)
            if value is not None:
                self.samples.append((time.monotonic() - began, value))
            if self.stopped.wait(RSS_EVERY):
                return


def drain(receiver: TimedReceiver, expected: set[str], least: float, limit: float) -> float:
    """Wait at least ``least`` seconds (the last entries get polled) and until every expected reference
    arrived, or ``limit`` seconds passed; return the wait."""
    began = time.monotonic()
    while time.monotonic() - began < limit:
        if time.monotonic() - began >= least and expected <= {ref for ref, _ in receiver.received()}:
            break
        time.sleep(0.5)  # polling the receiver for the condition, with the deadline above
    return time.monotonic() - began


def recorded_entries(db: str) -> dict[str, float]:
    """When the daemon recorded each entry (EntryObserved), by guid, as time.time() values."""
    store = open_store(db, migrate=False)
    try:
        return {e.data["guid"]: e.recorded_at.timestamp() for e in store.read_all(types=["EntryObserved"])}
    finally:
        store.close()


def raised_alerts(db: str) -> dict[str, float]:
    """When each alert was raised (AlertRaised), by the reference in its evidence, as time.time() values."""
    store = open_store(db, migrate=False)
    try:
        raised: dict[str, float] = {}
        for event in store.read_all(types=["AlertRaised"]):
            found = REF.search(json.dumps(event.data))
            if found:
                raised.setdefault(found.group(1), event.recorded_at.timestamp())
        return raised
    finally:
        store.close()


def guid_of(ref: str) -> str:
    """The guid of the entry that carries reference ``ref`` (``r3-19`` -> ``z3-19``)."""
    return "z" + ref[1:]


def print_latency(name: str, lags: list[float]) -> None:
    """One line of latency percentiles in milliseconds (the figure the latency target is about)."""
    if lags:
        p50, p95, p99 = (percentile(lags, share) * 1000 for share in (0.5, 0.95, 0.99))
        print(f"  {name}: p50 {p50:.0f} ms, p95 {p95:.0f} ms, p99 {p99:.0f} ms, max {max(lags) * 1000:.0f} ms "
              f"({len(lags)} alerts)")


def print_lags(name: str, lags: list[float]) -> None:
    """One line of lag percentiles."""
    if lags:
        print(
            f"  {name}: p50 {percentile(lags, 0.5):.1f}s, p99 {percentile(lags, 0.99):.1f}s, "
            f"max {max(lags):.1f}s, mean {statistics.fmean(lags):.1f}s"
        )


# --- report ------------------------------------------------------------------------------------


def log_levels(log: Path) -> dict[str, Any]:
    """Lines at ERROR and WARNING in the daemon's JSON log, and its most frequent messages."""
    levels: dict[str, Any] = {"ERROR": 0, "WARNING": 0, "messages": Counter()}
    for line in log.read_text(errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            levels["messages"][line[:100]] += 1
            continue
        level = str(record.get("level", "")).upper()
        if level in ("ERROR", "WARNING"):
            levels[level] += 1
            levels["messages"][f"{level} {str(record.get('message', ''))[:100]}"] += 1
    return levels


def percentile(values: list[float], share: float) -> float:
    """The ``share`` quantile (0..1) of ``values``, nearest-rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def report(
    args: argparse.Namespace,
    publisher: Publisher,
    receiver: TimedReceiver,
    sampler: RssSampler,
    recorded: dict[str, float],
    raised: dict[str, float],
    seconds: float,
    waited: float,
    log: Path,
) -> None:
    """Print the figures of one run."""
    arrivals = receiver.received()
    counts = Counter(ref for ref, _ in arrivals)
    first_arrival = {}
    for ref, at in arrivals:
        first_arrival.setdefault(ref, at)
    published = publisher.published_at
    delivered = [ref for ref in published if ref in first_arrival]
    polled = [ref for ref in delivered if guid_of(ref) in recorded]
    lost = sorted(set(publisher.published_at) - set(counts))
    duplicates = sum(n - 1 for n in counts.values() if n > 1)
    memory = [mb for _, mb in sampler.samples]
    levels = log_levels(log)
    print(
        f"soak on {args.db}: {args.feeds} feeds x {args.rate:g} entries/min, polled every {args.every}s, "
        f"{seconds / 60:.1f} min of publishing (+{waited:.0f}s drain)"
    )
    print(
        f"  entries: {publisher.offered} published ({publisher.offered / seconds:.1f}/s), "
        f"{len(recorded)} recorded ({len(recorded) / seconds:.1f}/s sustained), "
        f"{publisher.offered - len(recorded)} missed"
    )
    print(
        f"  alerts: {len(publisher.published_at)} expected, {len(first_arrival)} delivered, "
        f"{len(lost)} lost, {duplicates} duplicate, {receiver.unmatched} unmatched"
    )
    print_lags("lag publish -> alert delivered", [first_arrival[ref] - published[ref] for ref in delivered])
    # The two halves: waiting for the next poll and fetching it; then extraction, alert and delivery.
    print_lags("  of which publish -> entry recorded", [recorded[guid_of(ref)] - published[ref] for ref in polled])
    print_lags(
        "  of which entry recorded -> delivered", [first_arrival[ref] - recorded[guid_of(ref)] for ref in polled]
    )
    print_latency(
        "latency entry recorded -> alert handed to apprise",
        [first_arrival[ref] - recorded[guid_of(ref)] for ref in polled],
    )
    both = [ref for ref in polled if ref in raised]
    print_latency("  of which entry recorded -> alert raised", [raised[ref] - recorded[guid_of(ref)] for ref in both])
    print_latency("  of which alert raised -> handed to apprise", [first_arrival[ref] - raised[ref] for ref in both])
    latency = [first_arrival[ref] - recorded[guid_of(ref)] for ref in polled]
    if latency:
        p99 = percentile(latency, 0.99) * 1000
        print(f"  target p99 < {LATENCY_TARGET_MS} ms: {'met' if p99 < LATENCY_TARGET_MS else 'NOT met'}"
              + ("" if p99 < LATENCY_TARGET_MS else " (the two lines above split it: processing, then delivery; "
                 "where each waits: docs/performance.md#latency)"))
    if memory:
        print(
            f"  daemon RSS (every {RSS_EVERY:.0f}s, {len(memory)} samples): first {memory[0]:.0f} MB, "
            f"last {memory[-1]:.0f} MB, max {max(memory):.0f} MB"
        )
        print("  RSS series MB: " + " ".join(f"{mb:.0f}" for mb in memory))
    print(f"  daemon log lines: {levels['ERROR']} at ERROR, {levels['WARNING']} at WARNING")
    for message, count in levels["messages"].most_common(3):
        print(f"    {count} x {message}")
    if lost:
        print(f"  first lost references: {', '.join(lost[:10])}")


def main() -> None:
    """Run the soak and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20.0, help="entries a minute per feed")
    parser.add_argument("--every", type=int, default=10, help="poll interval of each feed, seconds")
    parser.add_argument("--change-every", type=int, default=10, help="every n-th entry changes its item")
    parser.add_argument("--drain", type=float, default=120.0, help="longest wait for the last alerts, seconds")
    parser.add_argument("--short", action="store_true", help="one minute of publishing and a 40 s drain at most")
    parser.add_argument("--parse-workers", type=int, default=None,
                        help="the daemon's --parse-workers (default: its own choice, 2 on 2 cores for 200 feeds)")
    args = parser.parse_args()
    if args.short:
        args.minutes, args.drain = 1.0, 40.0
    with (
        tempfile.TemporaryDirectory(prefix="vigil-soak-") as tmp,
        database(args.db, Path(tmp)) as db,
        FeedServer() as server,
        TimedReceiver() as receiver,
    ):
        folder = Path(tmp)
        rules = write_rules(folder, server, args.feeds, args.every, receiver.url())
        publisher = Publisher(server, args.feeds, args.rate, args.change_every)
        log = folder / "daemon.log"
        extra = ["--parse-workers", str(args.parse_workers)] if args.parse_workers is not None else []
        daemon = start_daemon(db, rules, log, "--log-level", "WARNING", *extra)
        sampler = RssSampler(daemon.pid)
        try:
            wait_until_polling(server, args.feeds, daemon)
            sampler.start()
            seconds = args.minutes * 60
            publisher.run(seconds)
            waited = drain(receiver, set(publisher.published_at), 2.5 * args.every, args.drain)
        finally:
            sampler.stopped.set()
            daemon.send_signal(signal.SIGTERM)
            code = daemon.wait(timeout=120)
        print(f"daemon exit code: {code}")
        report(args, publisher, receiver, sampler, recorded_entries(db), raised_alerts(db), seconds, waited, log)


if __name__ == "__main__":
    main()
