"""``/healthz`` (the process answers) and ``/readyz`` (the daemon can do its work right now)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from service.store.errors import StoreError
from service.web.context import WebContext


def readiness_problem(context: WebContext) -> str | None:
    """Why the daemon is not ready (one line, no secrets), or None when it is."""
    try:
        context.store.last_position()  # a real query on the events table, not just a connect
    except (SQLAlchemyError, StoreError) as error:
        # The driver's message may quote the connection URL; name only the kind of failure.
        return f"database check failed ({type(error).__name__})"
    try:
        loaded = context.rules()
    except Exception as error:  # the rules callback belongs to the daemon; any failure means "not ready"
        return f"rules unavailable ({type(error).__name__})"
    if loaded is None:
        return "rules not loaded"
    if not context.scheduler_running():
        return "scheduler not running"
    return None


def health_router(context: WebContext) -> APIRouter:
    """The two probe routes."""
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="The process is alive")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get(
        "/readyz",
        summary="Database reachable, rules loaded, scheduler running",
        responses={503: {"description": "Not ready; `reason` says why"}},
    )
    def readyz() -> JSONResponse:
        problem = readiness_problem(context)
        if problem:
            return JSONResponse({"status": "unavailable", "reason": problem}, status_code=503)
        return JSONResponse({"status": "ok", "rules_hash": context.rules().hash})

    return router
