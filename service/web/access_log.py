"""The access log without query strings (a token or key passed as ``?token=`` must never be logged) and
without the WebSub callback's token (``/websub/…``): it names a hub subscription.
"""

from __future__ import annotations

import logging

#: uvicorn's access logger; its records carry (client, method, path with query, http version, status).
ACCESS_LOGGER = "uvicorn.access"


class PathOnlyFilter(logging.Filter):
    """Rewrites each access record's path to leave out its query string and any WebSub callback token."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Drop the query and callback token from the record's path argument; never drops the record."""
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            path = args[2].split("?", 1)[0] + "?…" if "?" in args[2] else args[2]
            if path.startswith("/websub/"):
                path = "/websub/…" + ("?…" if path.endswith("?…") else "")
            record.args = (*args[:2], path, *args[3:])
        return True


def install_path_only_access_log() -> None:
    """Install the filter on uvicorn's access logger (once, however many servers start)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(existing, PathOnlyFilter) for existing in logger.filters):
        logger.addFilter(PathOnlyFilter())
