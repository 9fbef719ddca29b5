"""Rule files loaded with every check Vigil has: the rule checks, then templates rendered and URLs loaded.

``vigil check``, every command that reads rules, and the daemon at start and on SIGHUP load rules here,
so that a template or a subscriber URL that cannot work is refused when the rules load, not at send time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path

from service.alerting.template_check import template_problems
from service.delivery.rule_urls import subscriber_url_problems
from service.rules.loader import LoadedRules, load_rules


def load_checked_rules(paths: Sequence[str | Path], env: Mapping[str, str]) -> LoadedRules:
    """``load_rules`` with the template and subscriber-URL checks; raises RuleErrors with every problem."""
    return load_rules(paths, env=env, checks=[template_problems, partial(subscriber_url_problems, env=env)])
