"""A Jinja sandbox whose templates cannot run for long or build huge values.

Jinja's own sandbox stops access to Python internals, but a rule's template can still ask for work
without end: ``'a' * 10**8``, ``range(10**5)`` nested in itself, ``'x'|center(10**9)``. Rule files are
written in a hurry and reloaded into a running daemon, so every template here is rendered with a time
budget (``RENDER_SECONDS``), operators and filters that would build a value over ``MAX_VALUE``
characters refused, and the output cut at a caller's limit. A template that hits a limit fails with
``TemplateLimitError``, which the caller handles like any other template error.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from types import CodeType
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

#: Seconds one template may take to render.
RENDER_SECONDS = 1.0
#: The largest string or list an operator, ``range`` or a padding filter may build (characters or items).
MAX_VALUE = 100_000
#: Format widths and precisions longer than this many digits ask for values over MAX_VALUE.
_WIDE_FORMAT = re.compile(r"%[-#0 +]*\d{6,}|%[-#0 +]*\d*\.\d{6,}|\{[^{}]*:[^{}]*\d{6,}[^{}]*\}")
_PADDING_FILTERS = ("center", "indent", "wordwrap", "truncate", "format", "join", "replace")


class TemplateLimitError(TemplateError):
    """A template asked for more time or a bigger value than a rule's template may have."""


class BoundedSandbox(SandboxedEnvironment):
    """A SandboxedEnvironment with a render deadline and size limits (see the module docstring).

    ``start()`` begins a render's time budget. The deadline is kept per thread (a context variable of the
    environment's own), so one environment serves every render of every thread: building one took ~0.7 ms,
    more than rendering an alert's two templates.
    """

    intercepted_binops = frozenset({"*", "**", "+", "%", "//", "/"})

    def __init__(self, *, seconds: float = RENDER_SECONDS, **options: Any) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=False, **options)
        self._seconds = seconds
        self._deadline: ContextVar[float] = ContextVar(f"vigil-render-deadline-{id(self)}", default=math.inf)
        self.globals["range"] = self._range
        # A namespace is the one way a template can grow a value across loop iterations.
        self.globals.pop("namespace", None)
        for name in _PADDING_FILTERS:
            self.filters[name] = self._bounded_filter(self.filters[name])

    def start(self) -> None:
        """Start the time budget of one render."""
        self._deadline.set(time.monotonic() + self._seconds)

    def tick(self) -> None:
        """Raise TemplateLimitError once the render's time is up."""
        if time.monotonic() > self._deadline.get():
            raise TemplateLimitError(f"rendering took longer than {self._seconds:g}s")

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        """Apply a binary operator, refusing results too large to build."""
        self.tick()
        if operator_name == "**":
            _check_power(left, right)
        elif operator_name == "*":
            _check_size(_repeat_size(left, right) or _repeat_size(right, left))
        elif operator_name == "+" and hasattr(left, "__len__") and hasattr(right, "__len__"):
            _check_size(len(left) + len(right))
        elif operator_name == "%" and isinstance(left, str) and _WIDE_FORMAT.search(left):
            raise TemplateLimitError("a format width or precision that large is not allowed")
        return super().call_binop(context, operator_name, left, right)

    def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N807 - Jinja's name
        """Call a function from a template, within the time budget and refusing huge formats."""
        self.tick()
        if getattr(__obj, "__name__", "") in ("format", "format_map") and isinstance(
            getattr(__obj, "__self__", None), str
        ) and _WIDE_FORMAT.search(__obj.__self__):
            raise TemplateLimitError("a format width or precision that large is not allowed")
        for value in (*args, *kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_VALUE:
                raise TemplateLimitError(f"the number {value} is larger than a template may pass ({MAX_VALUE})")
        return super().call(__context, __obj, *args, **kwargs)

    def getattr(self, obj: Any, attribute: str) -> Any:
        """Read an attribute, within the time budget."""
        self.tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        """Read an item, within the time budget."""
        self.tick()
        return super().getitem(obj, argument)

    def _range(self, *args: int) -> Iterator[int]:
        numbers = range(*args)
        _check_size(len(numbers))
        for number in numbers:
            self.tick()
            yield number

    def _bounded_filter(self, function: Callable[..., Any]) -> Callable[..., Any]:
        def bounded(*args: Any, **kwargs: Any) -> Any:
            self.tick()
            for value in (*args, *kwargs.values()):
                if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_VALUE:
                    raise TemplateLimitError(f"the number {value} is larger than a template may pass ({MAX_VALUE})")
                if isinstance(value, str) and _WIDE_FORMAT.search(value):
                    raise TemplateLimitError("a format width or precision that large is not allowed")
            result = function(*args, **kwargs)
            if hasattr(result, "__len__"):
                _check_size(len(result))
            return result

        # Keep Jinja's markers (pass_environment, pass_eval_context...) so it calls the filter the same way.
        bounded.__dict__.update(getattr(function, "__dict__", {}))
        return bounded

    def render_bounded(self, source: str | CodeType, variables: dict[str, Any], limit: int) -> tuple[str, bool]:
        """Render ``source`` (a template's text, or its code as ``compile`` made it in an environment like
        this one) with ``variables``; the text (at most ``limit`` characters) and whether it was cut."""
        if isinstance(source, CodeType):
            template = self.template_class.from_code(self, source, self.make_globals(None), None)
        else:
            template = self.from_string(source)
        self.start()
        parts: list[str] = []
        size = 0
        for chunk in template.generate(variables):
            self.tick()
            parts.append(chunk)
            size += len(chunk)
            if size > limit:
                return "".join(parts)[:limit], True
        return "".join(parts), False


def _repeat_size(sequence: Any, count: Any) -> int:
    if isinstance(sequence, str | list | tuple) and isinstance(count, int):
        return len(sequence) * max(count, 0)
    return 0


def _check_size(size: int) -> None:
    if size > MAX_VALUE:
        raise TemplateLimitError(f"a value of {size} characters or items is larger than a template may build "
                                 f"({MAX_VALUE})")


def _check_power(base: Any, exponent: Any) -> None:
    if (isinstance(base, int | float) and isinstance(exponent, int | float) and abs(base) > 1 and exponent > 0
            and exponent * math.log10(abs(base)) > 100):
        raise TemplateLimitError(f"{base!r} ** {exponent!r} is larger than a template may compute")

