"""The JSON Schema of a rule file, for editors that complete and check YAML as it is typed."""

from __future__ import annotations

from typing import Any

from service.rules.models import RuleSet

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def json_schema() -> dict[str, Any]:
    """The JSON Schema of one rule file (every section optional, as files are merged)."""
    schema = RuleSet.model_json_schema(by_alias=True, mode="validation")
    schema.update(
        {
            "title": "Vigil rule file",
            "description": (
                "Sources (feeds to poll), tracked items (states and the evidence patterns that move them), "
                "alert rules and subscribers. Rule files in one directory are merged; ${VAR} and "
                "${VAR:-default} are read from the environment. Cross-references are checked by `vigil check`."
            ),
        }
    )
    return {"$schema": DIALECT, **schema}
