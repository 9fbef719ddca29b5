"""Polling one source: claim it, fetch and parse its feed (or web page), and record what is new, revised or wrong.

The claim and the record are two short write transactions; the network round trip happens between
them, outside any transaction, so a slow feed never holds the store's append lock.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

import httpx
from sqlalchemy import bindparam, text

from service.events.catalog import EntryObserved, EntryRevised, SourcePolled, SourcePollFailed
from service.masking.feed_urls import public_feed_url
from service.rules.models import SourceSpec
from service.sources.backoff import next_poll_after_failure, next_poll_after_success
from service.sources.entries import classify
from service.sources.fetch import ACCEPT, ACCEPT_PAGE, FetchError, FetchResult, fetch
from service.sources.language import detect_language
from service.sources.parse import FeedEntry, FeedError
from service.sources.parse_pool import ParsePool, parse_fetched
from service.store.hashing import timestamp_text
from service.store.leases import claim, release
from service.store.recorder import EventStore
from service.store.records import NewEvent


@dataclass(frozen=True)
class PollSettings:
    """How a poll behaves on the wire."""

    timeout: float = 20.0  # the longest a fetch may take, and (separately) the longest its parse may take
    max_bytes: int = 10_000_000
    # Processes that parse what polls fetch (service/sources/parse_pool.py); None: Vigil decides from the
    # number of sources and cores, 0: parse in the poll threads.
    parse_workers: int | None = None

    @property
    def lease(self) -> timedelta:
        """How long a claim on a source lasts: the longest a poll can take, plus room to record it.

        A daemon killed mid-poll leaves its claim behind; it must not outlive the poll it guarded by much.
        """
        return timedelta(seconds=self.timeout + 10)


@dataclass(frozen=True)
class PollOutcome:
    """What one poll did, for logs and ``--once`` summaries."""

    source: str
    status: Literal["ok", "unchanged", "failed", "skipped"]
    new: int = 0
    revised: int = 0
    detail: str | None = None


@dataclass(frozen=True)
class _SourceRow:
    etag: str | None
    last_modified: str | None
    next_poll: str | None
    consecutive_failures: int
    problem: str | None = None
    selector: str | None = None  # what the validators were earned under (a page's CSS selector)


_STATUS = text(
    "SELECT etag, last_modified, next_poll, consecutive_failures, problem, selector FROM source_status "
    "WHERE source = :source"
)
_KNOWN = text("SELECT guid, content_hash FROM entries_seen WHERE source = :source AND guid IN :guids").bindparams(
    bindparam("guids", expanding=True)
)
#: Guids per ``IN (...)`` query: far below every backend's limit on bound parameters.
_GUIDS_PER_QUERY = 500


def poll_source(
    store: EventStore,
    source_id: str,
    spec: SourceSpec,
    *,
    owner: str,
    now: datetime,
    client: httpx.Client,
    settings: PollSettings = PollSettings(),
    force: bool = False,
    rng: random.Random | None = None,
    parser: ParsePool | None = None,
) -> PollOutcome:
    """Poll ``source_id`` unless it is not due yet (``force`` ignores that) or another daemon holds it.

    ``parser`` parses the response in its worker processes; without one, it is parsed in this thread."""
    lease = f"source:{source_id}"
    with store.transaction(background=True) as tx:
        row = _read_status(tx.connection, source_id)
        if not force and row.next_poll and row.next_poll > timestamp_text(now):
            return PollOutcome(source_id, "skipped", detail=f"next poll at {row.next_poll}")
        if not claim(tx.connection, lease, owner, now=now, until=now + settings.lease):
            return PollOutcome(source_id, "skipped", detail="being polled by another daemon")
    if row.selector != spec.selector:  # read under another selector: the same page may hold new blocks
        row = replace(row, etag=None, last_modified=None, problem=None)
    try:
        result = fetch(
            spec.url,
            etag=row.etag,
            last_modified=row.last_modified,
            timeout=settings.timeout,
            max_bytes=settings.max_bytes,
            client=client,
            accept=ACCEPT_PAGE if spec.kind == "page" else ACCEPT,
        )
        # A 304 is the body read last time, and what was wrong with it still is (a page that stopped
        # matching its selector keeps saying so until it changes).
        parse = parser.parse if parser else parse_fetched
        entries, problem = ([], row.problem) if result.status == 304 else parse(result, spec.kind, spec.selector)
    except (FetchError, FeedError) as error:
        return _record_failure(store, source_id, spec, row, str(error.reason), owner, now, rng)
    return _record_success(store, source_id, spec, row, result, entries, problem, owner, now, rng)


def _first_copies(entries: list[FeedEntry]) -> list[FeedEntry]:
    """The entries with each guid once: a feed listing one guid twice, the first copy wins."""
    seen: set[str] = set()
    first: list[FeedEntry] = []
    for entry in entries:
        if entry.guid not in seen:
            seen.add(entry.guid)
            first.append(entry)
    return first


def in_publication_order(entries: list[FeedEntry], now: datetime) -> list[FeedEntry]:
    """A poll's entries oldest first, as they happened; feeds list them newest first.

    The item tracker reads entries in log order, and a report older than the one that set an item's
    value can no longer move it. Recorded newest first, a feed's "recall expanded" would come before its
    earlier "recall announced": refused (a recall cannot widen before it is announced), then the
    announcement taken, and the item left behind the news. Undated entries count as published now (as
    they are recorded); entries of one moment keep the feed's order reversed, the older last in a feed.
    """
    ranked = sorted(enumerate(entries), key=lambda pair: (pair[1].published or now, -pair[0]))
    return [entry for _, entry in ranked]


def _read_status(conn: object, source_id: str) -> _SourceRow:
    found = conn.execute(_STATUS, {"source": source_id}).first()  # type: ignore[attr-defined]
    if found is None:
        return _SourceRow(None, None, None, 0)
    return _SourceRow(found[0], found[1], found[2], int(found[3] or 0), found[4], found[5])


def _record_success(
    store: EventStore,
    source_id: str,
    spec: SourceSpec,
    row: _SourceRow,
    result: FetchResult,
    entries: list[FeedEntry],
    problem: str | None,
    owner: str,
    now: datetime,
    rng: random.Random | None,
) -> PollOutcome:
    stream = f"source:{source_id}"
    # The log is kept forever and exported: the final URL goes in without password or credential values.
    metadata = {"source": source_id, "url_final": public_feed_url(str(result.url))}
    with store.transaction(background=True) as tx:
        events: list[NewEvent] = []
        new = revised = 0
        ordered = in_publication_order(_first_copies(entries), now)
        hashes = _known_hashes(tx.connection, source_id, [entry.guid for entry in ordered])
        for entry in ordered:
            known = hashes.get(entry.guid)
            kind = classify(entry, known)
            if kind == "unchanged":
                continue
            published = timestamp_text(entry.published or now)
            fields = dict(
                source=source_id,
                guid=entry.guid,
                link=entry.link,
                title=entry.title,
                text=entry.text,
                published=published,
                content_hash=entry.content_hash,
                published_offset_minutes=entry.published_offset_minutes,
                language=detect_language(entry.title, entry.text, spec.language),
            )
            if kind == "new":
                new += 1
                events.append(NewEvent(EntryObserved.TYPE, EntryObserved(**fields).to_data(), metadata))
            else:
                revised += 1
                event = EntryRevised(**fields, previous_hash=str(known))
                events.append(NewEvent(EntryRevised.TYPE, event.to_data(), metadata))
        next_poll = next_poll_after_success(spec.every, now, rng=rng)
        polled = SourcePolled(
            source=source_id,
            status=result.status,
            entries_new=new,
            entries_revised=revised,
            # A 304 need not repeat the validators; keep the ones that earned it.
            etag=result.etag or row.etag,
            last_modified=result.last_modified or row.last_modified,
            problem=problem,
            next_poll=timestamp_text(next_poll),
            selector=spec.selector,
        )
        events.append(NewEvent(SourcePolled.TYPE, polled.to_data(), metadata))
        tx.append(stream, events)
        release(tx.connection, f"source:{source_id}", owner)
    status: Literal["ok", "unchanged"] = "unchanged" if result.status == 304 or not (new or revised) else "ok"
    return PollOutcome(source_id, status, new, revised, problem)


def _known_hashes(conn: object, source_id: str, guids: list[str]) -> dict[str, str]:
    """The content hash recorded for each of ``guids`` the source has shown before, in a query per 500
    (one query an entry was a fifth of recording a poll)."""
    found: dict[str, str] = {}
    for start in range(0, len(guids), _GUIDS_PER_QUERY):
        batch = guids[start : start + _GUIDS_PER_QUERY]
        rows = conn.execute(_KNOWN, {"source": source_id, "guids": batch})  # type: ignore[attr-defined]
        found.update({guid: content_hash for guid, content_hash in rows})
    return found


def _record_failure(
    store: EventStore,
    source_id: str,
    spec: SourceSpec,
    row: _SourceRow,
    reason: str,
    owner: str,
    now: datetime,
    rng: random.Random | None,
) -> PollOutcome:
    failures = row.consecutive_failures + 1
    next_poll = next_poll_after_failure(spec.every, failures, now, rng=rng)
    failed = SourcePollFailed(
        source=source_id, reason=reason, consecutive_failures=failures, next_poll=timestamp_text(next_poll)
    )
    with store.transaction(background=True) as tx:
        tx.append(
            f"source:{source_id}", [NewEvent(SourcePollFailed.TYPE, failed.to_data(), {"source": source_id})]
        )
        release(tx.connection, f"source:{source_id}", owner)
    return PollOutcome(source_id, "failed", detail=reason)
