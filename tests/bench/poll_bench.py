"""Poll benchmark: fetch and parse 500 feeds from a local server with a thread pool, twice.

The first round downloads and parses every feed (200s); the second sends the validators back and
gets 304s for all. Prints each round's wall time and feeds per second. The feed server runs in a
child process so that its threads do not compete with the pollers for this interpreter's GIL.

    .venv/bin/python tests/bench/poll_bench.py [--feeds 500] [--items 20] [--workers 32]
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path

import httpx

# Run as a script from anywhere: make the repository root importable for tests.support.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from service.sources.fetch import FetchError, fetch  # noqa: E402
from service.sources.parse import FeedError, parse_feed  # noqa: E402
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


def serve(feeds: int, items: int, channel: Connection) -> None:
    """Child process: serve the feeds, report (base URL, paths), serve until told to stop."""
    with FeedServer() as server:
        channel.send((server.base_url, build_feeds(server, feeds, items)))
        channel.recv()


def poll_once(base_url: str, client: httpx.Client, path: str, previous: Polled | None) -> Polled:
    """Fetch (conditionally, if ``previous``) and parse one feed."""
    try:
        result = fetch(base_url + path, etag=previous.etag if previous else None,
                       last_modified=previous.last_modified if previous else None, timeout=5.0,
                       client=client)
        entries = 0 if result.not_modified else len(parse_feed(result).entries)
    except (FetchError, FeedError) as error:
        raise SystemExit(f"{path}: {error.reason}") from error
    return Polled(path, result.status, entries, result.etag, result.last_modified)


def run_round(base_url: str, client: httpx.Client, paths: list[str], workers: int,
              previous: dict[str, Polled] | None) -> tuple[float, dict[str, Polled]]:
    """Poll every path with ``workers`` threads; return the wall time and the outcomes."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        done = list(pool.map(lambda p: poll_once(base_url, client, p, (previous or {}).get(p)), paths))
    return time.perf_counter() - started, {p.path: p for p in done}


def main() -> None:
    """Run both rounds and print the figures."""
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--feeds", type=int, default=500)
    options.add_argument("--items", type=int, default=20)
    options.add_argument("--workers", type=int, default=32)
    args = options.parse_args()
    ours, theirs = multiprocessing.Pipe()
    server = multiprocessing.Process(target=serve, args=(args.feeds, args.items, theirs), daemon=True)
    server.start()
    try:
        base_url, paths = ours.recv()
        with httpx.Client(limits=httpx.Limits(max_connections=args.workers)) as client:
            first_time, first = run_round(base_url, client, paths, args.workers, None)
            second_time, second = run_round(base_url, client, paths, args.workers, first)
    finally:
        ours.send("stop")
        server.join(timeout=10)
    statuses_1 = sorted({p.status for p in first.values()})
    statuses_2 = sorted({p.status for p in second.values()})
    entries = sum(p.entries for p in first.values())
    print(f"poll bench: {args.feeds} feeds x {args.items} items, {args.workers} workers")
    print(f"  round 1 (full fetch + parse): {first_time:6.2f} s  {args.feeds / first_time:7.1f} feeds/s"
          f"  statuses {statuses_1}, {entries} entries")
    print(f"  round 2 (conditional, 304):   {second_time:6.2f} s  {args.feeds / second_time:7.1f} feeds/s"
          f"  statuses {statuses_2}")


if __name__ == "__main__":
    main()
