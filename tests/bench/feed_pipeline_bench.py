"""Feed -> delivered alert: local feeds polled, judged and delivered by Vigil, beside issue 16's minimal pipeline.

A script that prints figures, never a test:

    .venv/bin/python -m tests.bench.feed_pipeline_bench [--feeds 50] [--entries 20] [--runs 3] [--parse-workers N]

Each feed has its own item; one entry of each frees that feed's prisoner batch (a state change, one alert
delivered by apprise to a loopback json:// receiver), the others are routine news that mentions it. Vigil
runs one pass as ``vigil run --once`` does (poll every source, processing and delivering alongside the
polls, then what is left) into a new SQLite store.
The minimal pipeline does the same work with none of Vigil's guarantees: httpx + feedparser, the entries
into sqlite3, one regex per item over every entry, and a POST per match. Both runs count entries from the
first request to the last alert received (after one warm-up round each; the parse workers start once, as
in a daemon); min / median / max over ``--runs`` runs, alternating, and the
ratio against the target (Vigil >= 0.8x the minimal pipeline's entries/s). The feed server runs in a child
process, as in poll_bench, so that its threads do not compete with either side for the GIL.
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from service.demo.receiver import AlertReceiver  # noqa: E402
from service.pipeline.wiring import Pipeline, open_pipeline_store  # noqa: E402
from service.rules.loader import load_rules  # noqa: E402
from service.sources.parse_pool import ParsePool, auto_workers  # noqa: E402
from tests.bench.child_feeds import feeds_in_child  # noqa: E402
from tests.support.feedserver import FeedServer, FixtureItem, rss_xml  # noqa: E402

TARGET = 0.8
ROUTINE = ("Officials in Kyiv and Moscow discussed the lists for prisoner batch {n} again today, "
           "and negotiators said talks on the next steps would continue.")
FREED = "Officials in Kyiv and Moscow said prisoner batch {n} was freed."


def build_feeds(server: FeedServer, feeds: int, entries: int) -> list[str]:
    """Serve ``feeds`` RSS documents of ``entries`` invented reports each; return their paths."""
    start = datetime(2025, 6, 1, tzinfo=UTC)
    paths = []
    for n in range(feeds):
        items = [FixtureItem(title=f"Batch {n}: report {k}", text=(FREED if k == entries // 2 else ROUTINE).format(n=n),
                             link=f"https://desk{n}.example/{k}", guid=f"desk{n}-{k}",
                             published=start + timedelta(minutes=k)) for k in range(entries)]
        path = f"/desk{n}.xml"
        server.set_feed(path, rss_xml(items, title=f"Desk {n}"))
        paths.append(path)
    return paths


def write_rules(folder: Path, base_url: str, paths: list[str], hook: str) -> Path:
    """One source and one item per feed, every alert to ``hook``."""
    lines = ["sources:"] + [f'  desk{n}: {{url: "{base_url}{path}", every: 1h}}' for n, path in enumerate(paths)]
    lines.append("items:")
    for n in range(len(paths)):
        lines += [f"  batch-{n}:", f"    title: Batch {n}", "    tags: [batches]", "    scope: [[kyiv], [moscow]]",
                  f"    states: {{freed: ['prisoner batch {n} (was|were) freed']}}"]
    lines += ["alerts:", "  - name: batch-news", "    when: {tags: [batches]}", "    notify: [bench]",
              "subscribers:", f'  bench: {{urls: ["{hook}"]}}']
    path = folder / "rules.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


@contextmanager
def fresh_pipeline(base_url: str, paths: list[str], receiver: AlertReceiver, parser: ParsePool) -> Iterator[Pipeline]:
    """A pipeline on a new store with the bench's rules and its configuration recorded, the receiver emptied;
    parsing with the daemon's long-lived ``parser``."""
    with tempfile.TemporaryDirectory() as scratch:
        loaded = load_rules([write_rules(Path(scratch), base_url, paths, receiver.apprise_url)], env={})
        store = open_pipeline_store(f"sqlite:///{scratch}/vigil.db")
        pipeline = Pipeline(store, loaded, env={}, parse_pool=parser)
        try:
            pipeline.record_configuration()
            receiver.take()
            yield pipeline
        finally:
            pipeline.close()
            store.close()


def vigil_round(base_url: str, paths: list[str], receiver: AlertReceiver, parser: ParsePool) -> float:
    """One ``run --once``-like pass into a new store; the seconds until every alert was received."""
    with fresh_pipeline(base_url, paths, receiver, parser) as pipeline:
        started = time.perf_counter()
        with pipeline.consuming_alongside():  # as `vigil run --once` does
            pipeline.poll_all(force=True)
        pipeline.process()
        pipeline.deliver()
        elapsed = time.perf_counter() - started
    received = len(receiver.take())
    if received != len(paths):
        raise SystemExit(f"Vigil delivered {received} alerts, expected {len(paths)}")
    return elapsed


def vigil_stages(base_url: str, paths: list[str], receiver: AlertReceiver, parser: ParsePool) -> dict[str, float]:
    """One pass with its stages one after the other (nothing alongside), each timed: where the time goes."""
    seconds: dict[str, float] = {}
    with fresh_pipeline(base_url, paths, receiver, parser) as pipeline:
        for stage, work in (("poll and record", lambda: pipeline.poll_all(force=True)),
                            ("judge (process)", pipeline.process), ("deliver", pipeline.deliver)):
            started = time.perf_counter()
            work()
            seconds[stage] = time.perf_counter() - started
    receiver.take()
    return seconds


def minimal_round(base_url: str, paths: list[str], receiver: AlertReceiver) -> float:
    """The baseline: fetch, feedparser, rows into sqlite3, one regex per item over every entry, a POST per match."""
    patterns = [re.compile(rf"prisoner batch {n} (was|were) freed", re.IGNORECASE) for n in range(len(paths))]
    hook = receiver.apprise_url.replace("json://", "http://", 1)
    with tempfile.TemporaryDirectory() as scratch, httpx.Client() as client:
        database = sqlite3.connect(Path(scratch) / "minimal.db", check_same_thread=False)
        database.execute("CREATE TABLE entries (feed TEXT, guid TEXT, title TEXT, text TEXT, PRIMARY KEY (feed, guid))")
        receiver.take()

        def poll(path: str) -> list[tuple[str, str, str, str]]:
            parsed = feedparser.parse(client.get(base_url + path, timeout=10.0).content)
            return [(path, e.get("id", ""), e.get("title", ""), e.get("summary", "")) for e in parsed.entries]

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=16) as pool:
            for rows in pool.map(poll, paths):
                with database:
                    database.executemany("INSERT OR IGNORE INTO entries VALUES (?, ?, ?, ?)", rows)
                for _feed, _guid, title, body in rows:
                    for pattern in patterns:
                        if pattern.search(body):
                            client.post(hook, json={"title": title, "body": body, "type": "info"}, timeout=10.0)
        elapsed = time.perf_counter() - started
        database.close()
    received = len(receiver.take())
    if received != len(paths):
        raise SystemExit(f"the minimal pipeline delivered {received} alerts, expected {len(paths)}")
    return elapsed


def spread(values: list[float]) -> str:
    """``min / median / max``."""
    return f"{min(values):8,.0f} / {statistics.median(values):8,.0f} / {max(values):8,.0f}"


def main() -> None:
    """Run both pipelines ``--runs`` times, alternating, and print entries/s and the ratio."""
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--feeds", type=int, default=50)
    options.add_argument("--entries", type=int, default=20)
    options.add_argument("--runs", type=int, default=3)
    options.add_argument("--parse-workers", type=int, default=None,
                         help="parse processes (default: what the daemon picks for this many sources here)")
    args = options.parse_args()
    parse_workers = args.parse_workers if args.parse_workers is not None else auto_workers(args.feeds)
    total = args.feeds * args.entries
    vigil: list[float] = []
    minimal: list[float] = []
    # Started once, as a daemon does: the workers' start-up is not part of a poll.
    parser = ParsePool(parse_workers, 60.0)
    try:
        with feeds_in_child(build_feeds, args.feeds, args.entries) as (base_url, paths), AlertReceiver() as receiver:
            vigil_round(base_url, paths, receiver, parser)  # warm-up: workers started, modules imported
            minimal_round(base_url, paths, receiver)
            for _ in range(args.runs):
                vigil.append(total / vigil_round(base_url, paths, receiver, parser))
                minimal.append(total / minimal_round(base_url, paths, receiver))
            ratio = statistics.median(vigil) / statistics.median(minimal)
            stages = vigil_stages(base_url, paths, receiver, parser) if ratio < TARGET else {}
    finally:
        parser.close()
    print(f"feed -> delivered alert: {args.feeds} feeds x {args.entries} entries, {args.feeds} alerts, SQLite, "
          f"{parse_workers} parse processes, {os.cpu_count()} cores, {args.runs} runs (min / median / max)")
    print(f"  Vigil (poll, judge, record, deliver):  {spread(vigil)} entries/s")
    print(f"  minimal pipeline:                      {spread(minimal)} entries/s")
    print(f"  Vigil / minimal: {ratio:.2f}x  (target >= {TARGET}x: {'met' if ratio >= TARGET else 'NOT met'})")
    if stages:
        print("    why: one more pass, its stages one after the other: "
              + ", ".join(f"{stage} {seconds:.2f} s" for stage, seconds in stages.items())
              + f"; the whole minimal pipeline {total / statistics.median(minimal):.2f} s. Polling and delivery "
              "are bound by durable commits (a claim and a record a poll and a delivery, where the minimal "
              "pipeline commits once a feed and records no delivery): docs/performance.md")


if __name__ == "__main__":
    main()
