"""Log output for the daemon: readable lines for people, one JSON object per line for machines."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from service.masking.log_filter import SecretMaskingFilter, remember_secrets
from service.rules.env import UnsetVariableError, expand
from service.rules.models import RuleSet

# uvicorn's "color_message" extra repeats the message with terminal colour codes: not for a log file.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime", "color_message"}


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", ...extra fields}`` per record."""

    def format(self, record: logging.LogRecord) -> str:
        """Render one record as a JSON line, with any ``extra=`` fields at the top level."""
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        payload.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        error = _exception_text(self, record)
        if error:
            payload["error"] = error
        return json.dumps(payload, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``time level logger: message key=value ...`` per record."""

    def format(self, record: logging.LogRecord) -> str:
        """Render one record as a readable line."""
        extras = " ".join(f"{k}={v}" for k, v in record.__dict__.items() if k not in _STANDARD)
        stamp = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        line = f"{stamp} {record.levelname:<7} {record.name}: {record.getMessage()}"
        line = f"{line} {extras}" if extras else line
        error = _exception_text(self, record)
        if error:
            line = f"{line}\n{error}"
        return line


def _exception_text(formatter: logging.Formatter, record: logging.LogRecord) -> str | None:
    # The masking filter leaves a record's traceback already formatted and masked in exc_text.
    if record.exc_text:
        return record.exc_text
    return formatter.formatException(record.exc_info) if record.exc_info else None


class SkippedRunFilter(logging.Filter):
    """Drops APScheduler's "skipped: maximum number of running instances reached".

    The daemon asks for an early run of its processing and delivery jobs whenever new work arrives, and
    each job runs one instance at a time by design: a request made while the job is already running is
    expected, and is served by that run. Under load the warning came ten times a second (the soak run).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """False for the skipped-run warning, True for everything else."""
        return "maximum number of running instances" not in record.getMessage()


def configure_logging(fmt: str = "text", level: str = "INFO") -> None:
    """Send Vigil's logs to stderr in the chosen format; quiet the chattiest libraries."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    # Every record, from Vigil or any library, at every level, is masked before it is written.
    handler.addFilter(SecretMaskingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # alembic says "Context impl SQLiteImpl." and the like on every start: the store logs one line of its
    # own when a migration actually runs.
    for noisy in ("apscheduler", "httpx", "httpcore", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    scheduler_log = logging.getLogger("apscheduler.scheduler")
    scheduler_log.filters[:] = [f for f in scheduler_log.filters if not isinstance(f, SkippedRunFilter)]
    scheduler_log.addFilter(SkippedRunFilter())
    # apprise logs the URLs it sends to, secrets partly visible: its records must never reach the
    # output. They are still produced (WARNING), because the sender reads them per call to explain a
    # failure, scrubbed of secrets.
    apprise_log = logging.getLogger("apprise")
    apprise_log.setLevel(logging.WARNING)
    apprise_log.propagate = False
    apprise_log.handlers[:] = [logging.NullHandler()]


def remember_rule_secrets(rules: RuleSet, env: Mapping[str, str]) -> None:
    """Let the log's masking filter know the rules' subscriber and feed URLs, variables filled in."""

    def filled(urls: Iterable[str]) -> list[str]:
        found = []
        for url in urls:
            try:
                found.append(expand(url, env))
            except UnsetVariableError:  # reported by `vigil check`; nothing of it can reach a log line
                continue
        return found

    remember_secrets(
        apprise_urls=filled(url for spec in rules.subscribers.values() for url in spec.urls),
        feed_urls=filled(spec.url for spec in rules.sources.values()),
    )
