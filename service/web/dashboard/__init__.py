"""Server-rendered web dashboard: items with their timelines, recent alerts and source health.

Pages are rendered on the server with Jinja (autoescaping on), drawn with inline SVG, and served with a
strict Content-Security-Policy: no inline script, nothing loaded from anywhere but Vigil itself.
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from service.web.dashboard.pages import dashboard_page, item_page
from service.web.dashboard.picture import SPAN_CHOICES
from service.web.dashboard.rendering import template_environment
from service.web.dashboard.static_files import load_static_files

if TYPE_CHECKING:
    from service.web.context import WebContext

#: Sent with every page: only Vigil's own script and styles run; links to sources leak no referrer.
PAGE_HEADERS = MappingProxyType(
    {
        "Content-Security-Policy": (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }
)


def dashboard_router(context: WebContext) -> APIRouter:
    """The routes of the dashboard: ``/``, ``/dashboard/items/{item}`` and ``/static/{name}``."""
    router = APIRouter(include_in_schema=False)
    templates = template_environment()
    static = load_static_files()

    def page(template: str, status_code: int = 200, **values: object) -> HTMLResponse:
        html = templates.get_template(template).render(**values)
        return HTMLResponse(html, status_code=status_code, headers=dict(PAGE_HEADERS))

    @router.get("/", response_class=HTMLResponse)
    def dashboard(span: str = "all") -> HTMLResponse:
        """Every item with its state and timeline (``span``: all, week or day), recent alerts, sources."""
        view = dashboard_page(context.store, context.rules(), datetime.now(UTC), context.started_at, _span(span))
        return page("index.html", view=view, now=view.now)

    @router.get("/dashboard/items/{item}", response_class=HTMLResponse)
    def item_detail(
        item: str, before: Annotated[int | None, Query(ge=1)] = None, span: str = "all"
    ) -> HTMLResponse:
        """One item: its timeline (``span``: all, week or day), each change with its evidence (a page of
        them, newest first; ``before`` pages back), its recent evidence, its alerts."""
        now = datetime.now(UTC)
        loaded = context.rules()
        view = item_page(context.store, loaded, item, now, context.started_at, before, _span(span),
                         context.near_miss_memory)
        if view is None:
            return page("missing.html", status_code=404, item=item, known=sorted(loaded.rules.items), now=now)
        return page("item.html", view=view, now=now)

    @router.get("/static/{name}")
    def static_file(name: str) -> Response:
        """A stylesheet, script or icon of the dashboard (a fixed set: no path is ever read from the request)."""
        found = static.get(name)
        if found is None:
            return Response("not found", status_code=404, media_type="text/plain")
        return Response(
            found.body,
            media_type=found.media_type,
            headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"},
        )

    return router


def _span(asked: str) -> str:
    # A link edited by hand to an unknown span shows the whole story rather than an error page.
    return asked if asked in SPAN_CHOICES else "all"


__all__ = ["dashboard_router"]
