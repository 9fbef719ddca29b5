"""``/alerts.atom``: the alerts as an Atom 1.0 feed, so any feed reader can follow Vigil itself."""

from __future__ import annotations

import re
from datetime import datetime
from xml.etree import ElementTree

from fastapi import APIRouter, Request, Response

from service.web.context import WebContext
from service.web.reads import AlertStory, alert_stories

ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM_MEDIA_TYPE = "application/atom+xml; charset=utf-8"
FEED_ID = "urn:vigil:alerts"
#: Characters XML 1.0 cannot carry at all, escaped or not; feed text from the internet may hold them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def render_feed(stories: list[AlertStory], *, self_url: str, updated: datetime) -> bytes:
    """The Atom document for ``stories`` (newest first); every text is escaped by the XML writer."""
    # The namespace as a plain attribute: ElementTree's prefix registry is process-wide state.
    feed = ElementTree.Element("feed", xmlns=ATOM_NS)
    _text(feed, "id", FEED_ID)
    _text(feed, "title", "Vigil alerts")
    _text(feed, "updated", stories[0].raised_at if stories else updated.isoformat(timespec="seconds"))
    ElementTree.SubElement(feed, "link", rel="self", href=self_url, type="application/atom+xml")
    author = ElementTree.SubElement(feed, "author")
    _text(author, "name", "Vigil")
    ElementTree.SubElement(feed, "generator").text = "Vigil"
    for story in stories:
        entry = ElementTree.SubElement(feed, "entry")
        # Atom ids must be IRIs; the alert id is already unique and stable, so it makes the IRI.
        _text(entry, "id", f"urn:vigil:alert:{story.alert_id}")
        _text(entry, "title", story.title)
        _text(entry, "updated", story.raised_at)
        _text(entry, "published", story.raised_at)
        _text(entry, "summary", story.body or story.title)
        if story.link:
            ElementTree.SubElement(entry, "link", rel="alternate", href=_clean(story.link))
        ElementTree.SubElement(entry, "category", term=story.severity, label=f"severity: {story.severity}")
        ElementTree.SubElement(entry, "category", term=story.item, label=f"item: {story.item}")
    return ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)


def _text(parent: ElementTree.Element, name: str, value: str) -> None:
    ElementTree.SubElement(parent, name).text = _clean(value)


def _clean(value: str) -> str:
    return _NOT_XML.sub("", value)


def atom_router(context: WebContext) -> APIRouter:
    """The ``/alerts.atom`` route: the newest alerts (``?limit=``, 50 by default)."""
    router = APIRouter(tags=["feed"])

    @router.get(
        "/alerts.atom",
        summary="Alerts as an Atom feed",
        response_class=Response,
        responses={200: {"content": {"application/atom+xml": {}}}},
    )
    def alerts_atom(request: Request, limit: int = 50) -> Response:
        limit = max(1, min(limit, 500))
        path = request.url.path
        self_url = f"{context.public_url.rstrip('/')}{path}" if context.public_url else path
        body = render_feed(alert_stories(context.store, limit=limit), self_url=self_url, updated=context.started_at)
        return Response(body, media_type=ATOM_MEDIA_TYPE)

    return router
