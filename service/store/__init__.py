"""The append-only event store: one recorder interface, one module per storage backend."""

from service.store.errors import ConcurrencyError, DatabaseUnavailable, SchemaTooNew, StoreError
from service.store.recorder import EventStore, Transaction
from service.store.records import NewEvent, RecordedEvent

__all__ = [
    "ConcurrencyError",
    "DatabaseUnavailable",
    "EventStore",
    "NewEvent",
    "RecordedEvent",
    "SchemaTooNew",
    "StoreError",
    "Transaction",
]
