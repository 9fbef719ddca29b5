"""Poll benchmark: fetch and parse 500 feeds from a local server with a thread pool, twice.

The first round downloads and parses every feed (200s), parsing in worker processes as the daemon does
for this many sources (``--parse-workers``, default: Vigil's choice for the machine), and again parsing
in the poll threads (one core: how it scales with cores); the second sends the validators back and gets
304s for all. Prints each round's wall time and feeds per second. The first round is also run by
the "minimal pipeline" of issue 16 (httpx + feedparser + sqlite3 + one regex per item, none of Vigil's
guarantees) in the same run, ``--runs`` times each, with min/median/max and the ratio against the
target (Vigil's first round <= 1.1x the minimal pipeline's time). The feed server runs in a
child process so that its threads do not compete with the pollers for this interpreter's GIL.

    .venv/bin/python tests/bench/poll_bench.py [--feeds 500] [--items 20] [--workers 32] [--parse-workers N]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import httpx

# Run as a script from anywhere: make the repository root importable for tests.support.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from service.sources.fetch import FetchError, FetchResult, fetch  # noqa: E402
from service.sources.parse import FeedError  # noqa: E402
from service.sources.parse_pool import ParsePool, auto_workers  # noqa: E402
from tests.bench.child_feeds import feeds_in_child  # noqa: E402
from tests.support.feedserver import FeedServer, FixtureItem, rss_xml  # noqa: E402


@dataclass(frozen=True)
class Polled:
    """The outcome of one poll in the bench."""

    path: str
    status: int
    entries: int
    etag: str | None
    last_modified: str | None


def build_feeds(server: FeedServer, feeds: int, items: int) -> list[str]:
    """Serve ``feeds`` RSS documents of ``items`` invented stories each; return their paths."""
    # Stories are invented for the bench; nothing here quotes real reporting.
    start = datetime(2025, 6, 1, tzinfo=UTC)
    paths = []
    for n in range(feeds):
        stories = [
            FixtureItem(
                title=f"Desk {n}: update {k} on the coastal negotiations",
                text=f"<p>Update {k} from desk {n}: delegates reviewed draft {k} and will meet again.</p>"
                     * 3,
                link=f"https://desk{n}.example/stories/{k}",
                guid=f"desk{n}-{k}",
                published=start + timedelta(minutes=k),
            )
            for k in range(items)
        ]
        path = f"/desk{n}.xml"
        server.set_feed(path, rss_xml(stories, title=f"Desk {n}"))
        paths.append(path)
    return paths


def poll_once(base_url: str, client: httpx.Client, path: str, previous: Polled | None, parser: ParsePool) -> Polled:
    """Fetch (conditionally, if ``previous``) and parse one feed."""
    try:
        result = fetch(base_url + path, etag=previous.etag if previous else None,
                       last_modified=previous.last_modified if previous else None, timeout=5.0,
                       client=client)
        entries = 0 if result.not_modified else len(parser.parse(result, "feed", None)[0])
    except (FetchError, FeedError) as error:
        raise SystemExit(f"{path}: {error.reason}") from error
    return Polled(path, result.status, entries, result.etag, result.last_modified)


def run_round(base_url: str, client: httpx.Client, paths: list[str], workers: int,
              previous: dict[str, Polled] | None, parser: ParsePool) -> tuple[float, dict[str, Polled]]:
    """Poll every path with ``workers`` threads; return the wall time and the outcomes."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        done = list(pool.map(lambda p: poll_once(base_url, client, p, (previous or {}).get(p), parser), paths))
    return time.perf_counter() - started, {p.path: p for p in done}


#: The minimal pipeline's one pattern per item (what a hand-rolled alerter would grep for).
MINIMAL_PATTERN = re.compile(r"\bdelegates\s+\w+\s+draft\b", re.IGNORECASE)


def minimal_round(base_url: str, client: httpx.Client, paths: list[str], workers: int) -> float:
    """The baseline: fetch with httpx, parse with feedparser, one regex per item, rows into sqlite3."""
    with tempfile.TemporaryDirectory() as scratch:
        database = sqlite3.connect(Path(scratch) / "minimal.db", check_same_thread=False)
        database.execute("CREATE TABLE entries (feed TEXT, guid TEXT, title TEXT, hit INTEGER,"
                         " PRIMARY KEY (feed, guid))")

        def poll(path: str) -> list[tuple[str, str, str, int]]:
            parsed = feedparser.parse(client.get(base_url + path, timeout=5.0).content)
            return [(path, e.get("id", ""), e.get("title", ""),
                     int(bool(MINIMAL_PATTERN.search(e.get("summary", ""))))) for e in parsed.entries]

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for rows in pool.map(poll, paths):
                with database:
                    database.executemany("INSERT OR IGNORE INTO entries VALUES (?, ?, ?, ?)", rows)
        elapsed = time.perf_counter() - started
        database.close()
    return elapsed


def spread(times: list[float]) -> str:
    """``min / median / max`` of a list of seconds."""
    return f"{min(times):6.2f} / {statistics.median(times):6.2f} / {max(times):6.2f} s"


def main() -> None:
    """Run both rounds and print the figures."""
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--feeds", type=int, default=500)
    options.add_argument("--items", type=int, default=20)
    options.add_argument("--workers", type=int, default=32)
    options.add_argument("--runs", type=int, default=3)
    options.add_argument("--parse-workers", type=int, default=None,
                         help="parse processes (default: what the daemon picks for this many feeds here)")
    args = options.parse_args()
    parse_workers = args.parse_workers if args.parse_workers is not None else auto_workers(args.feeds)
    pooled, in_process = ParsePool(parse_workers, 60.0), ParsePool(0, 60.0)
    if parse_workers:
        with contextlib.suppress(FeedError):
            pooled.parse(*_warm_up())  # the workers start once, as in a running daemon
    try:
        with feeds_in_child(build_feeds, args.feeds, args.items) as (base_url, paths):
            vigil_times: list[float] = []
            one_core_times: list[float] = []
            second_times: list[float] = []
            minimal_times: list[float] = []
            with httpx.Client(limits=httpx.Limits(max_connections=args.workers)) as client:
                for _ in range(args.runs):
                    # Alternate the two so that neither always runs on a warmer server.
                    first_time, first = run_round(base_url, client, paths, args.workers, None, pooled)
                    second_time, second = run_round(base_url, client, paths, args.workers, first, pooled)
                    vigil_times.append(first_time)
                    second_times.append(second_time)
                    one_core_times.append(run_round(base_url, client, paths, args.workers, None, in_process)[0])
                    minimal_times.append(minimal_round(base_url, client, paths, args.workers))
    finally:
        pooled.close()
    statuses_1 = sorted({p.status for p in first.values()})
    statuses_2 = sorted({p.status for p in second.values()})
    entries = sum(p.entries for p in first.values())
    vigil_median = statistics.median(vigil_times)
    minimal_median = statistics.median(minimal_times)
    print(f"poll bench: {args.feeds} feeds x {args.items} items, {args.workers} workers, {parse_workers} parse"
          f" processes, {os.cpu_count()} cores, {args.runs} runs (min / median / max)")
    print(f"  round 1, Vigil (fetch + parse):  {spread(vigil_times)}"
          f"  {args.feeds / vigil_median:7.1f} feeds/s  statuses {statuses_1}, {entries} entries")
    print(f"  round 1, Vigil parsing in the poll threads (one core): {spread(one_core_times)}"
          f"  {statistics.median(one_core_times) / vigil_median:.2f}x the time with {parse_workers} parse processes")
    print(f"  round 1, minimal pipeline:       {spread(minimal_times)}"
          f"  {args.feeds / minimal_median:7.1f} feeds/s")
    print(f"  round 2, Vigil (conditional):    {spread(second_times)}  statuses {statuses_2}")
    ratio = vigil_median / minimal_median
    print(f"  Vigil / minimal time: {ratio:.2f}x  (target <= 1.10x: {'met' if ratio <= 1.1 else 'NOT met'})")


def _warm_up() -> tuple[FetchResult, str, None]:
    """A tiny feed to start the parse workers with."""
    return FetchResult(200, rss_xml([]).encode(), "http://127.0.0.1/warm.xml"), "feed", None


if __name__ == "__main__":
    main()
