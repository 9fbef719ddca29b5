"""The text of an alert: Jinja templates (the rule's, or good defaults) rendered in a sandbox.

Templates see every field of ``AlertContext`` plus a few ready-made phrases:

- ``from_label`` / ``to_label``: the values as people read them (dates as "9 June 2025");
- ``change``: "none → agreed", or for a date item "announced 9 June 2025", "changed to 16 June 2025
  (was 9 June 2025)", "withdrawn (was 9 June 2025)";
- ``summary``: one sentence saying what happened;
- ``evidence``: a list of (``sentence``, ``link``, ``source``) records, one per piece of evidence;
- ``published_text``: the publication time of the deciding evidence, e.g. "2 June 2025 14:05 UTC";

and the filters ``human_date`` and ``human_time``. Undefined names are errors (StrictUndefined), the
sandbox refuses access to Python internals, and nothing is HTML-escaped: the output is plain text.
Blocks trim their own line (``trim_blocks``/``lstrip_blocks``), so ``{% for %}`` lines leave no blanks.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from itertools import zip_longest
from types import CodeType
from typing import Any

from jinja2 import TemplateError, TemplateSyntaxError

from service.alerting.sandbox import BoundedSandbox
from service.rules.models import UNANNOUNCED, AlertRule

DEFAULT_TITLE = "{{ item_title }}: {{ change }}"

DEFAULT_BODY = """\
{{ summary }}

{% for e in evidence %}
“{{ e.sentence }}”
  — {{ e.source }}{{ ", " ~ e.link if e.link else "" }}

{% endfor %}
Published {{ published_text }} · rule {{ rule }} · severity {{ severity }}
"""

_PARTS = ("title", "body")
#: The longest title and body an alert may have, in characters; longer text is cut (and the alert says so).
MAX_TITLE = 1_000
MAX_BODY = 20_000
_LIMITS = {"title": MAX_TITLE, "body": MAX_BODY}
_DEFAULTS = {"title": DEFAULT_TITLE, "body": DEFAULT_BODY}


@dataclass(frozen=True)
class AlertContext:
    """What an alert's templates are rendered from: one state change of one item, and the rule."""

    item_id: str
    item_title: str
    kind: str  # "status" or "date"
    from_value: str
    to_value: str
    sentences: list[str]
    links: list[str]
    sources: list[str]
    published: str  # ISO-8601
    rule: str
    severity: str


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence behind a change, as templates see it."""

    sentence: str
    link: str
    source: str


class AlertTemplateError(ValueError):
    """A rule's title or body template cannot be compiled or rendered; the message names the rule."""


@dataclass(frozen=True)
class RenderedAlert:
    """An alert's text, and the failures of the rule's own templates that the defaults stood in for."""

    title: str
    body: str
    errors: list[str]


def render(rule: AlertRule, context: AlertContext, *, strict: bool = False) -> RenderedAlert:
    """Render ``rule``'s title and body (its own templates, or the defaults) for ``context``.

    The title is folded onto one line and cut at ``MAX_TITLE`` characters, the body at ``MAX_BODY``.
    When a rule's own template fails in any way (an undefined name, ``1/0``, a limit of the sandbox), the
    alert still goes out with the default text for that part, a note at the end of the body naming the
    rule and the error, and the error in ``errors`` — a template bug must not swallow an alert or stall
    the pipeline. With ``strict=True`` the failure raises ``AlertTemplateError`` instead.
    """
    variables = template_variables(context)
    rendered: dict[str, str] = {}
    notes: list[str] = []
    for part in _PARTS:
        source = getattr(rule, part)
        try:
            rendered[part], cut = _render_one(source or _DEFAULTS[part], variables, _LIMITS[part])
        except Exception as error:  # noqa: BLE001 - any failure of an author's template falls back
            message = _describe(rule.name, part, error)
            if strict:
                raise AlertTemplateError(message) from error
            notes.append(message)
            rendered[part] = _default_text(part, variables)
            continue
        if cut:
            notes.append(f"alert rule {rule.name!r}: {part} template: the text was cut at {_LIMITS[part]} characters")
    title = " ".join(rendered["title"].split())[:MAX_TITLE]
    body = rendered["body"].strip()
    if notes:
        body += "\n\n" + "\n".join(f"[Vigil: {note}; the default text was used]"
                                    if "was cut" not in note else f"[Vigil: {note}]" for note in notes)
    return RenderedAlert(title, body, notes)


def check_templates(rule: AlertRule, samples: list[AlertContext] | None = None) -> list[TemplateProblem]:
    """Problems with ``rule``'s own templates (empty: none), each naming the part and its line.

    Reports syntax errors, and names that do not exist and any other failure found by rendering each
    template for every context in ``samples`` (default: a sample status change and a sample date change,
    each with one piece of evidence). Each distinct problem is reported once.
    """
    problems: list[TemplateProblem] = []
    for part in _PARTS:
        source = getattr(rule, part)
        if source is None:
            continue
        try:
            BoundedSandbox().parse(source)
        except TemplateSyntaxError as error:
            problems.append(TemplateProblem(part, error.lineno or 1, _describe(rule.name, part, error), syntax=True))
            continue
        for sample in _samples(rule) if samples is None else samples:
            try:
                _render_one(source, template_variables(sample), _LIMITS[part])
            except Exception as error:  # noqa: BLE001 - every failure is a problem to report
                problem = TemplateProblem(part, _template_line(error), _describe(rule.name, part, error))
                if problem not in problems:
                    problems.append(problem)
    return problems


@dataclass(frozen=True)
class TemplateProblem:
    """One failure of one of a rule's templates: the part (title or body), the template's line, what."""

    part: str
    line: int
    message: str
    syntax: bool = False  # the template does not parse (it was not rendered)


def template_variables(context: AlertContext) -> dict[str, Any]:
    """Every name a template can use for ``context``: its fields plus the ready-made phrases."""
    evidence = [Evidence(sentence or "", link or "", source or "")
                for sentence, link, source in zip_longest(context.sentences, context.links, context.sources)]
    return {
        **asdict(context),
        "from_label": value_label(context.from_value, context.kind),
        "to_label": value_label(context.to_value, context.kind),
        "change": change_phrase(context),
        "summary": summary_sentence(context),
        "evidence": evidence,
        "published_text": human_time(context.published),
    }


def change_phrase(context: AlertContext) -> str:
    """A short phrase for the change: "none → agreed", "announced 9 June 2025", "withdrawn (was …)"."""
    old, new = value_label(context.from_value, context.kind), value_label(context.to_value, context.kind)
    if context.kind == "date":
        if context.from_value == UNANNOUNCED:
            return f"announced {new}"
        if context.to_value == UNANNOUNCED:
            return f"withdrawn (was {old})"
        return f"changed to {new} (was {old})"
    return f"{old} → {new}"


def summary_sentence(context: AlertContext) -> str:
    """One sentence saying what happened, for the top of a body."""
    title = context.item_title
    old, new = value_label(context.from_value, context.kind), value_label(context.to_value, context.kind)
    if context.kind == "date":
        if context.from_value == UNANNOUNCED:
            return f"{title}: announced for {new}."
        if context.to_value == UNANNOUNCED:
            return f"{title}: the announced date ({old}) was withdrawn; it is unannounced again."
        return f"{title}: changed from {old} to {new}."
    return f"{title}: changed from {old} to {new}."


def value_label(value: str, kind: str) -> str:
    """A value as people read it: an ISO date of a date item becomes "9 June 2025"."""
    return human_date(value) if kind == "date" and value != UNANNOUNCED else value


def human_date(value: str) -> str:
    """``2025-06-09`` → ``9 June 2025``; anything that is not an ISO date is returned unchanged."""
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return value
    return f"{day.day} {day:%B %Y}"


def human_time(value: str) -> str:
    """An ISO-8601 time → ``2 June 2025 14:05 UTC``; anything unparseable is returned unchanged."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return f"{moment.day} {moment:%B %Y %H:%M} UTC"


@lru_cache(maxsize=1)
def _environment() -> BoundedSandbox:
    """The one rendering environment, built once (~0.7 ms, more than a render): it is never changed after
    this, and each render's time budget is kept per thread (service/alerting/sandbox.py)."""
    environment = BoundedSandbox(trim_blocks=True, lstrip_blocks=True)
    environment.filters["human_date"] = human_date
    environment.filters["human_time"] = human_time
    return environment


@lru_cache(maxsize=512)
def _compiled(source: str) -> CodeType:
    """A template's code, compiled once per text (a memo of a pure function: compiling, which Jinja's
    ``from_string`` does on every call, was a quarter of processing an alert). Syntax errors are raised,
    not remembered."""
    return _environment().compile(source)


def _render_one(source: str, variables: dict[str, Any], limit: int) -> tuple[str, bool]:
    # The code and the environment are shared; the time budget is this thread's own.
    return _environment().render_bounded(_compiled(source), variables, limit)


def _default_text(part: str, variables: dict[str, Any]) -> str:
    try:
        return _render_one(_DEFAULTS[part], variables, _LIMITS[part])[0]
    except Exception:  # noqa: BLE001 - the defaults are tested; this is the last line of defence
        return str(variables.get("summary", "")) if part == "body" else str(variables.get("item_title", ""))


def _describe(rule_name: str, part: str, error: BaseException) -> str:
    where = f" line {error.lineno}" if isinstance(error, TemplateSyntaxError) and error.lineno else ""
    detail = getattr(error, "message", None) if isinstance(error, TemplateError) else None
    if not detail:
        detail = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return f"alert rule {rule_name!r}: {part} template{where}: {' '.join(detail.split())[:300].rstrip('.')}"


def _template_line(error: BaseException) -> int:
    """The template line a render failure happened on (Jinja's traceback names it), else 1."""
    line = 1
    trace = error.__traceback__
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == "<template>":
            line = trace.tb_lineno
        trace = trace.tb_next
    return line


def _samples(rule: AlertRule) -> list[AlertContext]:
    common = {"links": ["https://news.example.org/a"], "sources": ["example"],
              "published": "2025-06-02T14:05:00+00:00", "rule": rule.name, "severity": rule.severity}
    return [
        AlertContext(item_id="sample", item_title="Sample status", kind="status", from_value="none",
                     to_value="agreed", sentences=["The sides agreed."], **common),
        AlertContext(item_id="sample", item_title="Sample date", kind="date", from_value=UNANNOUNCED,
                     to_value="2025-06-09", sentences=["It will take place on 9 June."], **common),
    ]
