"""What a ``/metrics`` scrape costs as the log grows: the first scrape counts the whole log, later ones
only what was appended since.

A script, not a test: `.venv/bin/python tests/bench/metrics_bench.py [--events N] [--backend sqlite|postgresql]`.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest

from service.pipeline.wiring import open_pipeline_store
from service.rules.loader import load_rules
from service.store import NewEvent
from service.store.recorder import EventStore
from service.web.context import WebContext
from service.web.metrics import VigilCollector
from tests.support.databases import pg_schema_url

RULES = """\
sources:
  wire: {url: 'http://127.0.0.1:9/wire.xml', every: 1m}
items:
  x: {title: X, states: {yes: ['yes']}}
"""
BATCH = 500


def _fill(store: EventStore, events: int) -> None:
    for start in range(0, events, BATCH):
        batch = [
            NewEvent("SourcePolled", {"source": "wire", "status": 304, "entries_new": 0, "entries_revised": 0})
            for _ in range(min(BATCH, events - start))
        ]
        store.append("source:wire", batch, expected_version=-1)


def _scrape_ms(registry: CollectorRegistry) -> float:
    started = time.perf_counter()
    generate_latest(registry)
    return (time.perf_counter() - started) * 1000


@contextmanager
def _database(backend: str) -> Iterator[str]:
    if backend == "postgresql":
        with pg_schema_url() as url:
            yield url
        return
    with tempfile.TemporaryDirectory() as folder:
        yield str(Path(folder) / "bench.db")


def main() -> None:
    """Fill a store, then time the first scrape, a scrape with nothing new, and one after 1000 new events."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    with _database(args.backend) as url, tempfile.TemporaryDirectory() as folder:
        rules_file = Path(folder) / "rules.yaml"
        rules_file.write_text(RULES)
        loaded = load_rules([rules_file])
        store = open_pipeline_store(url)
        _fill(store, args.events)
        registry = CollectorRegistry(auto_describe=False)
        registry.register(VigilCollector(WebContext(store, lambda: loaded, datetime.now(UTC))))
        first = _scrape_ms(registry)
        idle = _scrape_ms(registry)
        _fill(store, 1000)
        after = _scrape_ms(registry)
        store.close()
    print(
        f"{args.backend}, {args.events} events: first scrape {first:.0f} ms, nothing new {idle:.1f} ms, "
        f"1000 new events {after:.1f} ms"
    )


if __name__ == "__main__":
    main()
