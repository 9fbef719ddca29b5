"""Configuration changes are events: the rules a daemon loaded, and the subscribers they declare."""

from __future__ import annotations

from sqlalchemy import Connection

from service.delivery.route import Subscriber, read_subscribers
from service.delivery.secret_urls import forget_unused, seal, unsealed_or_refs
from service.events.catalog import RulesLoaded, SubscriberAdded, SubscriberRemoved
from service.masking.feed_urls import public_feed_url
from service.rules.loader import LoadedRules
from service.rules.models import SubscriberSpec
from service.store.recorder import EventStore
from service.store.records import NewEvent

CONFIG_STREAM = "config"

def last_rules_hash(store: EventStore) -> str | None:
    """The hash of the rules most recently recorded, if any."""
    last = store.read_stream(CONFIG_STREAM, types=[RulesLoaded.TYPE], last=1)
    return str(last[0].data["rules_hash"]) if last else None


def record_rules(store: EventStore, loaded: LoadedRules) -> list[str]:
    """Record a ``RulesLoaded`` when the rules changed, and sync the subscribers they declare.

    Returns the types of the events written (empty when nothing changed).
    """
    rules = loaded.rules
    with store.transaction() as tx:
        events: list[NewEvent] = []
        # Read beside the transaction: it holds the append lock, so no other writer can record rules
        # between this read and the append.
        if last_rules_hash(store) != loaded.hash:
            loaded_event = RulesLoaded(
                rules_hash=loaded.hash,
                files=list(loaded.files),
                items=sorted(rules.items),
                alerts=[a.name for a in rules.alerts],
                sources=sorted(rules.sources),
                extraction={"items": {name: spec.model_dump(mode="json", by_alias=True)
                                      for name, spec in rules.items.items()},
                            "cues": rules.cues.model_dump(mode="json", by_alias=True),
                            # As shown (password and query values masked): what `vigil sources` lists
                            # when no rule file is at hand. Never the URL itself: it may hold a secret.
                            "sources": {name: {**spec.model_dump(mode="json"), "url": public_feed_url(spec.url)}
                                        for name, spec in rules.sources.items()}},
            )
            events.append(NewEvent(RulesLoaded.TYPE, loaded_event.to_data()))
        recorded = read_subscribers(tx.connection)
        for name, spec in sorted(rules.subscribers.items()):
            if name not in recorded or _differs(recorded[name], spec, tx.connection):
                sealed = seal(tx.connection, spec.urls, reuse=recorded[name].urls if name in recorded else ())
                added = SubscriberAdded(
                    name=name,
                    urls=sealed.stored,
                    shown=sealed.shown,
                    items=list(spec.items),
                    tags=list(spec.tags),
                    min_severity=spec.min_severity,
                    origin="rules",
                    group_seconds=spec.group.total_seconds() if spec.group else None,
                    digest=spec.digest.model_dump() if spec.digest else None,
                )
                events.append(NewEvent(SubscriberAdded.TYPE, added.to_data()))
        for name, subscriber in sorted(recorded.items()):
            if subscriber.origin == "rules" and name not in rules.subscribers:
                events.append(NewEvent(SubscriberRemoved.TYPE, SubscriberRemoved(name=name).to_data()))
        tx.append(CONFIG_STREAM, events)
        forget_unused(tx.connection)
    return [event.type for event in events]


def _differs(recorded: Subscriber, spec: SubscriberSpec, conn: Connection) -> bool:
    urls = unsealed_or_refs(conn, recorded.urls)
    return (urls, recorded.items, recorded.tags, recorded.min_severity, recorded.origin, recorded.group_seconds,
            recorded.digest) != (
        list(spec.urls),
        list(spec.items),
        list(spec.tags),
        spec.min_severity,
        "rules",
        spec.group.total_seconds() if spec.group else None,
        spec.digest.model_dump() if spec.digest else None,
    )
