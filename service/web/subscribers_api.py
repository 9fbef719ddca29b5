"""Subscribing over HTTP: ``GET``/``POST /api/subscribers`` and ``DELETE /api/subscribers/{name}``.

Mounted only when ``VIGIL_API_TOKEN`` is set (otherwise the routes do not exist: 404), and every call
needs ``Authorization: Bearer <token>``: 401 without it, 403 with a wrong one. Changes are recorded
through the same code as ``vigil subscribe add|remove``, so the log cannot tell them apart.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from service.delivery.route import Subscriber
from service.delivery.subscriptions import (
    SubscriptionError,
    add_subscriber,
    list_subscribers,
    remove_subscriber,
)
from service.masking.apprise_urls import redact
from service.rules.durations import Duration
from service.rules.models import DigestSpec, Severity
from service.web.bearer import TOKEN_ERRORS, token_required
from service.web.context import WebContext


class SubscriberIn(BaseModel):
    """A subscriber as the YAML rules declare one, plus its name."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, description="Replaces a subscriber of the same name.")
    urls: list[str] = Field(min_length=1, description="apprise URLs; use ${ENV} references for secrets.")
    items: list[str] = Field(default_factory=list, description="Only these items (empty: all).")
    tags: list[str] = Field(default_factory=list, description="Only items with one of these tags.")
    min_severity: Severity = "info"
    group: Duration | None = Field(  # type: ignore[assignment]
        default=None, description="Send the alerts that come within this window as one message (e.g. 10m)."
    )
    digest: DigestSpec | None = Field(
        default=None, description="A daily digest instead of (or as well as) immediate messages; leaving it out "
        "of a replacement stops the subscriber's digest."
    )


class SubscriberOut(BaseModel):
    """A subscriber as shown: URLs redacted."""

    name: str
    urls: list[str]
    items: list[str]
    tags: list[str]
    min_severity: str
    origin: str
    group_seconds: float | None = None
    digest: dict[str, Any] | None = None

    @classmethod
    def shown(cls, subscriber: Subscriber) -> SubscriberOut:
        """``subscriber`` with its URLs redacted."""
        shown = subscriber.shown or [redact(u) for u in subscriber.urls]
        return cls(name=subscriber.name, urls=shown, items=subscriber.items,
                   tags=subscriber.tags, min_severity=subscriber.min_severity, origin=subscriber.origin,
                   group_seconds=subscriber.group_seconds, digest=subscriber.digest)


def subscribers_router(context: WebContext, token: str) -> APIRouter:
    """The token-protected subscriber routes."""
    router = APIRouter(prefix="/api/subscribers", tags=["subscribers"], dependencies=[Depends(token_required(token))])
    errors = TOKEN_ERRORS

    @router.get("", summary="Every subscriber, URLs redacted", responses=errors)
    def list_all() -> list[SubscriberOut]:
        return [SubscriberOut.shown(s) for s in list_subscribers(context.store)]

    @router.post(
        "",
        status_code=201,
        summary="Add (or replace) a subscriber",
        responses={**errors, 422: {"description": "Invalid subscriber; `detail` names the value at fault"}},
    )
    def add(subscriber: SubscriberIn) -> SubscriberOut:
        try:
            add_subscriber(
                context.store,
                subscriber.name,
                subscriber.urls,
                items=subscriber.items,
                tags=subscriber.tags,
                min_severity=subscriber.min_severity,
                group=subscriber.group,
                digest=subscriber.digest,
                known_items=set(context.rules().rules.items),
                origin="api",
            )
        except SubscriptionError as error:  # its message shows URLs redacted
            raise HTTPException(422, detail=str(error)) from None
        fields = subscriber.model_dump(exclude={"group", "digest"})
        window = subscriber.group.total_seconds() if subscriber.group else None
        digest = subscriber.digest.model_dump() if subscriber.digest else None
        return SubscriberOut.shown(Subscriber(**fields, origin="api", group_seconds=window, digest=digest))

    @router.delete(
        "/{name}", status_code=204, summary="Remove a subscriber", responses={**errors, 404: {"description": "None"}}
    )
    def remove(name: str) -> None:
        try:
            remove_subscriber(context.store, name)
        except SubscriptionError as error:
            raise HTTPException(404, detail=str(error)) from None

    return router
