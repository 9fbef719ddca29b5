"""Fixtures of the sources tests: a local feed server and a shared HTTP client."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from service.pipeline.wiring import open_pipeline_store
from service.store.recorder import EventStore
from tests.support.feedserver import FeedServer, running_feed_server


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A started feed server on 127.0.0.1, stopped after the test."""
    with running_feed_server() as server:
        yield server


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    """One client for the test, as the poller shares one across sources."""
    with httpx.Client() as shared:
        yield shared


@pytest.fixture
def pages() -> Iterator[FeedServer]:
    """A server of web pages (the feed server, serving HTML) for ``kind: page`` sources."""
    with running_feed_server() as server:
        yield server


@pytest.fixture
def page_store(db_url: str) -> Iterator[EventStore]:
    """A store with every projection, as the daemon opens it, on each backend."""
    opened = open_pipeline_store(db_url)
    try:
        yield opened
    finally:
        opened.engine.dispose()
