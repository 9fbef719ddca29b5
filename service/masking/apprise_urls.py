"""Showing apprise URLs without their secrets, and keeping secrets out of error messages.

apprise's privacy mode masks passwords and the tokens each plugin knows about, but leaves the values of
``+Header=``, ``-param=`` and ``:field=`` query parts in clear (``+Authorization=Bearer …``), and cannot
know that an ntfy topic or a webhook path is a secret. ``redact`` starts from apprise's privacy URL and
masks those too, drops the default parameters apprise adds (they are noise to a reader), and keeps
``${VAR}`` references readable, since the name of a variable is not its value.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote, unquote, urlsplit

import apprise

from service.masking.secrets import ENV_REF, MASK, is_secret_key, looks_like_token

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]{0,31})://")
_WHOLE_REFERENCE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}]*))?\}")
# Query prefixes apprise uses for custom headers (+), URL parameters (-) and payload fields (:).
_PASSTHROUGH_PREFIXES = ("+", "-", ":")
_MIN_SECRET_LENGTH = 4  # shorter fragments would scrub ordinary words out of messages


@lru_cache(maxsize=512)
def redact(url: str) -> str:
    """``url`` with every secret masked, safe to print, log or store; never raises.

    A memo of a pure function (apprise's parse of a URL is ~0.9 ms, and every delivery names its target).

    A URL apprise cannot load becomes ``scheme://***`` (or ``***`` without a recognisable scheme),
    except that a URL holding ``${VAR}`` references keeps the references and masks the rest piecewise.
    """
    whole = _WHOLE_REFERENCE.fullmatch(url)
    if whole:
        # A URL kept whole in the environment: its name is no secret, and a default names its channel.
        default = whole.group("default")
        return f"${{{whole.group('name')}}}" if default is None else f"${{{whole.group('name')}:-{redact(default)}}}"
    scheme = _SCHEME.match(url)
    if not scheme:
        return MASK
    fallback = f"{scheme.group(1).lower()}://{MASK}"
    try:
        return _redact(url) or fallback
    except ValueError:  # urlsplit refuses some malformed netlocs ("[::1")
        return fallback


def _redact(url: str) -> str | None:
    protected, refs = _protect_references(url)
    try:
        plugin = apprise.Apprise.instantiate(protected)
        private = plugin.url(privacy=True) if plugin is not None else None
    except Exception:  # any plugin failure means "cannot load", never a crash while redacting
        private = None
    if refs and (private is None or not all(key in private for key in refs)):
        # apprise rejected the placeholders or masked them away: mask piece by piece instead, so the
        # reader still sees which variables the URL uses.
        return _restore_references(_mask_pieces(protected, keep_query=None), refs)
    if private is None:
        return None
    shown = _mask_pieces(private, keep_query=_query_keys(protected))
    return _restore_references(shown, refs)


def scrub(text: str, url: str) -> str:
    """``text`` (an error message, a log line) with every part of ``url`` that ``redact`` hides masked.

    Whatever ``redact(url)`` shows (a host, a topic name) stays readable; everything else of the URL
    (passwords, tokens, header values, hidden path parts) is replaced by ``***`` wherever it occurs.
    """
    for secret in hidden_pieces(url):
        text = text.replace(secret, MASK)
    return text


def hidden_pieces(url: str) -> list[str]:
    """The pieces of ``url`` that ``redact`` hides, longest first (so a secret holding another goes whole)."""
    shown = redact(url)
    visible = {shown, unquote(shown)}
    return [s for s in sorted(_candidates(url), key=len, reverse=True) if not any(s in part for part in visible)]


def _mask_pieces(url: str, keep_query: set[str] | None) -> str:
    """Mask the user, password, host, path parts and query values of ``url`` that look secret.

    ``keep_query``: the query keys to show (others are dropped: apprise's defaults); None keeps all.
    """
    parts = urlsplit(url)
    netloc = parts.netloc
    userinfo, _, hostport = netloc.rpartition("@")
    if userinfo:
        user, has_password, _ = userinfo.partition(":")
        user = MASK if looks_like_token(user) else user
        userinfo = f"{user}:{MASK}" if has_password else user
    host, colon, port = hostport.partition(":") if not hostport.startswith("[") else (hostport, "", "")
    host = MASK if looks_like_token(host) else host
    netloc = (f"{userinfo}@" if userinfo else "") + host + (f"{colon}{port}" if colon else "")
    path = "/".join(MASK if looks_like_token(segment) else segment for segment in parts.path.split("/"))
    path = re.sub(r"/{2,}$", "/", path)  # apprise ends some URLs with "//"
    query = _mask_query(parts.query, keep_query)
    fragment = MASK if looks_like_token(parts.fragment) else parts.fragment
    shown = f"{parts.scheme}://{netloc}{path}"
    if query:
        shown += f"?{query}"
    if fragment:
        shown += f"#{fragment}"
    return shown


def _mask_query(query: str, keep: set[str] | None) -> str:
    pairs = []
    for pair in query.split("&") if query else []:
        raw_key, _, value = pair.partition("=")
        key = unquote(raw_key)
        if keep is not None and key.lower() not in keep:
            continue
        secret = key.startswith(_PASSTHROUGH_PREFIXES) or is_secret_key(key) or looks_like_token(value)
        pairs.append(f"{quote(key, safe='+-:_.~')}={MASK if secret and value else value}")
    return "&".join(pairs)


def _query_keys(url: str) -> set[str]:
    query = urlsplit(url).query
    return {unquote(pair.partition("=")[0]).lower() for pair in query.split("&") if pair}


def _protect_references(url: str) -> tuple[str, dict[str, str]]:
    """Replace each ``${VAR}`` by a plain placeholder apprise accepts, remembering what to show for it."""
    refs: dict[str, str] = {}

    def placeholder(match: re.Match[str]) -> str:
        key = f"vigilref{len(refs)}x"
        # A default value may itself be a secret: show that there is one, not what it is.
        refs[key] = "${" + match.group(1) + (":-" + MASK if match.group(2) else "") + "}"
        return key

    return ENV_REF.sub(placeholder, url), refs


def _restore_references(url: str, refs: dict[str, str]) -> str:
    for key, shown in refs.items():
        url = url.replace(key, shown)
    return url


def _candidates(url: str) -> set[str]:
    """Every piece of ``url`` that could be a secret, in the forms it may take in a message."""
    pieces = [url, *re.split(r"[/?&#@\s]+", url)]  # the whole URL, and rough pieces if it will not parse
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is not None:
        userinfo, _, hostport = parts.netloc.rpartition("@")
        pieces += [*userinfo.split(":"), hostport.partition(":")[0], *parts.path.split("/"), parts.fragment]
        pieces += [pair.partition("=")[2] for pair in parts.query.split("&")]
    found: set[str] = set()
    for piece in pieces:
        for form in {piece, unquote(piece), unquote(piece).replace("+", " ")}:
            found.add(form)
            found.update(form.split())  # "Bearer s3cr3t": the token alone may be quoted
    return {f for f in found if len(f) >= _MIN_SECRET_LENGTH}
