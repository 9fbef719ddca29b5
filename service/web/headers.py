"""Response headers every answer carries, whatever route produced it (routes may set their own first)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: nosniff: a browser must not guess HTML out of a JSON or Atom body that quotes text from the internet.
DEFAULT_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)


class DefaultHeadersMiddleware:
    """ASGI middleware adding ``DEFAULT_HEADERS`` to responses that do not already set them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the missing headers to the response's start message."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in DEFAULT_HEADERS if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
