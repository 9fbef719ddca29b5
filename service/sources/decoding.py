"""Undoing a response's Content-Encoding without ever holding more than the size cap.

httpx decompresses each network read in one go, so one 64 KB read of a gzip bomb becomes some 64 MB
in memory before any cap can look at it. Vigil asks only for gzip and deflate, reads the raw bytes and
decompresses them here, each step limited to what the cap still allows.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

#: What ``fetch`` advertises; another compression in a response's Content-Encoding is refused.
ACCEPT_ENCODING = "gzip, deflate"
_GZIP_MAGIC = b"\x1f\x8b"
_COMPRESSIONS = frozenset({"gzip", "x-gzip", "deflate", "br", "zstd", "compress", "x-compress"})


class BodyTooLarge(Exception):
    """The decoded body would exceed the cap."""


class BodyUndecodable(Exception):
    """The body is not valid for its Content-Encoding, or the encoding is one Vigil does not accept."""


def decode_body(raw_chunks: Iterable[bytes], content_encoding: str, max_bytes: int) -> bytes:
    """Join ``raw_chunks`` and undo ``content_encoding``; raise ``BodyTooLarge`` past ``max_bytes``.

    The raw bytes count against the cap too: a stream that decompresses to nothing must still end.
    """
    # Names that are not compressions at all ("utf-8", "none", "binary": misconfigured servers) are
    # ignored, as httpx and browsers do; a compression Vigil did not ask for cannot be read.
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    codings = [c for c in codings if c in _COMPRESSIONS]
    if len(codings) > 1:
        raise BodyUndecodable(f"unsupported content-encoding {content_encoding!r}")
    coding = codings[0] if codings else None
    if coding is None:
        return _plain(raw_chunks, max_bytes)
    if coding in ("gzip", "x-gzip"):
        return _inflate(raw_chunks, max_bytes, zlib.MAX_WBITS | 16)
    if coding == "deflate":
        return _inflate(raw_chunks, max_bytes, zlib.MAX_WBITS)
    raise BodyUndecodable(f"unsupported content-encoding {coding!r}")


def _plain(raw_chunks: Iterable[bytes], max_bytes: int) -> bytes:
    body = bytearray()
    for chunk in raw_chunks:
        body += chunk
        if len(body) > max_bytes:
            raise BodyTooLarge
    return bytes(body)


def _inflate(raw_chunks: Iterable[bytes], max_bytes: int, wbits: int) -> bytes:
    body = bytearray()
    raw_seen = 0
    inflater = _Inflater(wbits)
    for chunk in raw_chunks:
        raw_seen += len(chunk)
        if raw_seen > max_bytes:
            raise BodyTooLarge
        inflater.feed(chunk, body, max_bytes)
    if raw_seen:  # an empty body is empty whatever its headers say
        inflater.finish()
    return bytes(body)


class _Inflater:
    """A zlib stream whose every step is bounded by the room left under the cap.

    ``deflate`` is meant to be zlib-wrapped, but servers often send raw deflate: the first failure on
    the first bytes switches to raw once. Concatenated gzip members are read one after another;
    anything else after the end of the stream is ignored, as browsers do.
    """

    def __init__(self, wbits: int) -> None:
        self._wbits = wbits
        self._gzip = wbits > zlib.MAX_WBITS
        self._decompressor = zlib.decompressobj(wbits)
        self._started = False
        self._ended = False

    def feed(self, data: bytes, body: bytearray, max_bytes: int) -> None:
        pending = b"" if self._ended else data
        while pending:
            try:
                out = self._decompressor.decompress(pending, max_bytes - len(body) + 1)
            except zlib.error as error:
                if self._started or self._wbits != zlib.MAX_WBITS:
                    raise BodyUndecodable(f"response body could not be decoded ({error})") from error
                self._wbits = -zlib.MAX_WBITS
                self._decompressor = zlib.decompressobj(self._wbits)
                continue
            self._started = self._started or bool(out)
            body += out
            if len(body) > max_bytes:
                raise BodyTooLarge
            if self._decompressor.eof:
                pending = self._decompressor.unused_data
                if self._gzip and pending.startswith(_GZIP_MAGIC):
                    self._decompressor = zlib.decompressobj(self._wbits)
                else:
                    self._ended, pending = True, b""
            else:
                pending = self._decompressor.unconsumed_tail

    def finish(self) -> None:
        if not (self._ended or self._decompressor.eof):
            raise BodyUndecodable("response body could not be decoded (compressed stream is incomplete)")
