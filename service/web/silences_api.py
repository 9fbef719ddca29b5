"""Silences and acknowledgements over HTTP: ``GET``/``POST /api/silences``, ``POST /api/silences/{id}/expire``
and ``POST /api/items/{item}/ack``.

Guarded as the subscriber routes are: mounted only when ``VIGIL_API_TOKEN`` is set, and every call needs
``Authorization: Bearer <token>``. Changes are recorded through the same code as ``vigil silence`` and
``vigil ack``, so the log cannot tell them apart but by their ``origin``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field

from service.alerting.acknowledging import AcknowledgeError, InvalidReason, acknowledge_item
from service.delivery.silences import Silence, all_silences
from service.delivery.silencing import SilenceError, SilenceNotFound, add_silence, expire_silence
from service.web.bearer import TOKEN_ERRORS, token_required
from service.web.context import WebContext


class SilenceIn(BaseModel):
    """A silence to add: exactly one of ``item``, ``tag`` or ``subscriber``."""

    model_config = ConfigDict(extra="forbid")

    item: str | None = Field(default=None, description="Silence the alerts of this item.")
    tag: str | None = Field(default=None, description="Silence the alerts of the items with this tag.")
    subscriber: str | None = Field(default=None, description="Silence every alert to this subscriber.")
    until: str = Field(description="Its end: an ISO-8601 time (UTC without an offset) or a duration (90m, 2h, 1d).")
    reason: str = Field(min_length=1, max_length=500)


@dataclass(frozen=True)
class SilenceOut(Silence):
    """A silence as recorded, and its state now (``active``, ``ended`` or ``expired``)."""

    state: str = "active"

    @classmethod
    def of(cls, silence: Silence, now: datetime) -> SilenceOut:
        """``silence`` as shown at ``now``."""
        return cls(**asdict(silence), state=silence.state(now))


class AckIn(BaseModel):
    """Why an item is acknowledged (optional)."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="", max_length=500)


class AckOut(BaseModel):
    """What was acknowledged: the item, the state it is in, and the alerts that state raised."""

    item: str
    value: str
    alert_ids: list[str]


def silences_router(context: WebContext, token: str) -> APIRouter:
    """The token-protected silence and acknowledgement routes."""
    router = APIRouter(prefix="/api", tags=["silences"], dependencies=[Depends(token_required(token))])
    invalid = {422: {"description": "Invalid request; `detail` names the value at fault (nothing recorded)"}}

    @router.get("/silences", summary="The active silences (with all=true, every silence)", responses=TOKEN_ERRORS)
    def list_silences(show_all: Annotated[bool, Query(alias="all")] = False) -> list[SilenceOut]:
        now = datetime.now(UTC)
        with context.store.reading() as conn:
            found = all_silences(conn)
        return [SilenceOut.of(s, now) for s in found if show_all or s.state(now) == "active"]

    @router.post("/silences", status_code=201, summary="Add a silence", responses={**TOKEN_ERRORS, **invalid})
    def add(silence: SilenceIn) -> SilenceOut:
        matchers = {"item": silence.item, "tag": silence.tag, "subscriber": silence.subscriber}
        try:
            added = add_silence(context.store, matchers, silence.until, silence.reason, origin="api")
        except SilenceError as error:
            raise HTTPException(422, detail=str(error)) from None
        return SilenceOut.of(added, datetime.now(UTC))

    @router.post(
        "/silences/{silence_id}/expire",
        summary="End a silence now",
        responses={**TOKEN_ERRORS, 404: {"description": "No such silence"}, 409: {"description": "Already ended"}},
    )
    def expire(silence_id: str) -> SilenceOut:
        try:
            ended = expire_silence(context.store, silence_id, origin="api")
        except SilenceNotFound as error:
            raise HTTPException(404, detail=str(error)) from None
        except SilenceError as error:
            raise HTTPException(409, detail=str(error)) from None
        return SilenceOut.of(ended, datetime.now(UTC))

    @router.post(
        "/items/{item}/ack",
        status_code=201,
        summary="Acknowledge an item's alerts for its current state, until it changes again",
        responses={**TOKEN_ERRORS, 404: {"description": "No such item"},
                   409: {"description": "Nothing to acknowledge, or already acknowledged"}, **invalid},
    )
    def ack(item: str, body: AckIn | None = None) -> AckOut:
        known = context.rules().rules.items
        if item not in known:
            raise HTTPException(404, detail=f"unknown item {item!r} (known: {', '.join(sorted(known))})")
        try:
            done = acknowledge_item(context.store, item, known_items=known, reason=(body or AckIn()).reason,
                                    origin="api")
        except InvalidReason as error:
            raise HTTPException(422, detail=str(error)) from None
        except AcknowledgeError as error:
            raise HTTPException(409, detail=str(error)) from None
        return AckOut(item=done.item, value=done.value, alert_ids=done.alert_ids)

    return router
