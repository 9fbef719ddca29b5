"""Errors the store raises; each carries a one-line message fit for a user."""


class StoreError(Exception):
    """Base class of store errors."""


class ConcurrencyError(StoreError):
    """An append's expected stream version (or a checkpoint's expected position) was stale."""

    def __init__(self, stream_id: str, expected: int, actual: int) -> None:
        super().__init__(
            f"concurrency conflict on stream {stream_id!r}: expected version {expected}, found {actual}"
        )
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual


#: Why an event holding a NUL character cannot be stored.
HOLDS_NUL = "holds a NUL character (U+0000), which PostgreSQL cannot store"
#: Why an event holding NaN or an infinity cannot be stored.
HOLDS_NAN = "holds NaN or an infinity, which JSON has no number for"


class UnstorableEvent(StoreError, ValueError):
    """An event the log cannot keep: a NUL character (U+0000), which PostgreSQL cannot hold in JSON, so no
    backend takes it (a SQLite log must stay movable to PostgreSQL); or NaN or an infinity, which JSON
    cannot write (SQLite would keep the text ``NaN``, and every later read of the log would fail on it)."""

    def __init__(self, stream_id: str, event_type: str, reason: str = HOLDS_NUL) -> None:
        super().__init__(f"{event_type} for stream {stream_id!r} {reason}; nothing was written")


class DatabaseUnavailable(StoreError):
    """The database URL cannot be opened or the server does not answer."""


class DatabaseMissing(DatabaseUnavailable):
    """A SQLite file that does not exist was named by a command that may not create one."""

    def __init__(self, path: str) -> None:
        super().__init__(f"no database at {path}")
        self.path = path


class ScratchUnavailable(StoreError):
    """No empty scratch database could be made beside the store (a PostgreSQL user without CREATE)."""


class SchemaTooNew(StoreError):
    """The database was migrated by a newer Vigil than this one."""


class ChainBroken(StoreError):
    """The hash chain does not verify at ``position``."""

    def __init__(self, position: int, reason: str) -> None:
        super().__init__(f"hash chain broken at position {position}: {reason}")
        self.position = position
        self.reason = reason


class MalformedEvent(StoreError):
    """A stored event cannot be read: its data is not JSON, or not a JSON object."""

    def __init__(self, position: int, reason: str) -> None:
        super().__init__(f"event at position {position} is malformed: {reason}")
        self.position = position
        self.reason = reason


def first_line(error: BaseException) -> str:
    """The driver's own message, first line only, without SQLAlchemy's background links."""
    original = getattr(error, "orig", None) or error
    text = str(original).strip().splitlines()
    return text[0] if text else type(original).__name__
