"""A checkpointed consumer: read what follows the checkpoint, handle it, advance, all in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from service.store.errors import ConcurrencyError
from service.store.recorder import EventStore, Transaction
from service.store.records import RecordedEvent

Handler = Callable[[Transaction, RecordedEvent], None]


def consume_batch(
    store: EventStore, consumer: str, types: Sequence[str], handle: Handler, *, batch_size: int = 200
) -> int:
    """Handle up to ``batch_size`` events after ``consumer``'s checkpoint; return how many were handled.

    The handler's appends and the checkpoint commit together, so a crash repeats nothing and loses
    nothing. If another process advanced the checkpoint first, nothing is written and 0 is returned.
    """
    start, events = store.read_after_checkpoint(consumer, types, batch_size)
    if not events:
        return 0
    try:
        with store.transaction() as tx:
            if tx.checkpoint(consumer) != start:
                return 0  # another daemon took this batch while we were reading it
            for event in events:
                handle(tx, event)
            tx.advance_checkpoint(consumer, expected=start, to=events[-1].position)
    except ConcurrencyError:
        return 0
    return len(events)


def consume_all(
    store: EventStore, consumer: str, types: Sequence[str], handle: Handler, *, batch_size: int = 200
) -> int:
    """Run ``consume_batch`` until the consumer has caught up; return the number handled.

    A batch shorter than ``batch_size`` was the rest of the log when it was read, so no read follows it
    to find nothing: what was appended since (a handler's own appends included) is the next call's, as a
    wake loop makes it (service/pipeline/wake_loop.py).
    """
    total = 0
    while handled := consume_batch(store, consumer, types, handle, batch_size=batch_size):
        total += handled
        if handled < batch_size:
            break
    return total
