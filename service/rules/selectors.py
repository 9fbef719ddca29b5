"""Whether a page source's CSS selector is one the page parser can use, checked when rules load."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, SelectolaxError


def selector_problem(selector: str) -> str | None:
    """Why ``selector`` cannot select a page's blocks, in a few words; None when it can."""
    if not selector.strip():
        return "the selector is empty"
    try:
        LexborHTMLParser("<p></p>").css(selector)
    except (SelectolaxError, ValueError):  # its message ("Can't parse CSS selector.") adds nothing
        return "not a valid CSS selector"
    return None
