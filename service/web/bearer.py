"""The bearer token that guards the API's write routes (subscribers, silences, acknowledgements)."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated

from fastapi import Header, HTTPException

#: The answers every guarded route may give before it runs, for the OpenAPI document.
TOKEN_ERRORS: dict[int | str, dict[str, str]] = {
    401: {"description": "No bearer token"},
    403: {"description": "Wrong token"},
}


def token_required(token: str) -> Callable[..., None]:
    """A FastAPI dependency: 401 without ``Authorization: Bearer``, 403 with a token other than ``token``."""

    def require_token(authorization: Annotated[str | None, Header()] = None) -> None:
        scheme, _, given = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            raise HTTPException(401, detail="missing bearer token", headers={"WWW-Authenticate": "Bearer"})
        if not hmac.compare_digest(given.strip().encode(), token.encode()):
            raise HTTPException(403, detail="wrong token")

    return require_token
