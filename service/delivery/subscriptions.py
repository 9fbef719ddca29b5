"""Managing subscribers from the command line and the API: each change is an event on the ``config`` stream.

A URL holding a literal secret is sealed (service/delivery/secret_urls.py) in the same transaction that
records the event, so the event holds only a reference and the URL redacted.
"""

from __future__ import annotations

from datetime import timedelta

from service.delivery.route import Subscriber, read_subscribers
from service.delivery.secret_urls import SealedSecretMissing, forget_unused, seal, unseal
from service.delivery.sender import check_url
from service.events.catalog import SubscriberAdded, SubscriberRemoved
from service.rules.models import SEVERITY_RANK, DigestSpec
from service.rules.subscriber_limits import group_problem, name_problem, urls_problem
from service.store.errors import UnstorableEvent
from service.store.recorder import EventStore
from service.store.records import NewEvent

CONFIG_STREAM = "config"


class SubscriptionError(ValueError):
    """A subscriber change that cannot be made; the message names the value at fault."""


def list_subscribers(store: EventStore) -> list[Subscriber]:
    """Every subscriber the log knows, by name."""
    with store.reading() as conn:
        return list(read_subscribers(conn).values())


def sendable_urls(store: EventStore, subscriber: Subscriber) -> list[str]:
    """The subscriber's URLs ready for apprise (sealed secrets unsealed; ``${ENV}`` still to expand)."""
    with store.reading() as conn:
        try:
            return unseal(conn, subscriber.urls)
        except SealedSecretMissing as missing:
            raise SubscriptionError(str(missing)) from None


def add_subscriber(
    store: EventStore,
    name: str,
    urls: list[str],
    *,
    items: list[str],
    tags: list[str],
    min_severity: str,
    known_items: set[str] | None = None,
    origin: str = "cli",
    group: timedelta | None = None,
    digest: DigestSpec | None = None,
) -> None:
    """Validate and record a subscriber; SubscriptionError (nothing written) when something is wrong.

    ``origin`` says where it came from (``cli``: `vigil subscribe add`; ``api``: the HTTP API). A subscriber
    added again replaces the one of that name: without ``digest`` it has none any more."""
    for problem in (name_problem(name), urls_problem(urls), group_problem(group)):
        if problem:
            raise SubscriptionError(problem)
    if min_severity not in SEVERITY_RANK:
        raise SubscriptionError(f"unknown severity {min_severity!r} (use info, warning or critical)")
    for url in urls:
        problem = check_url(url)
        if problem:
            raise SubscriptionError(problem)
    if known_items is not None:
        for item in items:
            if item not in known_items:
                raise SubscriptionError(f"unknown item {item!r} (known: {', '.join(sorted(known_items))})")
    try:
        with store.transaction() as tx:
            previous = read_subscribers(tx.connection, [name]).get(name)
            sealed = seal(tx.connection, urls, reuse=previous.urls if previous else ())
            event = SubscriberAdded(
                name=name, urls=sealed.stored, items=items, tags=tags, min_severity=min_severity, origin=origin,
                shown=sealed.shown, group_seconds=group.total_seconds() if group else None,
                digest=digest.model_dump() if digest else None,
            )
            tx.append(CONFIG_STREAM, [NewEvent(SubscriberAdded.TYPE, event.to_data())])
            forget_unused(tx.connection)
    except UnstorableEvent:
        raise SubscriptionError(
            "a NUL character (U+0000) is not allowed in a subscriber's name, URLs, items or tags"
        ) from None


def remove_subscriber(store: EventStore, name: str) -> None:
    """Record the removal of a subscriber; SubscriptionError if there is none of that name."""
    if name not in {s.name for s in list_subscribers(store)}:
        raise SubscriptionError(f"no subscriber named {name!r}")
    with store.transaction() as tx:
        tx.append(CONFIG_STREAM, [NewEvent(SubscriberRemoved.TYPE, SubscriberRemoved(name=name).to_data())])
        forget_unused(tx.connection)
