"""Every domain event Vigil records: immutable facts, named in the past tense, versioned.

Each class is the *current* shape of one event type. ``TYPE`` is the name stored in the log and
``VERSION`` its schema version; older stored versions are brought to this shape by
``service.events.upcasting`` before anyone reads them. Times are ISO-8601 strings in UTC so the stored
JSON is canonical and the hash chain is stable.

Streams: ``source:<id>`` (entries and polls), ``item:<id>`` (evidence and state changes),
``alert:<id>`` (an alert and its deliveries), ``config`` (rules loaded, subscribers added/removed),
``silence:<id>`` (a silence and its early end), ``ack:<item>`` (an item's acknowledgements).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Self


@dataclass(frozen=True)
class DomainEvent:
    """Base of all domain events."""

    TYPE: ClassVar[str] = ""
    VERSION: ClassVar[int] = 1

    def to_data(self) -> dict[str, Any]:
        """The JSON-able payload stored in the log (lists and dicts copied, as ``asdict`` would)."""
        # Not dataclasses.asdict: it deep-copies every string through copy.deepcopy, which was a sixth of
        # recording a poll. Event fields hold only JSON values, so a copy of the containers is the same.
        return {item.name: _plain(getattr(self, item.name)) for item in fields(self)}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Self:
        """Rebuild the event from a (current-version) payload, ignoring unknown keys."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def _plain(value: Any) -> Any:
    """``value`` with its lists, tuples and dicts copied (all the way down); anything else as it is."""
    if isinstance(value, dict):
        return {key: _plain(inner) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_plain(inner) for inner in value)
    return value


# --- configuration (stream "config") -------------------------------------------------------------


@dataclass(frozen=True)
class RulesLoaded(DomainEvent):
    """The daemon (or a command) loaded and checked a rule set; ``rules_hash`` identifies it.

    v2 added ``extraction``: the items and cue lists as loaded, which ``vigil explain --entry`` judges a
    recorded entry with (None for v1 events), and (from 2026-12-03, absent before) ``sources``: each
    source with its URL as shown (password and query values masked), for ``vigil sources`` without rules.
    No subscriber and no secret.
    """

    TYPE: ClassVar[str] = "RulesLoaded"
    VERSION: ClassVar[int] = 2
    rules_hash: str
    files: list[str]
    items: list[str]
    alerts: list[str]
    sources: list[str]
    extraction: dict[str, Any] | None = None


@dataclass(frozen=True)
class SubscriberAdded(DomainEvent):
    """A subscriber was declared or added with ``vigil subscribe add`` (URLs may hold ``${ENV}`` refs).

    v2: a URL holding a literal secret is recorded as ``${VIGIL_SECRET_<id>}`` (the secret is sealed in a
    table outside the log, service/delivery/secret_urls.py) and ``shown`` holds every URL redacted. v1
    events recorded URLs as given; they are shown redacted and were never rewritten. v3 added
    ``group_seconds``: the window whose alerts go out as one message (None: each alert on its own). v4
    added ``digest``: the subscriber's daily digest (at, tz, immediate, when_empty), or None.
    """

    TYPE: ClassVar[str] = "SubscriberAdded"
    VERSION: ClassVar[int] = 4
    name: str
    urls: list[str]
    items: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    min_severity: str = "info"
    origin: str = "rules"  # "rules": a rule file; "cli": `vigil subscribe add`; "api": the HTTP API
    shown: list[str] | None = None  # None only for v1 events: readers redact ``urls`` themselves
    group_seconds: float | None = None
    digest: dict[str, Any] | None = None


@dataclass(frozen=True)
class SubscriberRemoved(DomainEvent):
    """A subscriber was removed."""

    TYPE: ClassVar[str] = "SubscriberRemoved"
    name: str


# --- sources (stream "source:<id>") --------------------------------------------------------------


@dataclass(frozen=True)
class EntryObserved(DomainEvent):
    """A feed entry was seen for the first time.

    v2 added ``published_offset_minutes``: the publisher's own UTC offset, which "on Monday" is read in.
    v3 added ``language`` ("en", "uk", "ru"): the source's declared language, else the one detected from the
    text when it was recorded. None for older events (readers detect it from the text, as v3 would have).
    """

    TYPE: ClassVar[str] = "EntryObserved"
    VERSION: ClassVar[int] = 3
    source: str
    guid: str
    link: str
    title: str
    text: str
    published: str  # ISO-8601 UTC; the poll time when the feed gave none
    content_hash: str
    published_offset_minutes: int | None = None  # east of UTC, as the feed dated it; None: no date (or v1)
    language: str | None = None  # "en", "uk" or "ru"; None: recorded before v3


@dataclass(frozen=True)
class EntryRevised(DomainEvent):
    """A known entry (same guid) came back with different content; it is examined again.

    v2 added ``published_offset_minutes`` and v3 ``language``, as ``EntryObserved`` did.
    """

    TYPE: ClassVar[str] = "EntryRevised"
    VERSION: ClassVar[int] = 3
    source: str
    guid: str
    link: str
    title: str
    text: str
    published: str
    content_hash: str
    previous_hash: str
    published_offset_minutes: int | None = None
    language: str | None = None


@dataclass(frozen=True)
class SourcePolled(DomainEvent):
    """A poll succeeded (``status`` 304 means unchanged).

    v2 added ``selector``: the CSS selector a page source was read with (None for feeds). Validators
    earned under one selector are not sent under another: the same page read anew may hold new blocks.
    """

    TYPE: ClassVar[str] = "SourcePolled"
    VERSION: ClassVar[int] = 2
    source: str
    status: int
    entries_new: int
    entries_revised: int
    etag: str | None = None
    last_modified: str | None = None
    problem: str | None = None  # a malformed feed that still yielded entries
    next_poll: str | None = None
    selector: str | None = None


@dataclass(frozen=True)
class SourcePollFailed(DomainEvent):
    """A poll failed; the source backs off until ``next_poll``.

    v2 renamed v1's ``error`` to ``reason`` and added ``consecutive_failures``.
    """

    TYPE: ClassVar[str] = "SourcePollFailed"
    VERSION: ClassVar[int] = 2
    source: str
    reason: str
    consecutive_failures: int
    next_poll: str | None = None


# --- items (stream "item:<id>") ------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceFound(DomainEvent):
    """A sentence of an entry is evidence that an item has a value (a state, a date, or unannounced).

    v2 added ``language``, the language of the entry the sentence is quoted from ("en", "uk", "ru");
    v1 evidence was all English (Vigil read no other language then).
    """

    TYPE: ClassVar[str] = "EvidenceFound"
    VERSION: ClassVar[int] = 2
    evidence_id: str
    item: str
    value: str
    sentence: str
    pattern: str
    source: str
    link: str
    guid: str
    published: str
    language: str = "en"


@dataclass(frozen=True)
class EntrySkipped(DomainEvent):
    """An entry was not read in full for an item (its time budget ran out, or a pattern timed out):
    evidence it may hold for the item was not looked for."""

    TYPE: ClassVar[str] = "EntrySkipped"
    item: str
    reason: str
    source: str
    link: str
    guid: str
    published: str


@dataclass(frozen=True)
class ItemStateChanged(DomainEvent):
    """An item moved from one value to another, because of the listed evidence."""

    TYPE: ClassVar[str] = "ItemStateChanged"
    item: str
    from_value: str
    to_value: str
    evidence_ids: list[str]
    sentences: list[str]
    links: list[str]
    sources: list[str]
    published: str  # publication time of the evidence that decided it


# --- alerts (stream "alert:<id>") ----------------------------------------------------------------


@dataclass(frozen=True)
class AlertRaised(DomainEvent):
    """An alert rule matched a state change; ``alert_id`` is derived from (rule, triggering event).

    v2 added ``group_seconds``: the rule's grouping window (None: no window of its own).
    """

    TYPE: ClassVar[str] = "AlertRaised"
    VERSION: ClassVar[int] = 2
    alert_id: str
    rule: str
    item: str
    severity: str
    title: str
    body: str
    subscribers: list[str]
    trigger_position: int
    rules_hash: str
    #: Failures of the rule's own templates, for which the default text was used (also noted in the body).
    template_errors: list[str] = field(default_factory=list)
    group_seconds: float | None = None


@dataclass(frozen=True)
class AlertDelivered(DomainEvent):
    """One URL of one subscriber received the alert."""

    TYPE: ClassVar[str] = "AlertDelivered"
    alert_id: str
    subscriber: str
    target_index: int
    target: str  # redacted URL
    attempt: int


@dataclass(frozen=True)
class AlertDeliveryFailed(DomainEvent):
    """A delivery attempt failed; another is due at ``next_attempt`` (None when abandoned)."""

    TYPE: ClassVar[str] = "AlertDeliveryFailed"
    alert_id: str
    subscriber: str
    target_index: int
    target: str
    attempt: int
    error: str
    next_attempt: str | None


@dataclass(frozen=True)
class AlertDeliveryAbandoned(DomainEvent):
    """Delivery to a target gave up after the retry limit; ``vigil deliver --retry`` resends."""

    TYPE: ClassVar[str] = "AlertDeliveryAbandoned"
    alert_id: str
    subscriber: str
    target_index: int
    target: str
    attempts: int
    error: str


@dataclass(frozen=True)
class AlertRetryRequested(DomainEvent):
    """A user asked to resend an abandoned alert (``vigil deliver --retry``)."""

    TYPE: ClassVar[str] = "AlertRetryRequested"
    alert_id: str


@dataclass(frozen=True)
class AlertDeliverySilenced(DomainEvent):
    """A delivery was not sent because a silence covered it when it was due; it never will be."""

    TYPE: ClassVar[str] = "AlertDeliverySilenced"
    alert_id: str
    subscriber: str
    target_index: int
    target: str
    silences: list[str]  # the ids of the silences that covered it


# --- silences (stream "silence:<id>") and acknowledgements (stream "ack:<item>") -----------------


@dataclass(frozen=True)
class SilenceAdded(DomainEvent):
    """Someone silenced the deliveries of an item, of the items with a tag, or to a subscriber, until ``until``.

    ``matcher`` is ``item``, ``tag`` or ``subscriber``; ``value`` is the name it matches.
    """

    TYPE: ClassVar[str] = "SilenceAdded"
    silence_id: str
    matcher: str
    value: str
    until: str  # ISO-8601 UTC
    reason: str
    origin: str = "cli"  # "cli" or "api"


@dataclass(frozen=True)
class SilenceExpired(DomainEvent):
    """Someone ended a silence before its ``until`` (a silence whose time has passed needs no event)."""

    TYPE: ClassVar[str] = "SilenceExpired"
    silence_id: str
    origin: str = "cli"


@dataclass(frozen=True)
class ItemAcknowledged(DomainEvent):
    """Someone acknowledged an item's alerts for its current state (``vigil ack``): until the item changes
    again, its alerts count as seen."""

    TYPE: ClassVar[str] = "ItemAcknowledged"
    item: str
    value: str  # the item's state when acknowledged
    change_position: int  # the ItemStateChanged that state came from
    alert_ids: list[str]  # the alerts that change raised
    reason: str = ""
    origin: str = "cli"


@dataclass(frozen=True)
class DigestCompiled(DomainEvent):
    """A subscriber's digest was put together (stream ``digests:<subscriber>``): the alerts raised between two
    log positions; the digest itself is the ``AlertRaised`` of stream ``alert:<digest_id>``, delivered as
    any alert is. Its id is derived from (subscriber, scheduled time), so it is compiled once.

    ``silenced`` (from 2026-12-03; absent before, read as none): the alerts of that span a silence kept out
    of the digest, each with the silences that covered it; ``alert_ids`` are the ones it lists."""

    TYPE: ClassVar[str] = "DigestCompiled"
    digest_id: str
    subscriber: str
    scheduled_at: str  # ISO-8601 UTC: the digest's time of day, as it fell
    from_position: int  # alerts raised after this position ...
    to_position: int  # ... up to this one
    alert_ids: list[str]
    silenced: dict[str, list[str]] = field(default_factory=dict)


EVENT_TYPES: dict[str, type[DomainEvent]] = {
    cls.TYPE: cls
    for cls in (
        RulesLoaded,
        SubscriberAdded,
        SubscriberRemoved,
        EntryObserved,
        EntryRevised,
        SourcePolled,
        SourcePollFailed,
        EvidenceFound,
        EntrySkipped,
        ItemStateChanged,
        AlertRaised,
        AlertDelivered,
        AlertDeliveryFailed,
        AlertDeliveryAbandoned,
        AlertRetryRequested,
        AlertDeliverySilenced,
        SilenceAdded,
        SilenceExpired,
        ItemAcknowledged,
        DigestCompiled,
    )
}
