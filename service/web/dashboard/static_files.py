"""The dashboard's static files, read once from the package so a request can only name one of them."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files

MEDIA_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}


@dataclass(frozen=True)
class StaticFile:
    """A file's bytes and the media type it is served with."""

    body: bytes
    media_type: str


def load_static_files() -> dict[str, StaticFile]:
    """Every file of ``service/web/dashboard/static`` with a known media type, by name."""
    folder = files("service.web.dashboard") / "static"
    loaded = {}
    for entry in folder.iterdir():
        suffix = "." + entry.name.rpartition(".")[2]
        if entry.is_file() and suffix in MEDIA_TYPES:
            loaded[entry.name] = StaticFile(entry.read_bytes(), MEDIA_TYPES[suffix])
    return loaded
