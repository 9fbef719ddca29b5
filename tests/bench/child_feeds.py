"""Local feeds served from a child process, so that the server's threads do not compete with what a bench
measures for this interpreter's GIL."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection

from tests.support.feedserver import FeedServer

#: Puts ``feeds`` feeds of ``items`` entries each on the server; returns their paths. Module-level, so the
#: child process can be given it.
Build = Callable[[FeedServer, int, int], list[str]]


def _serve(build: Build, feeds: int, items: int, channel: Connection) -> None:
    """Child process: serve the feeds, report (base URL, paths), serve until told to stop."""
    with FeedServer() as server:
        channel.send((server.base_url, build(server, feeds, items)))
        channel.recv()


@contextmanager
def feeds_in_child(build: Build, feeds: int, items: int) -> Iterator[tuple[str, list[str]]]:
    """The feeds ``build`` makes, served by a child process; yields (base URL, paths)."""
    ours, theirs = multiprocessing.Pipe()
    server = multiprocessing.Process(target=_serve, args=(build, feeds, items, theirs), daemon=True)
    server.start()
    try:
        yield ours.recv()
    finally:
        ours.send("stop")
        server.join(timeout=10)
