"""The WebSub callback: ``GET /websub/{token}`` answers a hub's verification, ``POST`` receives its pings.

No API token here (a hub cannot hold one): the callback's random token names the subscription, and
each ping must carry an ``X-Hub-Signature`` made with the subscription's secret. A ping with a bad or
missing signature is acknowledged (202, as the spec asks, so a hub does not retry it) and ignored; a
good one asks the daemon to poll that source at once. An unknown token answers 410 Gone, which tells a
hub to drop that callback; so does a signed ping for a source the rules no longer have with
``websub: true``. The pushed body itself is not read as news: the poll fetches the feed.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from service.sources.websub_subscriptions import answer_intent, pinged_source
from service.web.context import WebContext

log = logging.getLogger("vigil.websub")


def websub_router(context: WebContext) -> APIRouter:
    """The callback routes, over ``context``'s store; pings reach ``context.push_received``."""
    router = APIRouter(include_in_schema=False)

    @router.get("/websub/{token}")
    async def verify(token: str, request: Request) -> Response:
        params = dict(request.query_params)
        answer = await run_in_threadpool(answer_intent, context.store, token, params, datetime.now(UTC))
        if answer is None:
            return Response(status_code=404)
        log.info("websub: hub answered %s", params.get("hub.mode", "?"), extra={"topic": params.get("hub.topic")})
        return Response(answer, media_type="text/plain")

    @router.post("/websub/{token}")
    async def ping(token: str, request: Request) -> Response:
        body = await request.body()
        signature = request.headers.get("x-hub-signature")
        source, verdict = await run_in_threadpool(pinged_source, context.store, token, body, signature)
        if verdict == "unknown callback" or (source is not None and not _wants_pings(context, source)):
            return Response(status_code=410)  # Gone: the hub drops this callback
        if source is None:
            log.warning("websub: a ping was ignored: %s", verdict)
        else:
            log.info("websub: ping for %s, polling it now", source, extra={"source": source})
            context.push_received(source)
        return Response(status_code=202)

    return router


def _wants_pings(context: WebContext, source: str) -> bool:
    """Whether the rules loaded now still have ``source`` with ``websub: true``."""
    spec = context.rules().rules.sources.get(source)
    return spec is not None and spec.websub
