"""Silences and acknowledgements through the token-protected HTTP API of a running daemon, with feeds on
loopback and a json:// receiver: a silenced alert shows on the API and the dashboard and never reaches
the receiver; after the silence is expired the next alert does; the acknowledgement shows beside its alert."""

from __future__ import annotations

from pathlib import Path

import httpx

from service.demo.feeds import FeedServer
from tests.pipeline.harness import STEPS, Timeline, vigil_env, write_rules
from tests.support.receivers import JsonReceiver, poll
from tests.web.served import ServedDaemon, start_served, vigil_command

TOKEN = "silence-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
DEADLINE = 60.0


def alerts(daemon: ServedDaemon) -> list[dict[str, object]]:
    found: list[dict[str, object]] = daemon.get("/api/alerts").json()
    return found


def post(daemon: ServedDaemon, path: str, body: object, headers: dict[str, str] | None = None) -> httpx.Response:
    return daemon.request("POST", path, json=body, headers=AUTH if headers is None else headers)


def test_silences_and_acks_over_the_api(tmp_path: Path) -> None:
    db = str(tmp_path / "vigil.db")
    with FeedServer() as feeds, JsonReceiver() as hook:
        rules = write_rules(tmp_path, feeds, hook.url("/hook"))
        timeline = Timeline(feeds)
        timeline.add(STEPS[0])
        daemon = start_served(vigil_command(rules), tmp_path / "daemon.log", vigil_env(db, VIGIL_API_TOKEN=TOKEN))
        try:
            poll(lambda: alerts(daemon), lambda a: a.get("status") == "delivered", DEADLINE, "the first alert")
            body = {"item": "exchange-date", "until": "2h", "reason": "rumours"}
            assert post(daemon, "/api/silences", body, headers={}).status_code == 401
            assert post(daemon, "/api/silences", body, headers={"Authorization": "Bearer nope"}).status_code == 403
            for wrong, message in [
                ({**body, "until": "2001-01-01T00:00:00Z"}, "is not in the future"),
                ({**body, "item": "ceasefire"}, "unknown item 'ceasefire'"),
                ({**body, "subscriber": "ops"}, "exactly one of"),
            ]:
                refused = post(daemon, "/api/silences", wrong)
                assert refused.status_code == 422 and message in refused.json()["detail"]
            assert daemon.get("/api/silences", headers=AUTH).json() == []

            added = post(daemon, "/api/silences", body)
            assert added.status_code == 201, added.text
            silence = added.json()
            assert (silence["matcher"], silence["value"], silence["state"], silence["origin"]) == (
                "item", "exchange-date", "active", "api")
            listed = daemon.get("/api/silences", headers=AUTH).json()
            assert [s["silence_id"] for s in listed] == [silence["silence_id"]]

            timeline.add(STEPS[1])
            silenced = poll(lambda: alerts(daemon), lambda a: a.get("status") == "silenced", DEADLINE, "silenced")
            assert silenced["deliveries"][0]["silenced_by"] == [silence["silence_id"]]  # type: ignore[index]
            page = daemon.get("/").text
            assert "Active silences" in page and silence["silence_id"] in page and "rumours" in page
            assert "not sent: silenced by" in page

            expire = f"/api/silences/{silence['silence_id']}/expire"
            assert daemon.request("POST", expire).status_code == 401
            assert post(daemon, expire, None).json()["state"] == "expired"
            assert post(daemon, expire, None).status_code == 409
            assert post(daemon, "/api/silences/sil-nope/expire", None).status_code == 404
            assert "Active silences" not in daemon.get("/").text

            timeline.add(STEPS[2])
            poll(lambda: hook.requests(), lambda r: "completed" in r.json()["title"], DEADLINE, "the third alert")

            assert post(daemon, "/api/items/exchange/ack", {"reason": "x"}, headers={}).status_code == 401
            assert post(daemon, "/api/items/ceasefire/ack", {}).status_code == 404
            acked = post(daemon, "/api/items/exchange/ack", {"reason": "on the desk"})
            assert acked.status_code == 201, acked.text
            assert acked.json()["value"] == "completed"
            assert post(daemon, "/api/items/exchange/ack", {}).status_code == 409
            [shown] = [a for a in alerts(daemon) if a["alert_id"] in acked.json()["alert_ids"]]
            assert shown["acknowledged_reason"] == "on the desk" and shown["acknowledged_at"]
            assert "status-acknowledged" in daemon.get("/").text
        finally:
            assert daemon.stop() == 0
        titles = [r.json()["title"] for r in hook.requests()]
    assert len(titles) == 2 and not any("June 2025" in title for title in titles)  # the date alert never arrived
