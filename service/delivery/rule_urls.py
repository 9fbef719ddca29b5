"""``vigil check`` for subscriber URLs: each one, ``${VAR}`` references filled, loaded by apprise.

A URL apprise cannot use (an unknown scheme such as ``jsno://``, a malformed token) would fail at every
send; it is reported at its line in the rule file instead, when the rules load.
"""

from __future__ import annotations

from collections.abc import Mapping

from service.delivery.sender import check_url
from service.rules.env import unresolved
from service.rules.errors import RuleError, SourceMap
from service.rules.models import RuleSet


def subscriber_url_problems(rules: RuleSet, where: SourceMap, env: Mapping[str, str]) -> list[RuleError]:
    """Every subscriber URL of ``rules`` that apprise cannot load, with ``env`` filling references."""
    errors: list[RuleError] = []
    for name, subscriber in rules.subscribers.items():
        for index, url in enumerate(subscriber.urls):
            if unresolved(url, env):
                continue  # the loader reports each variable that is not set; the URL cannot be known yet
            try:
                problem = check_url(url, env)
            except Exception as error:  # noqa: BLE001 - a plugin's own bug is this URL's problem too
                problem = f"apprise cannot load this URL ({type(error).__name__})"
            if problem is not None:
                at = where.where(("subscribers", name, "urls", index))
                errors.append(at.error(f"subscriber '{name}': {problem}"))
    return errors
