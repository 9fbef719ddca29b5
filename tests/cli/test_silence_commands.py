"""``vigil silence add|list|expire`` and ``vigil ack`` as a user runs them, around ``vigil run --once`` with
feeds on loopback and a json:// receiver: a silenced alert is listed, never received; after the silence
is expired the next alert arrives; an acknowledged alert shows it; a wrong command is one line and
records nothing."""

from __future__ import annotations

import json
from pathlib import Path

from service.demo.feeds import FeedServer
from tests.cli.test_operations import vigil
from tests.pipeline.harness import STEPS, Timeline, run_once, write_rules
from tests.support.receivers import JsonReceiver


def events(db: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in vigil(db, "events", "--json", "--limit", "1000").stdout.splitlines()]


def test_silence_list_expire_and_ack_from_the_command_line(sqlite_url: str, tmp_path: Path) -> None:
    with FeedServer() as feeds, JsonReceiver() as hook:
        rules = write_rules(tmp_path, feeds, hook.url("/hook"))
        timeline = Timeline(feeds)
        timeline.add(STEPS[0])
        assert run_once(sqlite_url, rules).returncode == 0  # records the rules; "agreed" is delivered
        assert len(hook.requests()) == 1

        before = events(sqlite_url)
        for wrong, message in [
            (("--item", "exchange-date", "--until", "2020-01-01", "--reason", "x"), "is not in the future"),
            (("--item", "ceasefire", "--until", "1h", "--reason", "x"), "unknown item 'ceasefire' (known: exchange, "),
            (("--tag", "ukraine", "--until", "1h", "--reason", "x"), "unknown tag 'ukraine' (known: none)"),
            (("--subscriber", "families", "--until", "1h", "--reason", "x"),
             "unknown subscriber 'families' (known: ops)"),
        ]:
            refused = vigil(sqlite_url, "silence", "add", *wrong)
            assert refused.returncode == 1 and message in refused.stderr, refused.stderr
            assert len(refused.stderr.strip().splitlines()) == 1
        assert events(sqlite_url) == before

        added = vigil(sqlite_url, "silence", "add", "--item", "exchange-date", "--until", "2h",
                      "--reason", "date rumours all day")
        assert added.returncode == 0, added.stderr
        silence_id = added.stdout.split()[1]
        listed = vigil(sqlite_url, "silence", "list").stdout
        assert silence_id in listed and "active" in listed and "--item exchange-date" in listed
        assert "date rumours all day" in listed

        timeline.add(STEPS[1])  # the date is announced: raised, silenced
        assert run_once(sqlite_url, rules).returncode == 0
        assert len(hook.requests()) == 1
        alerts = vigil(sqlite_url, "alerts").stdout
        assert "silenced" in alerts and f"silenced by {silence_id}; not sent" in alerts

        expired = vigil(sqlite_url, "silence", "expire", silence_id)
        assert expired.returncode == 0 and f"silence {silence_id} expired" in expired.stdout
        assert "no active silences" in vigil(sqlite_url, "silence", "list").stdout
        assert "expired" in vigil(sqlite_url, "silence", "list", "--all").stdout
        again = vigil(sqlite_url, "silence", "expire", silence_id)
        assert again.returncode == 1 and "has already ended" in again.stderr

        timeline.add(STEPS[2])  # the exchange is completed: delivered
        assert run_once(sqlite_url, rules).returncode == 0
        assert [r.json()["title"] for r in hook.requests()][1:] == ["Prisoner exchange: agreed → completed"]

        acked = vigil(sqlite_url, "ack", "exchange", "--reason", "on the desk")
        assert acked.returncode == 0 and "exchange acknowledged in its state 'completed'" in acked.stdout
        assert "acknowledged 20" in vigil(sqlite_url, "alerts").stdout and "on the desk" in vigil(
            sqlite_url, "alerts").stdout
        twice = vigil(sqlite_url, "ack", "exchange")
        assert twice.returncode == 1 and "already acknowledged" in twice.stderr
        unknown = vigil(sqlite_url, "ack", "ceasefire")
        assert unknown.returncode == 1 and "unknown item 'ceasefire'" in unknown.stderr

    types = [e["type"] for e in events(sqlite_url)]
    assert types.count("SilenceAdded") == 1 and types.count("SilenceExpired") == 1
    assert types.count("ItemAcknowledged") == 1 and types.count("AlertDeliverySilenced") == 1
