"""Pipeline throughput: entries per second from EntryObserved to a delivered alert, on SQLite.

A script, not a test: `.venv/bin/python tests/bench/pipeline_bench.py [--entries N]`.

It records N entries written to match the shipped rules (rules/istanbul-talks.yaml) — most of them
ordinary news that mentions the situation without changing it, a few that change an item — then times
the item tracker, the alert engine and the delivery worker (apprise to a loopback json:// receiver)
until every alert is delivered.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from service.demo.receiver import AlertReceiver
from service.events.catalog import EntryObserved
from service.pipeline.wiring import Pipeline, open_pipeline_store
from service.rules.loader import load_rules, rules_hash
from service.rules.models import SubscriberSpec
from service.store.records import NewEvent

ROUTINE = [
    "Ukrainian and Russian negotiators are expected to meet again in Istanbul, officials in Kyiv said.",
    "The Kremlin said it was studying a memorandum sent by Ukraine ahead of the talks.",
    "Russian strikes hit energy facilities in eastern Ukraine overnight, the regional governor said.",
    "Analysts in Moscow and Kyiv doubt that the next round will produce a breakthrough.",
    "Ukraine called for a ceasefire before any further talks with Russia.",
    "A ceasefire could be agreed within weeks, a Turkish diplomat suggested, without giving details.",
]
CHANGES = [
    "Ukraine and Russia agreed to a new prisoner exchange after talks in Istanbul on Monday.",
    "Officials in Kyiv and Moscow said the prisoner exchange will take place on Monday.",
    "The prisoner exchange between Russia and Ukraine was completed on Tuesday evening.",
]


def _entries(count: int, start: datetime) -> list[NewEvent]:
    rng = random.Random(7)
    events = []
    for i in range(count):
        text = CHANGES[i // (count // len(CHANGES) + 1)] if i % 200 == 0 else rng.choice(ROUTINE)
        published = start + timedelta(minutes=i)
        data = EntryObserved(source=f"bench-{i % 5}", guid=f"g{i}", link=f"https://news.test/{i}",
                             title=f"Update {i} on the talks", text=text,
                             published=published.isoformat(timespec="microseconds"), content_hash=f"h{i}")
        events.append(NewEvent(EntryObserved.TYPE, data.to_data(), {"source": data.source}))
    return events


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, AlertReceiver() as receiver:
        store = open_pipeline_store(str(Path(folder) / "bench.db"))
        base = load_rules(["rules/istanbul-talks.yaml"])
        rules = base.rules.model_copy(update={
            "sources": {}, "subscribers": {"bench": SubscriberSpec(urls=[receiver.apprise_url])},
            "alerts": [a.model_copy(update={"notify": ["bench"], "throttle": None}) for a in base.rules.alerts],
        })
        loaded = type(base)(rules=rules, files=base.files, hash=rules_hash(rules), source_map=base.source_map)
        pipeline = Pipeline(store, loaded, env={})
        pipeline.record_configuration()
        events = _entries(args.entries, datetime(2025, 6, 1, tzinfo=UTC))
        for offset in range(0, len(events), 500):
            store.append("source:bench", events[offset:offset + 500])

        started = time.perf_counter()
        processed = pipeline.process()
        processed_at = time.perf_counter()
        sent = pipeline.deliver()
        finished = time.perf_counter()
        pipeline.close()
        store.close()
        received = len(receiver.take())

    total = finished - started
    print(f"SQLite (WAL, synchronous=FULL), rules/istanbul-talks.yaml, {args.entries} entries")
    print(f"  extraction + state + alert rules: {processed.entries / (processed_at - started):10,.0f} entries/s "
          f"({processed.changes} state changes)")
    print(f"  delivery: {sent} deliveries in {finished - processed_at:.2f}s, {received} received")
    print(f"  end to end (EntryObserved -> delivered alert): {args.entries / total:10,.0f} entries/s"
          f"   target >= 1,000")


if __name__ == "__main__":
    main()
