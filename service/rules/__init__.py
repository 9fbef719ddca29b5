"""The YAML rule language: models, loading with file:line errors, and the JSON Schema."""
