"""Fixtures of the language tests: rule files in a working directory, as tests/rules has them."""

from tests.rules.conftest import rule_dir

__all__ = ["rule_dir"]
