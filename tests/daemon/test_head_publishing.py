"""The daemon's head-publishing settings: VIGIL_HEAD_*, and the VIGIL_DIGEST_* names they had before."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from service.daemon.head_publishing import HeadPublishing


def test_the_new_names_are_read_and_win_over_the_old_ones() -> None:
    publishing = HeadPublishing.from_env({
        "VIGIL_HEAD_EVERY": "15m", "VIGIL_DIGEST_EVERY": "2h", "VIGIL_HEAD_FILE": "/var/log/heads.txt",
        "VIGIL_HEAD_KEY": "new-key", "VIGIL_DIGEST_KEY": "old-key",
    })
    assert publishing.every == timedelta(minutes=15) and publishing.file == Path("/var/log/heads.txt")
    assert publishing.key == "new-key"


def test_a_deployment_still_using_the_old_digest_names_keeps_publishing() -> None:
    publishing = HeadPublishing.from_env({
        "VIGIL_DIGEST_EVERY": "2h", "VIGIL_DIGEST_FILE": "/var/log/digests.txt",
        "VIGIL_DIGEST_NOTIFY": "json://127.0.0.1:9/ops", "VIGIL_DIGEST_KEY": "old-key",
    })
    assert publishing.every == timedelta(hours=2) and publishing.file == Path("/var/log/digests.txt")
    assert publishing.notify_url == "json://127.0.0.1:9/ops" and publishing.key == "old-key"


@pytest.mark.parametrize("variable", ["VIGIL_HEAD_EVERY", "VIGIL_DIGEST_EVERY"])
def test_a_bad_period_names_the_variable_it_came_from(variable: str) -> None:
    with pytest.raises(ValueError, match=f"^{variable}='soon': "):
        HeadPublishing.from_env({variable: "soon"})
