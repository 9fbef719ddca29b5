"""Parsing fetched feeds and pages in worker processes, so that polling uses every core.

feedparser is pure Python and was ~60% of a poll's CPU: parsed in the poll threads, one core did all the
parsing and the thread recording a poll's entries waited for the GIL behind the parsers. Parsed in worker
processes, the daemon's own process only fetches and records. On the 2-core development machine, 500
local feeds: the first round (fetch + parse) took 3.5-4.2 s in process and 2.0-2.2 s with two workers,
against 3.9-4.5 s for issue 16's minimal pipeline (tests/bench/poll_bench.py).

Workers are *spawned* (a fork would copy the daemon's threads' locks) on the first parse, and each
watches its parent: a daemon killed with SIGKILL leaves no worker behind. A parse that takes longer than
the deadline fails that poll as a slow feed does ("parsing took longer than 20s"); the pool is replaced
at once, and the runaway worker exits when its parse ends (the input limits bound it). A worker that dies
fails only the polls it held; the next parse starts a new pool.

With ``workers=0`` (the default for small rule sets: starting interpreters costs more than parsing a
handful of feeds saves) entries are parsed in the calling thread, exactly as before.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool

from service.sources.fetch import FetchResult
from service.sources.page import parse_page
from service.sources.parse import FeedEntry, FeedError, parse_feed

#: Rule sets with fewer sources parse in process when the number of workers is left to Vigil.
AUTO_MIN_SOURCES = 10
#: At most this many workers when left to Vigil: parsing is a part of a poll, not all of it.
AUTO_MAX_WORKERS = 4
#: How often a worker checks that the process that started it is still there.
_PARENT_CHECK_SECONDS = 0.5

Parsed = tuple[list[FeedEntry], str | None]


def auto_workers(sources: int, cpus: int | None = None) -> int:
    """How many parse workers to run for ``sources`` sources on ``cpus`` cores (os.cpu_count() if None)."""
    cores = cpus if cpus is not None else (os.cpu_count() or 1)
    return min(cores, AUTO_MAX_WORKERS) if cores >= 2 and sources >= AUTO_MIN_SOURCES else 0


def parse_fetched(result: FetchResult, kind: str, selector: str | None) -> Parsed:
    """The entries of a fetched feed (``kind`` ``feed``) or page (``page``, split by ``selector``), and what
    was wrong with it if anything; FeedError when it holds no usable feed. What a worker runs."""
    # A page source without a selector never passes vigil check; "body" keeps the type checker honest.
    parsed = parse_page(result, selector or "body") if kind == "page" else parse_feed(result)
    return list(parsed.entries), parsed.problem


def _watch_parent(parent: int) -> None:
    """In a worker: exit as soon as the process that started it is gone (re-parented)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_PARENT_CHECK_SECONDS)
        os._exit(0)  # no cleanup to do: a worker holds nothing but the parse it was given

    threading.Thread(target=watch, name="vigil-parent-watch", daemon=True).start()


class ParsePool:
    """Parses in ``workers`` spawned processes (in the calling thread when ``workers`` is 0), each parse
    bounded by ``timeout`` seconds. Safe to use from many poll threads at once."""

    def __init__(self, workers: int, timeout: float) -> None:
        self.workers = workers
        self.timeout = timeout
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self._closed = False

    def parse(self, result: FetchResult, kind: str, selector: str | None) -> Parsed:
        """Parse ``result``; FeedError when it holds no usable feed, or its parse ran out of time."""
        executor = self._running()
        if executor is None:
            return parse_fetched(result, kind, selector)
        try:
            future: Future[Parsed] = executor.submit(parse_fetched, result, kind, selector)
        except (BrokenProcessPool, RuntimeError):  # a worker died, or the pool was just replaced: once more
            again = self._replace(executor)
            if again is None:
                return parse_fetched(result, kind, selector)
            future = again.submit(parse_fetched, result, kind, selector)
        try:
            return future.result(timeout=self.timeout)
        except FutureTimeout:
            self._replace(executor)
            raise FeedError(f"parsing took longer than {self.timeout:g}s") from None
        except BrokenProcessPool:
            self._replace(executor)
            raise FeedError("the parser process died") from None

    def close(self) -> None:
        """Stop the workers (a parse still running is not waited for); later parses run in process."""
        with self._lock:
            self._closed = True
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)

    def _running(self) -> ProcessPoolExecutor | None:
        """The pool (started now if need be); None when parses run in process (no workers, or closed)."""
        with self._lock:
            if self._closed or self.workers == 0:
                return None
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    self.workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_watch_parent,
                    initargs=(os.getpid(),),
                )
            return self._executor

    def _replace(self, failed: ProcessPoolExecutor) -> ProcessPoolExecutor | None:
        """A new pool in place of ``failed`` (unless another thread replaced it already)."""
        with self._lock:
            if self._executor is failed:
                self._executor = None
        failed.shutdown(wait=False, cancel_futures=False)  # other polls' parses in it may still finish
        return self._running()
