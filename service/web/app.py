"""The FastAPI application the daemon serves: health, metrics, the JSON API, the Atom feed and the dashboard."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from service import __version__
from service.store.errors import StoreError
from service.web.api import api_router
from service.web.atom import atom_router
from service.web.body_limit import BodyLimitMiddleware
from service.web.context import WebContext
from service.web.dashboard import dashboard_router
from service.web.headers import DefaultHeadersMiddleware
from service.web.health import health_router
from service.web.metrics import metrics_router
from service.web.silences_api import silences_router
from service.web.subscribers_api import subscribers_router
from service.web.websub import websub_router

log = logging.getLogger("vigil.web")

DESCRIPTION = """\
Vigil's state, timelines, alerts and sources as JSON, its alerts as an Atom feed (`/alerts.atom`),
Prometheus metrics (`/metrics`) and probes (`/healthz`, `/readyz`). The subscriber, silence and
acknowledgement routes exist only when the daemon runs with `VIGIL_API_TOKEN` set, and need
`Authorization: Bearer <token>`.
"""


def create_app(context: WebContext) -> FastAPI:
    """Build the application for one daemon; every route reads through ``context``."""
    app = FastAPI(title="Vigil", version=__version__, description=DESCRIPTION, docs_url=None, redoc_url=None)
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(DefaultHeadersMiddleware)
    app.add_exception_handler(RequestValidationError, _validation_failed)
    app.add_exception_handler(SQLAlchemyError, _database_failed)
    app.add_exception_handler(StoreError, _database_failed)
    app.include_router(health_router(context))
    app.include_router(metrics_router(context))
    app.include_router(api_router(context))
    if context.api_token:
        app.include_router(subscribers_router(context, context.api_token))
        app.include_router(silences_router(context, context.api_token))
    app.include_router(atom_router(context))
    app.include_router(websub_router(context))
    app.include_router(dashboard_router(context))
    return app


async def _validation_failed(_request: Request, error: Exception) -> JSONResponse:
    # FastAPI's default answer echoes the input back, and a rejected body may hold an apprise URL.
    assert isinstance(error, RequestValidationError)
    details = [
        {"loc": list(problem.get("loc", ())), "msg": problem.get("msg", ""), "type": problem.get("type", "")}
        for problem in error.errors()
    ]
    return JSONResponse({"detail": details}, status_code=422)


async def _database_failed(request: Request, error: Exception) -> JSONResponse:
    # Only the kind of failure: a driver's message can quote the connection URL.
    log.error("database error answering %s %s: %s", request.method, request.url.path, type(error).__name__)
    return JSONResponse({"detail": "database unavailable"}, status_code=503)
